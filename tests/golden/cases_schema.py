"""Schema declarations: the DDL grammar and the StructType JSON form (spark-semantics.md section 7)."""
import json

from caseutil import case, lines

ONE = lines('{"a":1,"b":"x"}')


def ddl(name, schema, input=ONE, **kw):
    return case(name, input=input, schema=schema, **kw)


def sj(name, fields, input=ONE, **kw):
    """A StructType JSON schema from a list of field objects (or raw text)."""
    text = fields if isinstance(fields, str) else json.dumps({"type": "struct", "fields": fields})
    return case(name, input=input, schema=text, **kw)


def fld(name, typ, nullable=True, metadata=None):
    f = {"name": name, "type": typ, "nullable": nullable, "metadata": metadata or {}}
    return f


# Rows for the UTF8_LCASE cases: case pairs, letters whose lower case is special, a NULL.
LC_ROWS = lines('{"b":"x","c":"X","n":1}', '{"b":"X","c":"y","n":2}', '{"b":"Abc","c":"aBC","n":3}',
                '{"b":"abc","c":null,"n":4}', '{"b":"İ","c":"i̇","n":5}', '{"b":"ß","c":"SS","n":6}',
                '{"b":null,"c":"q","n":7}', '{"b":"ǅ","c":"ǆ","n":8}', '{"b":"K","c":"k","n":9}',
                '{"b":"Σ","c":"ς","n":10}')


def lc(name, sql, **kw):
    """A query over `b STRING COLLATE UTF8_LCASE, c STRING, n INT`."""
    return case(name, sql=sql, input=LC_ROWS, schema="b STRING COLLATE UTF8_LCASE, c STRING, n INT", **kw)


# Rows for the ICU collation cases: case and accent variants, a decomposed é, ß, the Turkish
# dotless ı, Swedish letters that sort after z, a NULL.
ICU_ROWS = lines('{"b":"x","c":"X","n":1}', '{"b":"X","c":"y","n":2}', '{"b":"é","c":"e","n":3}',
                 '{"b":"e","c":"E","n":4}', '{"b":"E","c":"é","n":5}', '{"b":"e\u0301","c":"è","n":6}',
                 '{"b":"ß","c":"ss","n":7}', '{"b":"ı","c":"I","n":8}', '{"b":"å","c":"z","n":9}',
                 '{"b":"ö","c":"o","n":10}', '{"b":null,"c":"q","n":11}', '{"b":"Abc","c":"aBC","n":12}')


# Rows for the RTRIM cases: trailing spaces (ignored), a leading space and a tab (kept).
RT_ROWS = lines('{"b":"a","n":1}', '{"b":"a ","n":2}', '{"b":"A  ","n":3}', '{"b":" a","n":4}',
                '{"b":"a\\t","n":5}', '{"b":null,"n":6}', '{"b":"","n":7}', '{"b":"  ","n":8}')


def rt(name, sql, collation="UTF8_BINARY_RTRIM", **kw):
    """A query over `b STRING COLLATE <collation>, n INT`."""
    return case(name, sql=sql, input=RT_ROWS, schema=f"b STRING COLLATE {collation}, n INT", **kw)


def icu(name, sql, collation="UNICODE_CI", **kw):
    """A query over `b STRING COLLATE <collation>, c STRING, n INT`."""
    return case(name, sql=sql, input=ICU_ROWS, schema=f"b STRING COLLATE {collation}, c STRING, n INT", **kw)


ALL = lines('{"bo":true,"ti":1,"sm":2,"i":3,"bi":4,"f":1.5,"d":2.5,"de":3.25,"s":"x","bin":"AQI=","da":"2024-05-01","ts":"2024-05-01T12:00:00Z","ntz":"2024-05-01 12:00:00"}')

