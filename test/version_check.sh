#!/usr/bin/env bash
# The version is in one place, clv.control's default_version; META.json (PGXN, semver),
# debian/changelog (its first entry, VERSION-REVISION) and CHANGELOG.md (a "## VERSION"
# heading) must name it, and sql/ must have a script that installs or reaches it.
# Needs nothing but the checkout (python3 reads META.json); run by .ci/run and
# test/package_check.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
fail=0
err() { echo "version_check: $*" >&2; fail=1; }

v=$(sed -n "s/^default_version *= *'\([^']*\)'.*/\1/p" clv.control)
[ -n "$v" ] || { echo "version_check: no default_version in clv.control" >&2; exit 1; }
# PGXN wants semantic versions: 0.2 is 0.2.0.
semver=$v
[[ $v =~ ^[0-9]+\.[0-9]+$ ]] && semver=$v.0
read -r meta provided < <(python3 -c '
import json; m = json.load(open("META.json"))
print(m["version"], m["provides"]["clv"]["version"])')
[ "$meta" = "$semver" ] || err "META.json version $meta, clv.control $v (expected $semver)"
[ "$provided" = "$semver" ] || err "META.json provides.clv.version $provided, clv.control $v (expected $semver)"
deb=$(sed -n '1s/^clv (\([^)]*\)).*/\1/p' debian/changelog)
[ "${deb%-*}" = "$v" ] || err "debian/changelog's first entry is $deb, clv.control $v (expected $v-N)"
grep -qx "## $v" CHANGELOG.md || err "CHANGELOG.md has no '## $v' heading"
compgen -G "sql/clv--$v.sql" >/dev/null || compgen -G "sql/clv--*--$v.sql" >/dev/null || err "no sql/clv--$v.sql or sql/clv--*--$v.sql"
[ $fail = 0 ] && echo "version_check: $v everywhere (clv.control, META.json $semver, debian/changelog $deb, CHANGELOG.md, sql/)"
exit $fail
