# Extracts the ```sql blocks of one Markdown file for test/docs_examples.sh (POSIX awk).
#
#   awk -v script=OUT.sql -v map=OUT.map -f test/docs_extract.awk FILE.md
#
# OUT.sql: the blocks in document order, each preceded by an \echo of its position (for
# --verbose) and followed by \r, so that an unterminated statement cannot run into the
# next block. OUT.map, one line per item:
#   block DOC_LINE SCRIPT_LINE N   the block's first line in FILE.md and in OUT.sql, N lines
#   expect DOC_LINE                 the statement that ends on DOC_LINE must fail
#   open DOC_LINE                   the block ends inside a statement (no ; after it)
# An expected error is marked by a comment starting with ERROR, either on the line where
# the statement ends (`SELECT ...; -- ERROR: ...`) or on the line right after it.

function code_of(s) {
	sub(/--.*/, "", s)
	sub(/[ \t]+$/, "", s)
	return s
}

BEGIN { out = 1; inblock = 0 }

/^[ \t]*```/ {
	if (!inblock && $0 ~ /^[ \t]*```sql[ \t]*$/) {
		inblock = 1; first = NR; n = 0; last_code = 0; last_code_text = ""
		print "\\echo '@@ " FILENAME ":" NR "'" > script
		out++; sstart = out
		next
	}
	if (inblock) {
		inblock = 0
		print "block " first + 1 " " sstart " " n > map
		if (last_code_text != "" && last_code_text !~ /;$/ && last_code_text !~ /^[ \t]*\\/ && last_code_text !~ /\\g[a-z]*( .*)?$/)
			print "open " last_code > map
		print "\\r" > script
		out++
		next
	}
}

inblock {
	print > script
	out++; n++
	if ($0 ~ /^[ \t]*--[ \t]*ERROR/) {
		# the statement that ended on the last code line before this comment
		if (last_code > 0 && NR == last_code + 1)
			print "expect " last_code > map
	} else if ($0 ~ /;[ \t]*--[ \t]*ERROR/) {
		print "expect " NR > map
	}
	c = code_of($0)
	if (c != "") { last_code = NR; last_code_text = c }
}