CASES = [
    # --- DDL: primitive keywords and synonyms ---
    ddl("ddl_integral_keywords", "a TINYINT, b SMALLINT, c INT, d BIGINT", input=lines('{"a":1,"b":2,"c":3,"d":4}')),
    ddl("ddl_integral_synonyms", "a BYTE, b SHORT, c INTEGER, d LONG", input=lines('{"a":1,"b":2,"c":3,"d":4}')),
    ddl("ddl_float_synonyms", "a FLOAT, b REAL, c DOUBLE", input=lines('{"a":1.5,"b":2.5,"c":3.5}')),
    ddl("ddl_decimal_forms", "a DECIMAL, b DECIMAL(5), c DECIMAL(7,3), d DEC(4,1), e NUMERIC(6,2)",
        input=lines('{"a":1,"b":2,"c":3.25,"d":4.5,"e":5.75}')),
    ddl("ddl_decimal_max_precision", "a DECIMAL(38,10)", input=lines('{"a":1.5}')),
    ddl("ddl_all_primitives", "bo BOOLEAN, ti TINYINT, sm SMALLINT, i INT, bi BIGINT, f FLOAT, d DOUBLE, de DECIMAL(5,2), "
        "s STRING, bin BINARY, da DATE, ts TIMESTAMP, ntz TIMESTAMP_NTZ", input=ALL),
    ddl("ddl_timestamp_ltz_keyword", "ts TIMESTAMP_LTZ", input=lines('{"ts":"2024-05-01T12:00:00Z"}')),
    ddl("ddl_lowercase_keywords", "a int, b string, c array<bigint>, d struct<x: double>", input=lines('{"a":1,"b":"x","c":[2],"d":{"x":1.5}}')),
    ddl("ddl_mixed_case_keywords", "a Int, b sTrInG, c Array<Int>, d Map<String, Int>", input=lines('{"a":1,"b":"x","c":[2],"d":{"k":3}}')),
    ddl("ddl_names_keep_case", "MyCol INT, other_Col STRING", input=lines('{"MyCol":1,"other_Col":"x"}')),
    # --- DDL: names ---
    ddl("ddl_backtick_name_with_space", "`my col` INT, `a.b` STRING", input=lines('{"my col":1,"a.b":"x"}')),
    ddl("ddl_backtick_doubled", "`a``b` INT", input=lines('{"a`b":1}')),
    ddl("ddl_backtick_plain_name", "`a` INT, `b` STRING"),
    ddl("ddl_keyword_names", "select INT, from STRING, timestamp TIMESTAMP, date DATE, order INT, `table` INT",
        input=lines('{"select":1,"from":"x","timestamp":"2024-05-01","date":"2024-05-02","order":2,"table":3}')),
    ddl("ddl_unicode_names", "`é` INT, `日本` STRING", input=lines('{"é":1,"日本":"x"}')),
    ddl("ddl_unquoted_unicode_name", "é INT", input=lines('{"é":1}')),
    ddl("ddl_name_starting_with_digit", "1a INT", input=lines('{"1a":1}')),
    ddl("ddl_name_all_digits", "`123` INT", input=lines('{"123":1}')),
    ddl("ddl_underscore_names", "_a INT, __b STRING", input=lines('{"_a":1,"__b":"x"}')),
    ddl("ddl_name_with_dash_unquoted", "a-b INT", input=lines('{"a-b":1}')),
    # --- DDL: nested types ---
    ddl("ddl_struct_with_colons", "s STRUCT<x: INT, y: STRING>", input=lines('{"s":{"x":1,"y":"a"}}')),
    ddl("ddl_struct_without_colons", "s STRUCT<x INT, y STRING>", input=lines('{"s":{"x":1,"y":"a"}}')),
    ddl("ddl_struct_no_spaces", "s STRUCT<x:INT,y:STRING>", input=lines('{"s":{"x":1,"y":"a"}}')),
    ddl("ddl_struct_empty", "s STRUCT<>", input=lines('{"s":{"x":1}}')),
    ddl("ddl_struct_field_comment_and_not_null", "s STRUCT<x: INT NOT NULL COMMENT 'the x', y: STRING>", input=lines('{"s":{"x":1,"y":"a"}}')),
    ddl("ddl_struct_backtick_field", "s STRUCT<`my x`: INT, `y.z`: STRING>", input=lines('{"s":{"my x":1,"y.z":"a"}}')),
    ddl("ddl_nested_arrays", "a ARRAY<ARRAY<ARRAY<INT>>>", input=lines('{"a":[[[1],[2,3]],[]]}')),
    ddl("ddl_map_of_arrays", "m MAP<STRING, ARRAY<INT>>", input=lines('{"m":{"k":[1,2]}}')),
    ddl("ddl_array_of_maps", "a ARRAY<MAP<STRING, STRING>>", input=lines('{"a":[{"k":"v"},{}]}')),
    ddl("ddl_deep_nesting", "s STRUCT<a: ARRAY<STRUCT<b: MAP<STRING, STRUCT<c: INT>>>>>", input=lines('{"s":{"a":[{"b":{"k":{"c":7}}}]}}')),
    ddl("ddl_spark_spec_example", "time TIMESTAMP, action STRING, tags ARRAY<STRING>, attrs MAP<STRING, BIGINT>, "
        "geo STRUCT<lat: DOUBLE, lon: DOUBLE>, amount DECIMAL(12,2) COMMENT 'EUR', `my col` INT NOT NULL",
        input=lines('{"time":"2024-05-01T12:00:00Z","action":"view","tags":["a"],"attrs":{"n":5},"geo":{"lat":1.5,"lon":-2.25},"amount":12.5,"my col":1}')),
    ddl("ddl_nested_angle_brackets_close", "m MAP<STRING,ARRAY<STRUCT<x:INT>>>", input=lines('{"m":{"k":[{"x":1}]}}')),
    # --- DDL: clauses, whitespace ---
    ddl("ddl_not_null_column", "a INT NOT NULL, b STRING"),
    ddl("ddl_comment_column", "a INT COMMENT 'the id', b STRING COMMENT \"double quoted\""),
    ddl("ddl_comment_with_escaped_quote", "a INT COMMENT 'it\\'s', b STRING"),
    ddl("ddl_not_null_and_comment", "a INT NOT NULL COMMENT 'x', b STRING"),
    ddl("ddl_comment_before_not_null", "a INT COMMENT 'x' NOT NULL, b STRING"),
    ddl("ddl_newlines_and_tabs", "\n  a\tINT,\n  b   STRING\n"),
    ddl("ddl_leading_trailing_spaces", "   a INT , b STRING   "),
    ddl("ddl_struct_keyword_form", "STRUCT<a: INT, b: STRING>", error_contains=["offset 6", "'<'"]),
    ddl("ddl_struct_keyword_form_lower", "struct<a:int,b:string>", error_contains=["offset 6", "'<'"]),
    ddl("ddl_single_column", "a INT"),
    ddl("ddl_string_collate", "b STRING COLLATE UTF8_LCASE", sql="SELECT b, b = 'X' AS eq FROM t"),
    ddl("ddl_variant", "v VARIANT", input=lines('{"v":{"k":[1,2]}}'), sql="SELECT to_json(v) AS j FROM t"),
    ddl("ddl_void", "a INT, n VOID", input=lines('{"a":1,"n":null}')),
    ddl("ddl_void_with_values", "a INT, n VOID, " + "_corrupt_record STRING",
        input=lines('{"a":1,"n":5}', '{"a":2,"n":"x"}', '{"a":3,"n":{"k":[1]}}', '{"a":4,"n":[1,2]}')),
    ddl("ddl_void_nested", "a INT, s STRUCT<n: VOID, x: INT>, l ARRAY<VOID>", input=lines('{"a":1,"s":{"n":true,"x":2},"l":[1,null]}')),
    ddl("ddl_interval_day_to_second", "a INT, i INTERVAL DAY TO SECOND", input=lines('{"a":1}')),
    # --- DDL: errors ---
    ddl("ddl_error_unknown_type", "a INT, b FOO", error_contains=["FOO"]),
    ddl("ddl_error_missing_type", "a INT, b"),
    ddl("ddl_error_trailing_comma", "a INT,"),
    ddl("ddl_error_leading_comma", ", a INT"),
    ddl("ddl_error_missing_comma", "a INT b STRING"),
    ddl("ddl_error_empty", ""),
    ddl("ddl_error_int_with_length", "a INT(5)"),
    ddl("ddl_error_decimal_too_precise", "a DECIMAL(39,0)", error_contains=["39"]),
    ddl("ddl_error_decimal_scale_gt_precision", "a DECIMAL(5,6)"),
    ddl("ddl_decimal_zero_precision", "a DECIMAL(0,0)"),
    ddl("ddl_error_decimal_negative_scale", "a DECIMAL(5,-1)"),
    ddl("ddl_error_varchar", "a VARCHAR(10)", error_contains=["VARCHAR"]),
    ddl("ddl_error_char", "a CHAR(3)"),
    ddl("ddl_error_varchar_no_length", "a VARCHAR"),
    ddl("ddl_varchar_legacy_as_string", "a INT, b VARCHAR(3)", conf={"spark.sql.legacy.charVarcharAsString": "true"}),
    ddl("ddl_char_legacy_as_string", "a INT, b CHAR(3), c VARCHAR(2)", input=lines('{"a":1,"b":"x","c":"long"}'),
        sql="SELECT a, b, length(b) AS n, c FROM t", conf={"spark.sql.legacy.charVarcharAsString": "true"}),
    ddl("ddl_string_collate_utf8_binary", "a INT, b STRING COLLATE UTF8_BINARY", sql="SELECT b, b = 'X' AS eq FROM t"),
    # --- UTF8_LCASE: comparisons, grouping and sorting by the lower-case form; the text is kept ---
    lc("collate_lcase_compare", "SELECT b, b = 'X' AS eq, b <> 'abc' AS ne, b < 'b' AS lt, b >= 'K' AS ge, b <=> 'İ' AS ns FROM t"),
    lc("collate_lcase_special_letters", "SELECT b, b = 'i̇' AS dotted, b = 'SS' AS ss, b = 'ǆ' AS dz, b = 'σ' AS sigma FROM t"),
    lc("collate_lcase_in_list", "SELECT b, b IN ('X', 'abc') AS i, b NOT IN ('k') AS n FROM t"),
    lc("collate_lcase_where", "SELECT b, n FROM t WHERE b = 'ABC'"),
    lc("collate_lcase_like", "SELECT b, b LIKE 'a%' AS l, b LIKE '_B%' AS l2, b ILIKE 'A%' AS il FROM t"),
    lc("collate_lcase_contains", "SELECT b, contains(b, 'B') AS c, startswith(b, 'a') AS s, endswith(b, 'C') AS e FROM t"),
    lc("collate_lcase_group_by", "SELECT b, count(*) AS k, sum(n) AS s FROM t GROUP BY b", unordered=True),
    lc("collate_lcase_group_by_having", "SELECT b, count(*) AS k FROM t GROUP BY b HAVING b = 'X' OR count(*) > 1", unordered=True),
    lc("collate_lcase_group_by_upper", "SELECT upper(b) AS u, count(*) AS k FROM t GROUP BY upper(b) ORDER BY u"),
    lc("collate_lcase_distinct", "SELECT DISTINCT b FROM t", unordered=True),
    lc("collate_lcase_count_distinct", "SELECT count(DISTINCT b) AS d, count(b) AS c FROM t"),
    lc("collate_lcase_min_max", "SELECT min(b) AS mn, max(b) AS mx FROM t"),
    lc("collate_lcase_order_by", "SELECT b, n FROM t ORDER BY b, n"),
    lc("collate_lcase_order_by_desc", "SELECT b, n FROM t ORDER BY b DESC, n"),
    lc("collate_lcase_window_partition", "SELECT b, n, row_number() OVER (PARTITION BY b ORDER BY n) AS r FROM t", unordered=True),
    lc("collate_lcase_join", "SELECT l.n AS ln, r.n AS rn FROM t l JOIN t r ON l.b = r.b ORDER BY 1, 2"),
    lc("collate_lcase_kept_by_functions", "SELECT b, upper(b) AS u, concat(b, '!') AS cc, substr(b, 1, 1) AS s1, "
       "coalesce(b, 'z') AS co, lower(b) AS l, trim(b) AS tr, CASE WHEN n > 2 THEN b ELSE 'q' END AS w FROM t"),
    lc("collate_lcase_through_functions", "SELECT b, upper(b) = 'x' AS ux, concat(b, '!') = 'ABC!' AS cx FROM t"),
    lc("collate_lcase_through_subquery", "SELECT u, u = 'ABC' AS e FROM (SELECT upper(b) AS u FROM t) s WHERE u IN ('abc', 'x')"),
    lc("collate_lcase_ignored", "SELECT b, length(b) AS l, b IS NULL AS nul, cast(b AS string) = 'X' AS bin FROM t"),
    lc("collate_lcase_mixed_with_binary_column", "SELECT b, c FROM t WHERE b = c", error_contains=["INDETERMINATE_COLLATION"]),
    lc("collate_lcase_mixed_concat", "SELECT concat(b, c) = 'xx' AS e FROM t", error_contains=["INDETERMINATE_COLLATION"]),
    lc("collate_lcase_replace", "SELECT b, replace(b, 'b', '-') AS r, replace(b, 'İ', '?') AS r2 FROM t"),
    lc("collate_lcase_rlike", "SELECT b, b RLIKE 'a' AS r, regexp_replace(b, 'B|x', '_') AS rr, regexp_extract(b, '(b)c', 1) AS re FROM t"),
    ddl("collate_lcase_lower_case_name", "b string collate utf8_lcase", input=LC_ROWS, sql="SELECT b, b = 'X' AS eq FROM t"),
    ddl("collate_lcase_with_comment", "b STRING COLLATE UTF8_LCASE NOT NULL COMMENT 'k'", input=lines('{"b":"x"}')),
    ddl("collate_lcase_in_array", "a ARRAY<STRING COLLATE UTF8_LCASE>", input=lines('{"a":["x"]}'), error_contains=["UTF8_LCASE"]),
    ddl("collate_lcase_in_struct", "s STRUCT<x: STRING COLLATE UTF8_LCASE>", input=lines('{"s":{"x":"a"}}'), error_contains=["UTF8_LCASE"]),
    ddl("collate_lcase_in_map", "m MAP<STRING COLLATE UTF8_LCASE, STRING COLLATE UTF8_LCASE>", input=lines('{"m":{"k":"V"}}')),
    sj("collate_lcase_struct_json_element",
       [fld("a", {"type": "array", "elementType": "string", "containsNull": True}, metadata={"__COLLATIONS": {"a.element": "spark.UTF8_LCASE"}})],
       input=lines('{"a":["x","Y"]}')),
    ddl("collate_unicode_ci", "b STRING COLLATE UNICODE_CI"),
    icu("collate_icu_compare", "SELECT b, b = 'X' AS eq, b <> 'E' AS ne, b < 'f' AS lt, b >= 'é' AS ge, b <=> 'I' AS ns FROM t"),
    icu("collate_icu_compare_unicode", "SELECT b, b = 'é' AS eq, b < 'E' AS lt, b = 'ss' AS ss FROM t", collation="UNICODE"),
    icu("collate_icu_compare_ai", "SELECT b, b = 'e' AS eq, b = 'E' AS upper_eq FROM t", collation="UNICODE_AI"),
    icu("collate_icu_compare_ci_ai", "SELECT b, b = 'e' AS eq, b = 'ss' AS ss, b = 'o' AS o FROM t", collation="UNICODE_CI_AI"),
    icu("collate_icu_german_ci_ai", "SELECT b, b = 'ss' AS ss, b = 'E' AS e FROM t", collation="de_CI_AI"),
    icu("collate_icu_turkish_ci", "SELECT b, b = 'I' AS dotless, b = 'i' AS dotted FROM t", collation="tr_CI"),
    icu("collate_icu_in_list", "SELECT b, b IN ('X', 'ABC') AS i, b NOT IN ('e') AS n FROM t"),
    icu("collate_icu_where", "SELECT b, n FROM t WHERE b = 'E' ORDER BY n"),
    icu("collate_icu_group_by", "SELECT b, count(*) AS k, sum(n) AS s FROM t GROUP BY b", unordered=True),
    icu("collate_icu_group_by_ci_ai", "SELECT b, count(*) AS k FROM t GROUP BY b", collation="UNICODE_CI_AI", unordered=True),
    icu("collate_icu_distinct", "SELECT DISTINCT b FROM t", unordered=True),
    icu("collate_icu_count_distinct", "SELECT count(DISTINCT b) AS d FROM t"),
    icu("collate_icu_min_max", "SELECT min(b) AS lo, max(b) AS hi FROM t", collation="UNICODE"),
    icu("collate_icu_order_by", "SELECT b, n FROM t ORDER BY b, n", collation="UNICODE"),
    icu("collate_icu_order_by_swedish", "SELECT b, n FROM t ORDER BY b DESC, n", collation="sv"),
    icu("collate_icu_window_partition", "SELECT b, n, row_number() OVER (PARTITION BY b ORDER BY n) AS r FROM t", unordered=True),
    icu("collate_icu_join", "SELECT l.n AS ln, r.n AS rn FROM t l JOIN t r ON l.b = r.b ORDER BY 1, 2"),
    icu("collate_icu_kept_by_functions", "SELECT b, upper(b) AS u, concat(b, '!') AS cc, substr(b, 1, 1) AS s1, coalesce(b, 'z') AS co FROM t"),
    icu("collate_icu_ignored", "SELECT b, length(b) AS l, b IS NULL AS nul, cast(b AS string) = 'X' AS bin FROM t"),
    icu("collate_icu_mixed_with_binary_column", "SELECT b, c FROM t WHERE b = c", error_contains=["INDETERMINATE_COLLATION"]),
    icu("collate_icu_like", "SELECT b LIKE 'x%' AS l FROM t", error_contains=["UNEXPECTED_INPUT_TYPE"]),
    icu("collate_icu_rlike", "SELECT b RLIKE 'x' AS l FROM t", error_contains=["UNEXPECTED_INPUT_TYPE"]),
    icu("collate_icu_regexp_replace", "SELECT regexp_replace(b, 'x', 'y') AS r FROM t", error_contains=["UNEXPECTED_INPUT_TYPE"]),
    ddl("collate_icu_names", "a STRING COLLATE unicode_ai_ci, b STRING COLLATE UNICODE_CS_AS, c STRING COLLATE de_ai, "
        "d STRING COLLATE SR_CYRL_SRB, e STRING COLLATE en_USA_CI", input=lines('{"a":"x","b":"y","c":"z","d":"w","e":"v"}')),
    ddl("collate_icu_invalid_region", "b STRING COLLATE en_US", error_contains=["COLLATION_INVALID_NAME", "en_USA"]),
    ddl("collate_icu_conflicting_specifiers", "b STRING COLLATE UNICODE_CI_CS", error_contains=["COLLATION_INVALID_NAME"]),
    ddl("collate_rtrim", "b STRING COLLATE UNICODE_RTRIM"),
    # --- the COLLATE clause and collate(): an explicit collation wins over a column's ---
    lc("collate_clause_on_plain_column", "SELECT c, c COLLATE UNICODE_CI = 'x' AS e, c COLLATE UTF8_LCASE IN ('ss') AS i FROM t"),
    lc("collate_clause_binary_on_lcase_column", "SELECT b, b COLLATE UTF8_BINARY = 'x' AS e FROM t"),
    lc("collate_clause_beats_column_collation", "SELECT b, c, c COLLATE UNICODE_CI = b AS e FROM t"),
    lc("collate_clause_through_functions", "SELECT c, upper(c COLLATE UNICODE_CI) AS u, upper(c COLLATE UNICODE_CI) = 'x' AS e, "
       "concat(c COLLATE UNICODE_CI, b) AS cc FROM t"),
    lc("collate_clause_group_by", "SELECT c COLLATE UNICODE_CI AS k, count(*) AS m FROM t GROUP BY c COLLATE UNICODE_CI", unordered=True),
    lc("collate_clause_order_by", "SELECT c, n FROM t ORDER BY c COLLATE UNICODE, n"),
    lc("collate_clause_distinct", "SELECT DISTINCT c COLLATE UTF8_LCASE AS k FROM t", unordered=True),
    lc("collate_clause_like", "SELECT c FROM t WHERE c COLLATE UTF8_LCASE LIKE 'x%'"),
    lc("collate_clause_subquery_column_is_implicit", "SELECT k, k = 'X' AS e FROM (SELECT c COLLATE UNICODE_CI AS k FROM t) s"),
    lc("collate_clause_subquery_mixed", "SELECT k = b AS e FROM (SELECT c COLLATE UNICODE_CI AS k, b FROM t) s",
       error_contains=["INDETERMINATE_COLLATION"]),
    lc("collate_clause_explicit_mismatch", "SELECT c COLLATE UNICODE_CI = c COLLATE UNICODE AS e FROM t",
       error_contains=["COLLATION_MISMATCH.EXPLICIT"]),
    lc("collate_clause_backquoted", "SELECT c COLLATE `unicode_ci` AS k FROM t"),
    lc("collate_clause_rtrim", "SELECT c COLLATE UNICODE_RTRIM AS k FROM t", error_contains=["TRIM_COLLATION"]),
    lc("collate_clause_invalid_name", "SELECT c COLLATE en_US AS k FROM t", error_contains=["COLLATION_INVALID_NAME", "en_USA"]),
    lc("collate_clause_on_int", "SELECT n COLLATE UNICODE AS k FROM t", error_contains=["UNEXPECTED_INPUT_TYPE"]),
    lc("collate_function", "SELECT collate(c, 'unicode_ci') AS k, collate(c, 'UNICODE_CI') = 'x' AS e FROM t"),
    rt("collate_rtrim_binary_compare", "SELECT b, n, b = 'a' AS eq, b < 'a ' AS lt, b = 'A' AS upper FROM t"),
    rt("collate_rtrim_binary_group_by", "SELECT b, count(*) AS k, min(n) AS m FROM t GROUP BY b", unordered=True),
    rt("collate_rtrim_binary_order_by", "SELECT b, n FROM t ORDER BY b, n"),
    rt("collate_rtrim_lcase_compare", "SELECT b, n, b = 'a' AS eq, b IN ('A') AS i FROM t", collation="utf8_lcase_rtrim"),
    rt("collate_rtrim_lcase_distinct", "SELECT DISTINCT b FROM t", collation="UTF8_LCASE_RTRIM", unordered=True),
    rt("collate_rtrim_lcase_like", "SELECT b LIKE 'a%' AS l FROM t", collation="UTF8_LCASE_RTRIM", error_contains=["UNEXPECTED_INPUT_TYPE"]),
    rt("collate_rtrim_unicode_ci", "SELECT b, count(*) AS k FROM t GROUP BY b", collation="UNICODE_RTRIM_CI", unordered=True),
    ddl("collate_icu_in_array", "a ARRAY<STRING COLLATE UNICODE_CI>", input=lines('{"a":["x"]}')),
    sj("collate_icu_struct_json", [fld("b", "string", metadata={"__COLLATIONS": {"b": "icu.UNICODE_CI"}}), fld("n", "integer")],
       input=ICU_ROWS, sql="SELECT b, b = 'X' AS eq FROM t"),
    sj("collate_icu_struct_json_type_name", [fld("b", "string collate de_CI_AI")], input=ICU_ROWS, sql="SELECT b, b = 'E' AS eq FROM t"),
    ddl("collate_unknown_name", "b STRING COLLATE NO_SUCH_COLLATION", error_contains=["NO_SUCH_COLLATION"]),
    ddl("collate_on_int", "a INT COLLATE UTF8_LCASE"),
    sj("collate_lcase_struct_json", [fld("b", "string", metadata={"__COLLATIONS": {"b": "spark.UTF8_LCASE"}}), fld("n", "integer")],
       input=LC_ROWS, sql="SELECT b, b = 'X' AS eq FROM t"),
    sj("collate_lcase_struct_json_type_name", [fld("b", "string collate UTF8_LCASE")], input=LC_ROWS, sql="SELECT b, b = 'X' AS eq FROM t"),
    ddl("ddl_error_default_clause", "a INT DEFAULT 1, b STRING"),
    ddl("ddl_error_generated_clause", "a INT GENERATED ALWAYS AS (1)"),
    ddl("ddl_error_timestamp_without_time_zone", "a TIMESTAMP WITHOUT TIME ZONE"),
    ddl("ddl_error_timestamp_with_time_zone", "a TIMESTAMP WITH TIME ZONE"),
    ddl("ddl_error_array_empty", "a ARRAY<>"),
    ddl("ddl_error_array_two_types", "a ARRAY<INT, STRING>"),
    ddl("ddl_error_map_one_type", "a MAP<STRING>"),
    ddl("ddl_error_unclosed_angle", "a ARRAY<INT"),
    ddl("ddl_error_extra_close_angle", "a ARRAY<INT>>"),
    ddl("ddl_error_duplicate_names", "a INT, a STRING"),
    ddl("ddl_error_duplicate_names_case", "a INT, A STRING"),
    ddl("ddl_error_struct_duplicate_fields", "s STRUCT<x: INT, x: STRING>", input=lines('{"s":{"x":1}}')),
    ddl("ddl_error_unclosed_backtick", "`a INT"),
    ddl("ddl_error_unclosed_comment", "a INT COMMENT 'x"),
    ddl("ddl_error_not_without_null", "a INT NOT, b STRING"),
    ddl("ddl_error_type_first", "INT a"),
    ddl("ddl_error_semicolon", "a INT; b STRING"),
    ddl("ddl_error_struct_missing_type", "s STRUCT<x>"),
    ddl("ddl_error_interval_bad_range", "i INTERVAL SECOND TO DAY"),
    # --- StructType JSON ---
    sj("json_basic", [fld("a", "integer"), fld("b", "string")]),
    sj("json_all_primitives", [fld("bo", "boolean"), fld("ti", "byte"), fld("sm", "short"), fld("i", "integer"), fld("bi", "long"),
                               fld("f", "float"), fld("d", "double"), fld("de", "decimal(5,2)"), fld("s", "string"), fld("bin", "binary"),
                               fld("da", "date"), fld("ts", "timestamp"), fld("ntz", "timestamp_ntz")], input=ALL),
    sj("json_spec_example", '{"type":"struct","fields":['
       '{"name":"time","type":"timestamp","nullable":true,"metadata":{}},'
       '{"name":"tags","type":{"type":"array","elementType":"string","containsNull":true},"nullable":true,"metadata":{}},'
       '{"name":"attrs","type":{"type":"map","keyType":"string","valueType":"long","valueContainsNull":true},"nullable":true,"metadata":{}},'
       '{"name":"geo","type":{"type":"struct","fields":[{"name":"lat","type":"double","nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}},'
       '{"name":"amount","type":"decimal(12,2)","nullable":true,"metadata":{"comment":"EUR"}}]}',
       input=lines('{"time":"2024-05-01T12:00:00Z","tags":["a","b"],"attrs":{"n":5},"geo":{"lat":1.5},"amount":3.14159}')),
    sj("json_missing_metadata", '{"type":"struct","fields":[{"name":"a","type":"integer","nullable":true}]}'),
    sj("json_missing_nullable", '{"type":"struct","fields":[{"name":"a","type":"integer","metadata":{}}]}'),
    sj("json_missing_nullable_and_metadata", '{"type":"struct","fields":[{"name":"a","type":"integer"}]}'),
    sj("json_keys_in_other_order", '{"fields":[{"metadata":{},"nullable":true,"type":"string","name":"b"}],"type":"struct"}'),
    sj("json_not_nullable", [fld("a", "integer", nullable=False)]),
    sj("json_bare_decimal", [fld("a", "decimal")], input=lines('{"a":12.5}')),
    sj("json_timestamp_ltz_name", [fld("a", "timestamp_ltz")], input=lines('{"a":"2024-05-01"}')),
    sj("json_array_contains_null_false", [fld("a", {"type": "array", "elementType": "integer", "containsNull": False})], input=lines('{"a":[1,null]}')),
    sj("json_nested_array_of_struct", [fld("a", {"type": "array", "elementType": {"type": "struct", "fields": [fld("x", "long")]}, "containsNull": True})],
       input=lines('{"a":[{"x":1},{"x":2}]}')),
    sj("json_map_of_arrays", [fld("m", {"type": "map", "keyType": "string", "valueType": {"type": "array", "elementType": "double", "containsNull": True}, "valueContainsNull": True})],
       input=lines('{"m":{"k":[1.5]}}')),
    sj("json_empty_struct_field", [fld("a", "integer"), fld("s", {"type": "struct", "fields": []})], input=lines('{"a":1,"s":{}}')),
    sj("json_whitespace_pretty", json.dumps({"type": "struct", "fields": [fld("a", "integer")]}, indent=2)),
    sj("json_comment_metadata", [fld("a", "integer", metadata={"comment": "id"}), fld("b", "string", metadata={"other": 5})]),
    sj("json_name_with_specials", [fld("my col", "integer"), fld("a`b", "string")], input=lines('{"my col":1,"a`b":"x"}')),
    sj("json_void", [fld("a", "integer"), fld("n", "void")], input=lines('{"a":1}')),
    sj("json_null_type_name", [fld("a", "integer"), fld("n", "null")], input=lines('{"a":1}')),
    sj("json_char_type", [fld("a", "integer"), fld("c", "char(3)")], input=lines('{"a":1,"c":"abcdef"}')),
    sj("json_varchar_type", [fld("a", "integer"), fld("c", "varchar(3)")], input=lines('{"a":1,"c":"abcdef"}')),
    sj("json_error_int_alias", [fld("a", "int")], error_contains=["int"]),
    sj("json_error_capitalized_type", [fld("a", "Integer")]),
    sj("json_error_unknown_type", [fld("a", "foo")], error_contains=["foo"]),
    sj("json_error_decimal_one_arg", [fld("a", "decimal(10)")]),
    sj("json_error_decimal_too_precise", [fld("a", "decimal(39,2)")]),
    sj("json_error_not_json", '{"type":"struct","fields":['),
    sj("json_error_missing_fields_key", '{"type":"struct"}'),
    sj("json_error_missing_name", '{"type":"struct","fields":[{"type":"integer","nullable":true,"metadata":{}}]}'),
    sj("json_error_missing_type", '{"type":"struct","fields":[{"name":"a","nullable":true,"metadata":{}}]}'),
    sj("json_error_top_level_not_struct", '{"type":"array","elementType":"integer","containsNull":true}'),
    sj("json_error_nullable_not_bool", '{"type":"struct","fields":[{"name":"a","type":"integer","nullable":"yes","metadata":{}}]}'),
    sj("json_error_array_missing_element_type", [fld("a", {"type": "array", "containsNull": True})]),
    sj("json_array_missing_contains_null", [fld("a", {"type": "array", "elementType": "integer"})], input=lines('{"a":[1]}')),
    sj("json_map_missing_value_contains_null", [fld("m", {"type": "map", "keyType": "string", "valueType": "integer"})], input=lines('{"m":{"k":1}}')),
    sj("json_error_duplicate_names", [fld("a", "integer"), fld("a", "string")]),
    sj("json_error_type_list", [fld("a", {"type": "list", "elementType": "integer"})]),
    sj("json_interval_type", [fld("a", "integer"), fld("i", "interval day to second")], input=lines('{"a":1}')),
    sj("json_varchar_legacy_as_string", [fld("a", "integer"), fld("b", "varchar(3)")], conf={"spark.sql.legacy.charVarcharAsString": "true"}),
    sj("json_empty_fields", '{"type":"struct","fields":[]}', sql="SELECT count(*) AS n FROM t"),
    # --- values of types beyond the basics ---
    sj("json_interval_year_to_month_values", [fld("i", "interval year to month"), fld("d", "interval day to second")],
       input=lines('{"i":"1-2","d":"1 00:00:00"}', '{"i":"INTERVAL \'-0-3\' YEAR TO MONTH","d":"-0 00:00:00.000001"}')),
    ddl("ddl_decimal_zero_precision_values", "a DECIMAL(0,0), " + "_corrupt_record STRING",
        input=lines('{"a":0}', '{"a":1}', '{"a":0.4}', '{"a":0.5}', '{"a":-0.49}', '{"a":"0"}', '{"a":"1"}', '{"a":-1}', '{"a":0e5}', '{"a":null}')),
    ddl("ddl_decimal_zero_precision_to_text", "a DECIMAL(0,0)", input=lines('{"a":0}', '{"a":0.2}', '{}'),
        sql="SELECT a, CAST(a AS STRING) AS s, to_json(named_struct('a', a)) AS j FROM t"),
    sj("json_decimal_zero_precision", [fld("a", "decimal(0,0)")], input=lines('{"a":0}', '{"a":7}')),
    ddl("ddl_variant_values", "v VARIANT, " + "_corrupt_record STRING",
        input=lines('{"v":{"b":1,"a":2}}', '{"v":{"b":{"d":1,"c":2},"a":[null,{"z":null,"y":[]}]}}', '{"v":1}', '{"v":-0}',
                    '{"v":1.50}', '{"v":100.0}', '{"v":1.0}', '{"v":0.0}', '{"v":-0.0}', '{"v":0.000001}', '{"v":1e3}', '{"v":1E+3}',
                    '{"v":-1.5e-7}', '{"v":12345678901234567890}', '{"v":123456789012345678901234567890123456789012}',
                    '{"v":3.14159265358979323846264338327950288419}', '{"v":1.0e400}', '{"v":NaN}', '{"v":2147483648}',
                    '{"v":"str"}', '{"v":"\\u00e9\\n\\"x\\u0001/"}', '{"v":true}', '{"v":false}', '{"v":null}', '{}', '{"v":[]}', '{"v":{}}',
                    '{"v":{"a":1,"a":2}}', '{"v":{"s":{"a":1,"a":2}}}', '{"v":\'single\'}', '{"v":[1,"x",1.5]}'),
        sql="SELECT to_json(v) AS j, CAST(v AS STRING) AS s, v IS NULL AS n, _corrupt_record AS c FROM t"),
    ddl("ddl_variant_select_star", "a INT, v VARIANT", input=lines('{"a":1,"v":{"k":[1,2.5,"x"],"b":true}}', '{"a":2,"v":null}', '{"a":3}')),
    sj("json_variant_type", [fld("a", "integer"), fld("v", "variant")], input=lines('{"a":1,"v":[{"y":1,"x":2}]}'),
       sql="SELECT a, to_json(v) AS j FROM t"),
    ddl("ddl_variant_nested", "s STRUCT<v: VARIANT, x: INT>, l ARRAY<VARIANT>, m MAP<STRING, VARIANT>",
        input=lines('{"s":{"v":{"q":1,"p":[true]},"x":1},"l":[1,"a",null,{"k":{}}],"m":{"k":{"b":2,"a":1}}}'),
        sql="SELECT to_json(s) AS s, to_json(l) AS l, to_json(m) AS m FROM t"),
    ddl("variant_parse_json", "j STRING",
        input=lines('{"j":"{\\"b\\":1,\\"a\\":[1.5,true,null]}"}', '{"j":"1e2"}', '{"j":"  \\"x\\"  "}', '{"j":"null"}', '{"j":null}'),
        sql="SELECT to_json(parse_json(j)) AS a, CAST(parse_json(j) AS STRING) AS b, parse_json(j) IS NULL AS n FROM t"),
    ddl("variant_parse_json_malformed", "j STRING", input=lines('{"j":"{\\"a\\":"}'), sql="SELECT parse_json(j) IS NULL AS n FROM t"),
    ddl("variant_try_parse_json", "j STRING", input=lines('{"j":"{\\"a\\":"}', '{"j":"[1]"}', '{"j":"{\\"a\\":1,\\"a\\":2}"}'),
        sql="SELECT to_json(try_parse_json(j)) AS a FROM t"),
    ddl("variant_get_typed", "v VARIANT",
        input=lines('{"v":{"a":{"b":[10,20]},"s":"12","f":1.5,"t":"x","o":{"k":1},"n":null}}'),
        sql="SELECT variant_get(v, '$.a.b[1]', 'int') AS i, variant_get(v, '$.s', 'int') AS si, variant_get(v, '$.f', 'double') AS d, "
            "variant_get(v, '$.o', 'string') AS os, variant_get(v, '$.t', 'string') AS ts, variant_get(v, '$.missing', 'int') AS m, "
            "variant_get(v, '$.a.b[5]', 'int') AS oob, variant_get(v, '$.n', 'string') AS n, try_variant_get(v, '$.t', 'int') AS tr, "
            "variant_get(v, '$.f', 'int') AS fi, variant_get(v, '$.a.b[0]', 'bigint') AS b, variant_get(v, '$.f', 'decimal(5,2)') AS de FROM t"),
    ddl("variant_get_untyped", "v VARIANT", input=lines('{"v":{"a":{"y":1,"x":[2]}}}'),
        sql="SELECT to_json(variant_get(v, '$.a')) AS a, to_json(variant_get(v, '$')) AS r, to_json(variant_get(v, '$.a.x[0]')) AS e FROM t"),
    ddl("variant_get_cast_error", "v VARIANT", input=lines('{"v":{"t":"x"}}'), sql="SELECT variant_get(v, '$.t', 'int') AS i FROM t"),
    ddl("variant_colon_path", "v VARIANT", input=lines('{"v":{"a":{"b":5}}}'), sql="SELECT v:a.b AS x FROM t"),
    ddl("variant_equality_refused", "v VARIANT", input=lines('{"v":1}'), sql="SELECT v = v AS e FROM t"),
    ddl("variant_cast_to_types", "v VARIANT", input=lines('{"v":1.5}', '{"v":"7"}', '{"v":true}'),
        sql="SELECT CAST(v AS DOUBLE) AS d, CAST(v AS STRING) AS s, try_cast(v AS INT) AS i FROM t"),
    ddl("variant_order_by_refused", "a INT, v VARIANT", input=lines('{"a":1,"v":2}', '{"a":2,"v":1}'), sql="SELECT a FROM t ORDER BY v"),
    ddl("variant_group_by_refused", "a INT, v VARIANT", input=lines('{"a":1,"v":2}'), sql="SELECT v, count(*) AS n FROM t GROUP BY v"),
    ddl("variant_cast_ansi_off", "v VARIANT", input=lines('{"v":"x"}', '{"v":"5"}'), sql="SELECT CAST(v AS INT) AS i FROM t",
        conf={"spark.sql.ansi.enabled": "false"}),
    ddl("variant_upper_implicit_cast", "v VARIANT", input=lines('{"v":"x"}'), sql="SELECT upper(v) AS u FROM t"),
    ddl("variant_string_functions", "v VARIANT",
        input=lines('{"v":{"b":1,"a":"x"}}', '{"v":"hello"}', '{"v":1.50}', '{"v":null}', '{"v":[true,null]}'),
        sql="SELECT concat(v, '!') AS c, length(v) AS n, substr(v, 1, 3) AS s, regexp_replace(v, 'l+', 'L') AS r FROM t"),
    ddl("variant_in_from_json", "j STRING", input=lines('{"j":"{\\"a\\":1,\\"v\\":{\\"y\\":[1,2.50],\\"x\\":null}}"}'),
        sql="SELECT to_json(from_json(j, 'a INT, v VARIANT')) AS r FROM t"),
]
