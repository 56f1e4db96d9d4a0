-- Charts in databases that are not UTF-8. The SVG is written in UTF-8; in a LATIN1 or
-- EUC_JP database user text is converted from the database encoding first, and every
-- non-ASCII character of the result is an XML character reference (&#xE9;), so the SVG
-- is ASCII and reads the same whatever the client encoding. Before, 'Café' came out as
-- U+FFFD (the LATIN1 byte is no UTF-8), and EUC_JP text as garbage.
CREATE DATABASE clv_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
CREATE DATABASE clv_euc_jp ENCODING 'EUC_JP' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;

\c clv_latin1
SET client_encoding = 'UTF8';
CREATE EXTENSION clv;
-- The first <title> of an SVG, and the text of its tick labels that are not numbers.
CREATE FUNCTION svg_title(svg text) RETURNS text
    AS $$ SELECT (regexp_match(svg, '<title>([^<]*)</title>'))[1] $$ LANGUAGE sql;
CREATE FUNCTION svg_labels(svg text) RETURNS text
    AS $$ SELECT string_agg(m[1], ' | ') FROM regexp_matches(svg, 'class="tick">([^<0-9][^<]*)</text>', 'g') m $$
    LANGUAGE sql;
SELECT s.title, svg_title(svg), svg_labels(svg),
       svg ~ '^[\x01-\x7e]*$' AS ascii_only, (svg::xml IS DOCUMENT) AS well_formed
FROM (VALUES ('Café'), ('Ünïcødé « 1 ¼ »'), ('x < y & ½')) s(title),
     LATERAL (SELECT clv_svg_bar_chart(ARRAY['Crème', 'Brûlée'], ARRAY[1, 2], s.title, 'São') AS svg) c;
-- The aggregates' titles, and a title cut at 120 characters (the ellipsis is &#x2026;).
SELECT svg_title(clv_svg_histogram(v, 5, 'Dépenses')) AS histogram,
       svg_title(clv_svg_lorenz(v, 'Répartition')) AS lorenz,
       right(svg_title(clv_svg_lorenz(v, repeat('é', 200))), 22) AS cut
FROM generate_series(1, 10) v;
-- The segmentation charts (issue 15) convert their texts the same way, once.
SELECT svg_title(d) AS dendrogram, position('Zo&#xE9;' IN d) > 0 AS leaf_label,
       svg_title(s) AS scatter, position('D&#xE9;penses' IN p) > 0 AS feature_name,
       svg_title(p) AS profile,
       d || s || p ~ '^[\x01-\x7e]*$' AS ascii_only,
       (d::xml IS DOCUMENT) AND (s::xml IS DOCUMENT) AND (p::xml IS DOCUMENT) AS well_formed
FROM (SELECT clv_svg_dendrogram('{{0,1,1,2}}', 30, 'Arbre généalogique', 1, ARRAY['Zoé', 'Noël']) AS d,
             (SELECT clv_svg_scatter(v, v, v % 2, 'Récence', 'jours', 'dépenses (£)') FROM generate_series(1, 4) v) AS s,
             (SELECT clv_svg_cluster_profile(v % 2, ARRAY[v], ARRAY['Dépenses'], 'Profils à part') FROM generate_series(1, 4) v) AS p) c;
-- Text that LATIN1 cannot hold does not reach the function: the client's text is
-- converted to the database encoding first.
SELECT clv_svg_bar_chart(ARRAY['日本'], ARRAY[1], 't', 's');

\c clv_euc_jp
SET client_encoding = 'UTF8';
CREATE EXTENSION clv;
CREATE FUNCTION svg_title(svg text) RETURNS text
    AS $$ SELECT (regexp_match(svg, '<title>([^<]*)</title>'))[1] $$ LANGUAGE sql;
CREATE FUNCTION svg_labels(svg text) RETURNS text
    AS $$ SELECT string_agg(m[1], ' | ') FROM regexp_matches(svg, 'class="tick">([^<0-9][^<]*)</text>', 'g') m $$
    LANGUAGE sql;
SELECT svg_title(svg), svg_labels(svg),
       svg ~ '^[\x01-\x7e]*$' AS ascii_only, (svg::xml IS DOCUMENT) AS well_formed
FROM (SELECT clv_svg_bar_chart(ARRAY['東京', '大阪'], ARRAY[3, 4], '売上 2024', '件数') AS svg) c;

-- In a UTF-8 database the SVG keeps the characters themselves.
\c contrib_regression
SELECT (regexp_match(clv_svg_bar_chart(ARRAY['Crème'], ARRAY[1], 'Café 売上', 's'),
                     '<title>([^<]*)</title>'))[1] AS svg_title;

DROP DATABASE clv_latin1;
DROP DATABASE clv_euc_jp;
