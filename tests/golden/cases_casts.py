"""CAST in ANSI (Spark 4's default) and non-ANSI mode (issue 5 part 4).

Each target type gets one non-ANSI case over all its values, and one ANSI case per value (an
ANSI cast fails the whole query on the first bad value, so one value per case shows each answer).
"""
import re

from caseutil import col, lit, tbl

INF = float("inf")
NAN = float("nan")


def slug(v):
    s = re.sub(r"[^a-z0-9]+", "_", str(v).lower()).strip("_")
    return s or "empty"


def both(target, values, typ="STRING", expr=None, ansi_values=None, **kw):
    """Non-ANSI over all values, plus one ANSI case per value."""
    name = slug(target)
    src = slug(typ)
    expr = expr or f"CAST(s AS {target})"
    out = [col(f"cast_{src}_to_{name}_non_ansi", expr, values, typ=typ, ansi=False, **kw)]
    seen = set()
    for v in (values if ansi_values is None else ansi_values):
        n = f"cast_{src}_to_{name}_ansi_{slug(v)}"
        if v is not None and isinstance(v, float) and v != v:
            n = f"cast_{src}_to_{name}_ansi_nan"
        while n in seen:
            n += "_x"
        seen.add(n)
        out.append(col(n, expr, [v], typ=typ, **kw))
    return out


CASES = []
CASES += both("INT", [" 12 ", "1.5", "1e3", "abc", "", "2147483648", "-0", "+5", "0x10", "12abc", "\t7\n", "1,000", "-2147483648", "1.", ".5", None])
CASES += both("BIGINT", ["9223372036854775807", "9223372036854775808", " -3 ", "1.9", "-1.9"])
CASES += both("SMALLINT", ["32767", "32768", "-32769", "12.5"])
CASES += both("TINYINT", ["127", "128", "-129", "-128"])
CASES += both("DOUBLE", ["1.5", " 1.5 ", "1.5d", "1.5f", "0x1p3", "NaN", "nan", "Infinity", "-infinity", "inf", "1e308", "1e309", "abc", "",
                         ".5", "5.", "1_000", "+1.5", "-0"])
CASES += both("FLOAT", ["1.5", "3.4028236e38", "0.1", "1e-50"])
CASES += both("DECIMAL(10,2)", ["1.005", "1.015", "12345678.9", "123456789.1", " 7 ", "1e2", "abc", "-0.005", "1,234.5"])
CASES += both("BOOLEAN", ["true", "TRUE", " true ", "t", "f", "yes", "no", "y", "n", "1", "0", "on", "2", ""])
CASES += both("DATE", ["2024-05-01", "2024-5-1", " 2024-05-01 ", "2024-05-01T10:00:00", "2024-05-01 10:00", "2024-02-30", "20240501", "2024",
                       "2024-05", "2024-05-01X", "garbage"])
CASES += both("TIMESTAMP", ["2024-05-01 12:34:56", "2024-05-01T12:34:56Z", "2024-05-01T12:34:56.123456789", "2024-05-01T12:34:56+0200",
                            "2024-05-01T12:34:56+02:00", "2024-05-01 12:34", "2024-05-01 12", "2024-05-01T12:34:56 Europe/Paris",
                            "2024-05-01 24:00:00", "garbage", " 2024-05-01 ", "2024-05-01T12:34:56.5-07:00", "2024-05-01T12:34:56UTC"])
CASES += both("TIMESTAMP_NTZ", ["2024-05-01 12:34:56", "2024-05-01T12:34:56Z", "2024-05-01T12:34:56+02:00", "bad"])
CASES += both("INT", [1.9, -1.9, 2147483647.9, 2147483648.0, 1e10, NAN, INF], typ="DOUBLE")
CASES += both("SMALLINT", [1e10, 40000.0, 1.5, -32768.0], typ="DOUBLE")
CASES += both("BIGINT", [1e19, -1e19, 9.2e18], typ="DOUBLE")
CASES += both("INT", [2147483648, -2147483649, 5], typ="BIGINT")
CASES += both("TINYINT", [200, -129, 127], typ="INT")
CASES += both("DECIMAL(5,2)", [123.456, 1234.5, -0.005], typ="DOUBLE")
CASES += both("INT", [12.99, -12.99], typ="DECIMAL(10,2)")

