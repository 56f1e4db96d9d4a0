------------------------------------------------------------------------------------------
-- Histogram scales and axis titles (issue 13, item 8). clv_svg_histogram gets a scale,
-- 'linear' (equal-width bins, as before), 'log' (bins equal in log10, values > 0) or
-- 'quantile' (bins of equal counts, bars of count per unit of x), and axis titles with
-- units instead of "value" and "count". Aggregates take no DEFAULTs: one overload per
-- arity; the state, combine and serial functions are those of the other chart aggregates
-- (their state now carries the scale and the axis titles).
------------------------------------------------------------------------------------------
CREATE FUNCTION clv_svg_histogram_trans(internal, float8, int, text, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;
CREATE FUNCTION clv_svg_histogram_trans(internal, float8, int, text, text, text, text) RETURNS internal
    AS 'MODULE_PATHNAME' LANGUAGE C IMMUTABLE PARALLEL SAFE;

CREATE AGGREGATE clv_svg_histogram(value float8, bins int, title text, scale text) (
    SFUNC = clv_svg_histogram_trans, STYPE = internal,
    FINALFUNC = clv_svg_histogram_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_chart_agg_combine,
    SERIALFUNC = clv_chart_agg_serialize, DESERIALFUNC = clv_chart_agg_deserialize,
    PARALLEL = SAFE
);
CREATE AGGREGATE clv_svg_histogram(value float8, bins int, title text, scale text,
                                   xlabel text, ylabel text) (
    SFUNC = clv_svg_histogram_trans, STYPE = internal,
    FINALFUNC = clv_svg_histogram_final, FINALFUNC_MODIFY = READ_WRITE,
    COMBINEFUNC = clv_chart_agg_combine,
    SERIALFUNC = clv_chart_agg_serialize, DESERIALFUNC = clv_chart_agg_deserialize,
    PARALLEL = SAFE
);