CASES += [
    col("cast_double_to_string", "CAST(s AS STRING)", [1.0, 0.1, 1e7, 1.0e-4, 123456789.123, -0.0, NAN, INF, 1e21, 100.0, 0.001, 1234567.0], typ="DOUBLE"),
    col("cast_float_to_string", "CAST(s AS STRING)", [1.1, 0.1, 16777217.0, 3.0e-5], typ="FLOAT"),
    col("cast_float_to_double", "CAST(s AS DOUBLE)", [0.1, 1.1], typ="FLOAT"),
    col("cast_decimal_to_string", "CAST(s AS STRING)", [1.5, 0, -3.25], typ="DECIMAL(10,2)"),
    col("cast_bigint_to_string", "CAST(s AS STRING)", [9223372036854775807, -1, 0], typ="BIGINT"),
    col("cast_boolean_to_string_and_int", "array(CAST(s AS STRING), CAST(CAST(s AS INT) AS STRING))", [True, False], typ="BOOLEAN"),
    col("cast_int_to_boolean", "CAST(s AS BOOLEAN)", [0, 1, 2, -1], typ="INT"),
    col("cast_timestamp_to_string", "CAST(s AS STRING)", ["2024-05-01T12:34:56Z", "2024-05-01T12:34:56.100Z", "2024-05-01T12:34:56.123456Z", None], typ="TIMESTAMP"),
    col("cast_timestamp_to_string_session_zone", "CAST(s AS STRING)", ["2024-05-01T12:34:56Z"], typ="TIMESTAMP",
        conf={"spark.sql.session.timeZone": "Asia/Kolkata"}),
    col("cast_date_to_string", "CAST(s AS STRING)", ["2024-05-01", "0999-12-31"], typ="DATE"),
    col("cast_timestamp_to_date", "CAST(s AS DATE)", ["2024-05-01T23:59:59Z", "2024-05-01T00:00:00Z"], typ="TIMESTAMP"),
    col("cast_timestamp_to_date_session_zone", "CAST(s AS DATE)", ["2024-05-01T23:59:59Z"], typ="TIMESTAMP",
        conf={"spark.sql.session.timeZone": "Asia/Tokyo"}),
    col("cast_date_to_timestamp", "CAST(s AS TIMESTAMP)", ["2024-05-01"], typ="DATE"),
    col("cast_timestamp_to_bigint", "CAST(s AS BIGINT)", ["2024-05-01T12:34:56.999Z", "1969-12-31T23:59:59.5Z"], typ="TIMESTAMP"),
    col("cast_timestamp_to_double", "CAST(s AS DOUBLE)", ["2024-05-01T12:34:56.5Z"], typ="TIMESTAMP"),
    col("cast_bigint_to_timestamp", "CAST(s AS TIMESTAMP)", [1714566896, 0, -1], typ="BIGINT"),
    col("cast_double_to_timestamp", "CAST(s AS TIMESTAMP)", [1714566896.5], typ="DOUBLE"),
    col("cast_timestamp_to_timestamp_ntz", "CAST(s AS TIMESTAMP_NTZ)", ["2024-05-01T12:34:56Z"], typ="TIMESTAMP",
        conf={"spark.sql.session.timeZone": "Europe/Paris"}),
    col("cast_string_to_timestamp_session_zone", "CAST(s AS TIMESTAMP)", ["2024-05-01 12:00:00", "2024-05-01T12:00:00Z"],
        conf={"spark.sql.session.timeZone": "America/New_York"}),
    col("cast_array_to_string", "CAST(s AS STRING)", [[1, 2, None], []], typ="ARRAY<INT>"),
    col("cast_struct_to_string", "CAST(s AS STRING)", [{"x": 1, "y": "a"}, {"x": None, "y": None}], typ="STRUCT<x: INT, y: STRING>"),
    col("cast_map_to_string", "CAST(s AS STRING)", [{"a": 1, "b": None}], typ="MAP<STRING, INT>"),
    col("cast_array_string_to_array_int", "CAST(s AS ARRAY<INT>)", [["1", " 2 ", None]], typ="ARRAY<STRING>"),
    col("cast_array_string_to_array_int_bad_non_ansi", "CAST(s AS ARRAY<INT>)", [["1", "x"]], typ="ARRAY<STRING>", ansi=False),
    col("cast_string_to_binary", "CAST(s AS BINARY)", ["abc", "é"]),
    col("cast_binary_to_string", "CAST(s AS STRING)", ["aGVsbG8="], typ="BINARY"),
    col("try_cast_ansi_on", "try_cast(s AS INT)", ["12", "abc", "1.5"]),
    col("try_cast_timestamp", "try_cast(s AS TIMESTAMP)", ["2024-05-01", "x"]),
    col("double_colon_cast", "s::INT", ["12"]),
    col("double_colon_cast_bad_ansi_on", "s::INT", ["x"]),
    col("double_colon_cast_bad_ansi_off", "s::INT", ["x"], ansi=False),
    col("cast_int_function_form", "int(s)", ["12", " 3 "]),
    col("cast_string_function_forms", "array(string(s), CAST(bigint(s) AS STRING), CAST(double(s) AS STRING))", ["7"]),
    col("implicit_string_int_comparison_ansi_on", "s = 1", ["1", "1.0", " 1"]),
    col("implicit_string_int_comparison_ansi_off", "s = 1", ["1", "1.0", " 1", "x"], ansi=False),
    col("implicit_string_int_comparison_bad_ansi_on", "s > 5", ["x"]),
    col("implicit_string_date_comparison", "s > DATE'2024-01-01'", ["2024-05-01", "2023-05-01"]),
    col("implicit_string_in_arithmetic_ansi_off", "s + 1", ["1", "1.5", "x"], ansi=False),
    col("cast_string_to_decimal_default", "CAST(s AS DECIMAL)", ["12.5", "12345678901"], ansi=False),
    col("cast_string_to_decimal_38", "CAST(s AS DECIMAL(38,18))", ["1.123456789012345678901"]),
    lit("cast_literal_int_type", "SELECT 1 AS a, 2147483648 AS b, 1.5 AS c, 1e3 AS d, 'x' AS e, true AS f, NULL AS g"),
    lit("cast_literal_typed", "SELECT DATE'2024-05-01' AS d, TIMESTAMP'2024-05-01 12:00:00' AS ts, X'0A0B' AS b, 10L AS l, 1.5D AS dd, 7S AS sm, 3Y AS ti, 1.5BD AS bd"),
    lit("cast_integer_arithmetic_types", "SELECT 1 + 1 AS a, 3 / 2 AS b, 7 div 2 AS c, 2 * 1.5 AS d, 1 + 1L AS e"),
    lit("cast_literal_typed_forms", "SELECT -128Y AS a, 32767S AS b, 1E3D AS c, 1e3F AS d, .5BD AS e, 0.01BD AS f, 1e3BD AS g, 10l AS h, "
        "1D AS i, 2.f AS j, - 7L AS k"),
    lit("cast_literal_big_numbers", "SELECT 9223372036854775808 AS a, -9223372036854775808 AS b, -2147483648 AS c, 2147483647 AS d, "
        "12345678901234567890123 AS e, 1.5e-2 AS f, .5 AS g, 1. AS h, 12345678901234567890.5 AS i"),
    lit("cast_literal_typeof", "SELECT typeof(1) AS a, typeof(1L) AS b, typeof(1.5) AS c, typeof(1e3) AS d, typeof(1S) AS e, typeof(1Y) AS f, "
        "typeof(1.5BD) AS g, typeof(1.5F) AS h, typeof(X'0A') AS i"),
    lit("cast_literal_tinyint_out_of_range", "SELECT 128Y AS a"),
    lit("cast_literal_bigint_out_of_range", "SELECT 9223372036854775808L AS a"),
    lit("cast_literal_exponent_suffix_not_alias", "SELECT 1e3D AS x, 2E1f AS y"),
    lit("cast_literal_decimal_arithmetic", "SELECT 1 + 1.5 AS a, 1.5 * 1.5 AS b, 10 - 0.25 AS c, 7 % 2.5 AS d, 100 * 0.01 AS e, -3 * 1.5 AS f"),
    lit("cast_literal_mixed_widening", "SELECT array(1, 2.5) AS a, coalesce(1, 1.5) AS b, CASE WHEN true THEN 1 ELSE 2.5 END AS c, "
        "greatest(1, 2.5) AS d, array(1, 2147483648) AS e, array(1, 1e0) AS f"),
    lit("cast_literal_union_widening", "SELECT 1 AS x UNION ALL SELECT 2147483648 AS x ORDER BY x"),
    lit("cast_literal_union_int", "SELECT typeof(x) AS t FROM (SELECT 1 AS x UNION ALL SELECT 2 AS x) ORDER BY t"),
    col("cast_literal_int_column_comparisons", "array(s > 100, s = 2147483648, s BETWEEN 1 AND 10, s IN (1, 5), s < 1e3)", [5, 200, None], typ="INT"),
    col("implicit_string_comparison_legacy_int", "array(s = 1, s > 1, s < 2)", ["1.5", "1", " 2 ", "x"], ansi=False),
    col("implicit_string_comparison_decimal_ansi_off", "s = 1.5", ["1.5", "1.50", "x"], ansi=False),
    col("implicit_string_comparison_decimal_float_ansi_off", "array(s = CAST(1.00 AS DECIMAL(10,2)), s = CAST(1.1 AS FLOAT), s = 1.5, s = 2Y, s > 1)",
        ["1.001", "1.1", "1.5", "26", "300", "3000000000", "1e3", "x"], ansi=False),
    col("implicit_string_comparison_decimal_ansi_on", "array(s = CAST(1.00 AS DECIMAL(10,2)), s = 1.5, s = 2Y)", ["1.001", "1.5", "2"]),
    col("implicit_string_comparison_double_ansi_on", "s = 1.5", ["1.5", "1.50", "2"]),
    col("implicit_string_plus_decimal_ansi_on", "s + 1.5", ["26", "1.25"]),
    col("implicit_string_plus_bigint_literal_ansi_on", "s + 1L", ["26", " 7 "]),
    col("implicit_string_bitwise_ansi_on", "s & 3", ["26", "7"]),
    col("implicit_string_times_string_ansi_off", "s * s", ["3", "1.5", "x"], ansi=False),
    col("implicit_string_times_string_ansi_on", "s * s", ["3"]),
    col("implicit_string_minus_int_ansi_off", "s - 1", ["3", "0.5", ""], ansi=False),
    col("implicit_string_modulo_ansi_on", "s % 7", ["26"]),
    lit("implicit_mix_ansi_off", "SELECT coalesce('x', 1) AS a, CASE WHEN true THEN '1.5' ELSE 1.5 END AS b, if(true, '1.5', 1) AS c, "
        "nvl2('s', 1, 'x') AS d, ' 1' IN (1) AS e, '1.0' IN (1) AS f, typeof(coalesce('x', 1)) AS g, coalesce(CAST(1.5 AS FLOAT), '2') AS h",
        ansi=False),
    lit("implicit_mix_ansi_on", "SELECT coalesce('26', 1) AS a, typeof(coalesce('26', 1)) AS b, CASE WHEN true THEN '1.5' ELSE 1.5 END AS c, "
        "nvl('2', 1.5) AS d, ' 1' IN (1) AS e, '26' IN (1.5, 26) AS f, if(false, 1, '7') AS g, typeof(if(false, 1, '7')) AS h"),
    lit("implicit_mix_bad_ansi_on", "SELECT coalesce('x', 1) AS a"),
    lit("implicit_in_bad_ansi_on", "SELECT '1.0' IN (1) AS a"),
    col("implicit_mix_column_ansi_off", "array(coalesce(s, 1), nvl(s, 1.5), CASE WHEN s IS NULL THEN 0 ELSE s END)", ["26", "x", None], ansi=False),
    col("implicit_mix_column_ansi_on", "array(coalesce(s, 1), nvl(s, 0), CASE WHEN s IS NULL THEN 0 ELSE s END)", ["26", " 7 ", None]),
    tbl("implicit_string_plus_int_column_ansi_on", "SELECT s + i AS r, typeof(s + i) AS t FROM t", [{"s": "26", "i": 5}], "s STRING, i INT"),
    tbl("implicit_string_plus_int_column_ansi_off", "SELECT s + i AS r, typeof(s + i) AS t FROM t", [{"s": "26", "i": 5}, {"s": "x", "i": 1}],
        "s STRING, i INT", ansi=False),
]
