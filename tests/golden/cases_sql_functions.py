"""Spark SQL functions used by cleaning code (issue 5 part 4), over a JSON-read table `t` or literals."""
from caseutil import col, lit, tbl

TS = ["2024-05-01 12:34:56", "2024-05-01T12:34:56", "2024-05-01 12:34:56.789", "2024-05-01", "2024-05-01T12:34:56Z",
      "2024-05-01T12:34:56+02:00", None]
BAD_TS = ["2020:08:28 03:52:47", "not a date", ""]
PIN_TS = ["2020-08-28 03:52:47", "2020-08-28T03:52:47", "2019-12-31 23:59:59"]
ROWS_TS = [{"ts": "2024-05-01T12:34:56.123456Z"}, {"ts": "2023-12-31T23:59:59Z"}, {"ts": "2024-02-29T00:00:00Z"},
           {"ts": "1999-01-03T06:07:08Z"}, {"ts": None}]

# JSON documents for the JSON text functions: nesting, arrays, floats as Jackson rewrites them,
# escapes, single quotes, nulls, duplicates, malformed text, trailing text.
JSON_DOCS = ['{"a":1.50}', '{"a":1e2}', '{"a":{"b":1.50, "c" : [1, 2], "d": "x\\"y"}}', '{"a":"x\\ny"}',
             '{"a":[{"b":1},{"b":2}]}', '{"a":[{"b":1}]}', '{"a":[{"b":"x"},{"b":"y"}]}', '{"a":[]}', '{"a":null}',
             '{"a":true}', "{'a':'q'}", '{"a":1,"a":2}', '{"a":1', '{"a":NaN}', '{"a":1} junk', '[1,2]', 'x', None,
             '{"a":{"b":[1,{"c":2}]}}', '{"a":123456789012345678901234567890}', '{"a":[10,20,30]}']

JSON_TUPLE_DOCS = ['{"a":1,"b":{"c":[1,2.50]},"d":"x"}', 'bad', '{"a":null, "a.b": 3}', None, "{'a':'q','d':true}"]

# Timestamps for the UTC conversions, around daylight-saving changes.
TZ_INPUTS = ["2024-02-10 00:00:00", "2024-03-10 02:30:00", "2024-11-03 01:30:00", "2024-07-01", None, "bad"]

# Dates and timestamps for timestampadd/timestampdiff: month ends, leap days, times of day.
UNIT_ROWS = [{"d": d, "d2": d2, "ts": ts, "ts2": ts2, "n": n} for d, d2, ts, ts2, n in [
    ("2024-01-31", "2024-02-29", "2024-01-31T10:00:00Z", "2024-02-29T09:00:00Z", 1),
    ("2020-02-29", "2021-02-28", "2024-02-10T00:00:00Z", "2024-02-11T00:30:00Z", -1),
    ("2024-01-15", "2024-07-14", "2024-01-02T00:00:00Z", "2024-01-01T00:00:01Z", 25),
    ("2024-03-01", "2023-12-31", "2023-12-31T23:59:59Z", "2025-01-01T00:00:00Z", None)]]
UNIT_SCHEMA = "d DATE, d2 DATE, ts TIMESTAMP, ts2 TIMESTAMP, n INT"

# Rows for the aggregate forms: NULLs first and last in a group, ties, an all-NULL group. The
# files are read in order, so first/last are deterministic.
AGG_ROWS = [{"k": k, "g": g, "n": n, "d": d, "s": s} for k, g, n, d, s in [
    (1, "a", None, 1.5, "x"), (2, "a", 2, 2.5, "y"), (3, "a", 4, None, None), (4, "a", 1, 0.5, "w"),
    (5, "b", 7, 3.0, None), (6, "b", None, -1.0, "z"), (7, "c", None, None, None)]]
AGG_SCHEMA = "k INT, g STRING, n INT, d DOUBLE, s STRING"

# Rows for the analytics cases: groups, categories, counts and timestamps, with ties.
AN_ROWS = [{"g": g, "c": c, "n": n, "ts": ts} for g, c, n, ts in [
    ("uk", "art", 20, "2018-03-01T10:00:00Z"), ("uk", "art", 31, "2019-07-15T08:30:00Z"),
    ("uk", "diy", 31, "2020-01-02T00:00:00Z"), ("us", "art", 45, "2021-12-31T23:59:59Z"),
    ("us", "diy", 22, "2019-05-05T05:05:05Z"), ("us", "diy", 22, "2018-11-11T11:11:11Z"),
    ("us", "food", 60, "2020-06-30T12:00:00Z"), ("fr", "food", 19, None), ("fr", None, None, "2022-02-02T02:02:02Z")]]
AN_SCHEMA = "g STRING, c STRING, n INT, ts TIMESTAMP"

# A row for the unaliased-name cases.
NAME_ROWS = [{"c": "a", "n": 1, "d": 2.5, "ts": "2024-01-01T10:00:00Z", "s": "x,y"}]
NAME_SCHEMA = "c STRING, n INT, d DOUBLE, ts TIMESTAMP, s STRING"

CASES = [
    # --- to_timestamp ---
    col("to_timestamp_default_forms", "to_timestamp(s)", TS),
    col("to_timestamp_pinterest_forms", "to_timestamp(s)", PIN_TS),
    col("to_timestamp_bad_ansi_on", "to_timestamp(s)", ["2020:08:28 03:52:47"]),
    col("to_timestamp_bad_ansi_off", "to_timestamp(s)", BAD_TS + PIN_TS, ansi=False),
    col("to_timestamp_empty_ansi_on", "to_timestamp(s)", [""]),
    col("try_to_timestamp_bad", "try_to_timestamp(s)", BAD_TS + PIN_TS),
    col("to_timestamp_pattern_basic", "to_timestamp(s, 'yyyy-MM-dd HH:mm:ss')", ["2024-05-01 12:34:56", "2024-05-01", "2024-5-1 1:2:3"], ansi=False),
    col("to_timestamp_pattern_colons", "to_timestamp(s, 'yyyy:MM:dd HH:mm:ss')", ["2020:08:28 03:52:47", "2020-08-28 03:52:47"], ansi=False),
    col("to_timestamp_pattern_day_first", "to_timestamp(s, 'dd/MM/yyyy HH:mm')", ["01/05/2024 10:30", "1/5/2024 10:30", "31/02/2024 10:30"], ansi=False),
    col("to_timestamp_pattern_iso_offset", "to_timestamp(s, \"yyyy-MM-dd'T'HH:mm:ss.SSSXXX\")",
        ["2024-05-01T12:34:56.123+02:00", "2024-05-01T12:34:56.123Z", "2024-05-01T12:34:56Z"], ansi=False),
    col("to_timestamp_pattern_fraction", "to_timestamp(s, 'yyyy-MM-dd HH:mm:ss.SSS')",
        ["2024-05-01 12:34:56.1", "2024-05-01 12:34:56.12", "2024-05-01 12:34:56.123", "2024-05-01 12:34:56.1234", "2024-05-01 12:34:56"], ansi=False),
    col("to_timestamp_pattern_micros", "to_timestamp(s, 'yyyy-MM-dd HH:mm:ss.SSSSSS')", ["2024-05-01 12:34:56.123456", "2024-05-01 12:34:56.1"], ansi=False),
    col("to_timestamp_pattern_month_name", "to_timestamp(s, 'MMM d, yyyy')", ["May 1, 2024", "Dec 25, 2023", "may 1, 2024"], ansi=False),
    col("to_timestamp_pattern_full_month", "to_timestamp(s, 'MMMM d yyyy')", ["January 5 2024", "Jan 5 2024"], ansi=False),
    col("to_timestamp_pattern_compact", "to_timestamp(s, 'yyyyMMddHHmmss')", ["20240501123456", "2024050112345"], ansi=False),
    col("to_timestamp_pattern_am_pm", "to_timestamp(s, 'yyyy-MM-dd hh:mm a')", ["2024-05-01 01:30 PM", "2024-05-01 12:00 AM", "2024-05-01 13:30 PM"], ansi=False),
    col("to_timestamp_pattern_literal_text", "to_timestamp(s, \"'at' yyyy-MM-dd\")", ["at 2024-05-01", "on 2024-05-01"], ansi=False),
    col("to_timestamp_pattern_day_of_week_parse", "to_timestamp(s, 'EEE, dd MMM yyyy')", ["Wed, 01 May 2024"]),
    col("to_timestamp_pattern_zone_name", "to_timestamp(s, 'yyyy-MM-dd HH:mm z')", ["2024-05-01 12:00 UTC", "2024-05-01 12:00 PST"], ansi=False),
    col("to_timestamp_pattern_offset_x", "to_timestamp(s, 'yyyy-MM-dd HH:mm:ssx')", ["2024-05-01 12:00:00+02", "2024-05-01 12:00:00+0530"], ansi=False),
    col("to_timestamp_pattern_mismatch_ansi_on", "to_timestamp(s, 'yyyy-MM-dd')", ["05/01/2024"]),
    col("to_timestamp_pattern_trailing_text", "to_timestamp(s, 'yyyy-MM-dd')", ["2024-05-01 extra", "2024-05-01"]),
    col("to_timestamp_pattern_trailing_text_ansi_off", "to_timestamp(s, 'yyyy-MM-dd')", ["2024-05-01 extra", "2024-05-01"], ansi=False),
    col("to_timestamp_pattern_ok_ansi_on", "to_timestamp(s, 'dd/MM/yyyy HH:mm')", ["01/05/2024 10:30", None]),
    col("try_to_timestamp_pattern", "try_to_timestamp(s, 'dd/MM/yyyy')", ["01/05/2024", "2024-05-01"]),
    col("to_date_pattern_mismatch_ansi_on", "to_date(s, 'MM/dd/yyyy')", ["2024-05-01"]),
    col("unix_timestamp_mismatch_ansi_on", "unix_timestamp(s, 'dd/MM/yyyy')", ["2024-05-01"]),
    col("to_timestamp_pattern_invalid_letter", "to_timestamp(s, 'yyyy-MM-dd bb')", ["2024-05-01 xx"]),
    col("to_timestamp_pattern_week_based_year", "to_timestamp(s, 'YYYY-MM-dd')", ["2024-05-01"]),
    col("to_timestamp_from_date_column", "to_timestamp(s)", ["2024-05-01"], typ="DATE"),
    col("to_timestamp_session_zone", "CAST(to_timestamp(s) AS STRING)", ["2024-05-01 12:00:00", "2024-05-01T12:00:00Z"],
        conf={"spark.sql.session.timeZone": "America/New_York"}),
    # --- to_date ---
    col("to_date_default_forms", "to_date(s)", ["2024-05-01", "2024-5-1", "2024-05-01 23:59:59", "2024-05-01T10:00:00Z", "2024", "2024-05", None]),
    col("to_date_bad_ansi_on", "to_date(s)", ["05/01/2024"]),
    col("to_date_bad_ansi_off", "to_date(s)", ["05/01/2024", "2024-02-30", "", "2024-05-01"], ansi=False),
    col("to_date_pattern", "to_date(s, 'MM/dd/yyyy')", ["05/01/2024", "5/1/2024", "13/01/2024"], ansi=False),
    col("to_date_pattern_dots", "to_date(s, 'dd.MM.yy')", ["01.05.24", "01.05.1999"], ansi=False),
    col("to_date_pattern_day_of_year", "to_date(s, 'yyyy-DDD')", ["2024-032", "2024-366"], ansi=False),
    col("to_date_from_timestamp", "to_date(s)", ["2024-05-01T23:30:00Z"], typ="TIMESTAMP"),
    col("to_date_session_zone", "to_date(s)", ["2024-05-01T23:30:00Z"], typ="TIMESTAMP", conf={"spark.sql.session.timeZone": "Asia/Tokyo"}),
    # --- date_format ---
    col("date_format_basic", "date_format(s, 'yyyy-MM-dd HH:mm:ss')", ["2024-05-01T12:34:56.123456Z", None], typ="TIMESTAMP"),
    col("date_format_names", "date_format(s, 'EEEE EEE MMMM MMM')", ["2024-05-01T12:34:56Z", "2023-12-31T00:00:00Z"], typ="TIMESTAMP"),
    col("date_format_fraction", "date_format(s, 'HH:mm:ss.SSS SSSSSS')", ["2024-05-01T12:34:56.123456Z"], typ="TIMESTAMP"),
    col("date_format_am_pm", "date_format(s, 'hh:mm a h K k')", ["2024-05-01T00:34:56Z", "2024-05-01T13:34:56Z"], typ="TIMESTAMP"),
    col("date_format_iso_offset", "date_format(s, \"yyyy-MM-dd'T'HH:mm:ssXXX\")", ["2024-05-01T12:34:56Z"], typ="TIMESTAMP"),
    col("date_format_offset_other_zone", "date_format(s, \"yyyy-MM-dd HH:mm:ss XXX Z z\")", ["2024-05-01T12:34:56Z", "2024-01-01T12:00:00Z"], typ="TIMESTAMP",
        conf={"spark.sql.session.timeZone": "Europe/Paris"}),
    col("date_format_day_of_year_quarter", "date_format(s, 'D Q QQQ')", ["2024-05-01T12:34:56Z", "2024-12-31T12:00:00Z"], typ="TIMESTAMP"),
    col("date_format_literal_quotes", "date_format(s, \"'Day' d 'of' MMMM, ''yy''\")", ["2024-05-01T12:34:56Z"], typ="TIMESTAMP"),
    col("date_format_of_date", "date_format(s, 'dd/MM/yyyy')", ["2024-05-01"], typ="DATE"),
    col("date_format_of_string", "date_format(s, 'yyyy/MM/dd')", ["2024-05-01 10:00:00", "garbage"], ansi=False),
    col("date_format_week_based_rejected", "date_format(s, 'YYYY ww')", ["2024-05-01T12:00:00Z"], typ="TIMESTAMP"),
    col("date_format_padding", "date_format(s, 'y yy yyy yyyy M MM d dd H HH m mm s ss')", ["2024-01-02T03:04:05Z", "0999-01-02T03:04:05Z"], typ="TIMESTAMP"),
    col("date_format_era", "date_format(s, 'G yyyy')", ["2024-05-01T12:00:00Z"], typ="TIMESTAMP"),
    col("date_format_week_based_letters_rejected", "date_format(s, 'u e')", ["2024-05-01T12:00:00Z"], typ="TIMESTAMP"),
    # --- unix_timestamp / from_unixtime ---
    col("unix_timestamp_default_pattern", "unix_timestamp(s)", ["2024-05-01 12:34:56", "2024-05-01", "garbage", None], ansi=False),
    col("unix_timestamp_default_pattern_ansi_on", "unix_timestamp(s)", ["2024-05-01"]),
    col("unix_timestamp_pattern", "unix_timestamp(s, 'dd/MM/yyyy')", ["01/05/2024", "1/5/2024", "garbage"], ansi=False),
    col("unix_timestamp_of_timestamp", "unix_timestamp(s)", ["2024-05-01T12:34:56.999Z", "1969-12-31T23:59:59.5Z"], typ="TIMESTAMP"),
    col("unix_timestamp_of_date", "unix_timestamp(s)", ["2024-05-01"], typ="DATE"),
    col("unix_timestamp_session_zone", "unix_timestamp(s)", ["2024-05-01 12:00:00"], conf={"spark.sql.session.timeZone": "Asia/Kolkata"}),
    col("from_unixtime_default", "from_unixtime(s)", [0, 1714566896, -1, None], typ="BIGINT"),
    col("from_unixtime_pattern", "from_unixtime(s, 'yyyy-MM-dd')", [1714566896, 86399], typ="BIGINT"),
    col("from_unixtime_pattern_names", "from_unixtime(s, 'EEE, d MMM yyyy HH:mm')", [1714566896], typ="BIGINT"),
    col("from_unixtime_session_zone", "from_unixtime(s)", [1714566896], typ="BIGINT", conf={"spark.sql.session.timeZone": "America/Los_Angeles"}),
    col("from_unixtime_int_column", "from_unixtime(s)", [86400], typ="INT"),
    col("to_unix_timestamp_roundtrip", "from_unixtime(unix_timestamp(s))", ["2024-05-01 12:34:56"]),
    # --- date_trunc ---
    col("date_trunc_units", "array(date_trunc('YEAR', s), date_trunc('QUARTER', s), date_trunc('MONTH', s), date_trunc('WEEK', s), "
        "date_trunc('DAY', s), date_trunc('HOUR', s), date_trunc('MINUTE', s), date_trunc('SECOND', s))",
        ["2024-05-15T12:34:56.789Z", "2024-01-01T00:00:00Z"], typ="TIMESTAMP"),
    col("date_trunc_lower_and_aliases", "array(date_trunc('yyyy', s), date_trunc('mm', s), date_trunc('dd', s), date_trunc('mon', s))",
        ["2024-05-15T12:34:56Z"], typ="TIMESTAMP"),
    col("date_trunc_ms_us", "array(date_trunc('MILLISECOND', s), date_trunc('MICROSECOND', s))", ["2024-05-15T12:34:56.123456Z"], typ="TIMESTAMP"),
    col("date_trunc_bad_unit", "date_trunc('fortnight', s)", ["2024-05-15T12:34:56Z"], typ="TIMESTAMP"),
    col("date_trunc_of_string", "date_trunc('HOUR', s)", ["2024-05-15 12:34:56"]),
    col("date_trunc_session_zone", "CAST(date_trunc('DAY', s) AS STRING)", ["2024-05-15T02:00:00Z"], typ="TIMESTAMP",
        conf={"spark.sql.session.timeZone": "America/New_York"}),
    col("trunc_date", "array(trunc(s, 'YEAR'), trunc(s, 'MM'), trunc(s, 'WEEK'), trunc(s, 'QUARTER'))", ["2024-05-15"], typ="DATE"),
    # --- year / month / dayofweek ... ---
    tbl("date_parts_of_timestamp", "SELECT year(ts) AS y, month(ts) AS m, dayofmonth(ts) AS d, dayofweek(ts) AS dow, hour(ts) AS h, "
        "minute(ts) AS mi, second(ts) AS s, quarter(ts) AS q, dayofyear(ts) AS doy, weekofyear(ts) AS w FROM t", ROWS_TS, "ts TIMESTAMP"),
    tbl("date_parts_of_date", "SELECT year(d) AS y, month(d) AS m, day(d) AS d2, dayofweek(d) AS dow, weekday(d) AS wd, dayofyear(d) AS doy FROM t",
        [{"d": "2024-05-01"}, {"d": "2024-12-29"}, {"d": "2021-01-03"}], "d DATE"),
    col("year_of_string", "year(s)", ["2024-05-01", "2024-05-01 10:00:00", "garbage"], ansi=False),
    col("year_of_string_bad_ansi", "year(s)", ["garbage"]),
    col("dayofweek_sunday_is_one", "dayofweek(s)", ["2024-05-05", "2024-05-06", "2024-05-11"], typ="DATE"),
    col("weekofyear_iso", "weekofyear(s)", ["2021-01-01", "2021-01-04", "2024-12-30", "2020-12-31"], typ="DATE"),
    col("hour_session_zone", "hour(s)", ["2024-05-01T12:00:00Z"], typ="TIMESTAMP", conf={"spark.sql.session.timeZone": "Asia/Kolkata"}),
    col("extract_year", "EXTRACT(YEAR FROM s)", ["2024-05-01T12:00:00Z"], typ="TIMESTAMP"),
    col("date_part_year", "date_part('year', s)", ["2024-05-01T12:00:00Z"], typ="TIMESTAMP"),
    col("second_with_fraction", "second(s)", ["2024-05-01T12:00:07.9Z"], typ="TIMESTAMP"),
    col("last_day_and_add_months", "array(last_day(s), add_months(s, 1), date_add(s, 30), date_sub(s, 1))", ["2024-01-31"], typ="DATE"),
    col("datediff_and_months_between", "datediff(s, DATE'2024-01-01')", ["2024-05-01", "2023-12-31"], typ="DATE"),
    # --- regexp_replace ---
    col("regexp_replace_all_matches", "regexp_replace(s, 'k', '000')", ["26k", "5k and 6k", "none", None]),
    col("regexp_replace_anchored", "regexp_replace(s, '^Local save in ', '')", ["Local save in /data/post", "/tmp/Local save in x"]),
    col("regexp_replace_groups", "regexp_replace(s, '(\\\\d+)-(\\\\d+)', '$2-$1')", ["10-20 and 3-4", "x"]),
    col("regexp_replace_char_class", "regexp_replace(s, '[^a-zA-Z0-9 ]', '')", ["Hello, World! 123", "ünïcödé"]),
    col("regexp_replace_whitespace", "regexp_replace(s, '\\\\s+', ' ')", ["a  b\t\tc\n d"]),
    col("regexp_replace_empty_match", "regexp_replace(s, 'x*', '-')", ["abc", ""]),
    col("regexp_replace_dollar_literal", "regexp_replace(s, 'a', '\\\\$')", ["banana"]),
    col("regexp_replace_case_insensitive_flag", "regexp_replace(s, '(?i)hello', 'bye')", ["Hello HELLO hello"]),
    col("regexp_replace_dot_newline", "regexp_replace(s, 'a.b', 'X')", ["a\nb a-b"]),
    col("regexp_replace_unicode", "regexp_replace(s, 'é', 'e')", ["café crème"]),
    col("regexp_replace_position", "regexp_replace(s, 'a', 'X', 3)", ["banana"]),
    col("regexp_replace_lookahead", "regexp_replace(s, 'a(?=n)', 'X')", ["banana"]),
    col("regexp_replace_backreference", "regexp_replace(s, '(a)\\\\1', 'X')", ["aab"]),
    col("regexp_replace_invalid_regex", "regexp_replace(s, '(', 'X')", ["a"]),
    col("regexp_replace_possessive", "regexp_replace(s, 'a++', 'X')", ["aaab"]),
    col("regexp_replace_java_classes", "regexp_replace(s, '\\\\p{Punct}', '')", ["a,b.c!"]),
    col("regexp_replace_null_pattern", "regexp_replace(s, NULL, 'x')", ["abc"]),
    # --- regexp_extract ---
    col("regexp_extract_group1", "regexp_extract(s, '(\\\\d+)([kM]?)', 1)", ["26k", "6M", "437", "none", None]),
    col("regexp_extract_group2", "regexp_extract(s, '(\\\\d+)([kM]?)', 2)", ["26k", "437"]),
    col("regexp_extract_group0", "regexp_extract(s, '[a-z]+', 0)", ["123abc456def"]),
    col("regexp_extract_default_group", "regexp_extract(s, '(\\\\w+)@(\\\\w+)')", ["me@example.com"]),
    col("regexp_extract_group_out_of_range", "regexp_extract(s, '(a)', 2)", ["abc"]),
    col("regexp_extract_optional_group_unmatched", "regexp_extract(s, '(a)(x)?', 2)", ["abc"]),
    col("regexp_extract_all", "regexp_extract_all(s, '(\\\\d+)', 1)", ["a1b22c333", "none"]),
    col("regexp_like_function", "regexp_like(s, '^[0-9]+$')", ["123", "12a"]),
    # --- rlike ---
    col("rlike_partial_match", "s RLIKE '[0-9]+k'", ["26k", "abc26kdef", "26", None]),
    col("rlike_anchored", "s RLIKE '^[0-9]{1,}[kM]?$'", ["437", "26k", "6M", "6MB", "", "k"]),
    col("rlike_not", "s NOT RLIKE '^User'", ["User Info Error", "alice"]),
    col("rlike_case", "s RLIKE '(?i)^error'", ["ERROR: x", "no error"]),
    col("rlike_uuid_length", "s RLIKE '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'",
        ["7b1e3e2a-1a2b-4c3d-8e9f-0a1b2c3d4e5f", "not-a-uuid"]),
    col("rlike_dot_matches_not_newline", "s RLIKE '^a.b$'", ["a\nb", "axb"]),
    col("rlike_function_form", "rlike(s, 'b+')", ["abbc", "ac"]),
    col("rlike_empty_pattern", "s RLIKE ''", ["abc", ""]),
    # --- split ---
    col("split_comma", "split(s, ',')", ["a,b,c", "a,,b", "a,b,", ",a", "", None]),
    col("split_regex", "split(s, '[,;]\\\\s*')", ["a, b;c;  d"]),
    col("split_limit", "split(s, ',', 2)", ["a,b,c", "a"]),
    col("split_limit_negative", "split(s, ',', -1)", ["a,b,,"]),
    col("split_limit_zero", "split(s, ',', 0)", ["a,b,,"]),
    col("split_dot_is_regex", "split(s, '.')", ["a.b"]),
    col("split_escaped_dot", "split(s, '\\\\.')", ["a.b.c"]),
    col("split_pipe", "split(s, '\\\\|')", ["a|b|c"]),
    col("split_empty_pattern", "split(s, '')", ["abc"]),
    col("split_pinterest_tags", "size(split(s, ','))", ["N,o, ,T,a,g,s", "tag1,tag2"]),
    col("split_then_element", "split(s, ' ')[1]", ["first second third"]),
    # --- concat / concat_ws ---
    tbl("concat_null_is_null", "SELECT concat(a, b) AS c, concat(a, ' ', b) AS d FROM t",
        [{"a": "x", "b": "y"}, {"a": "x", "b": None}, {"a": None, "b": None}], "a STRING, b STRING"),
    tbl("concat_ws_skips_nulls", "SELECT concat_ws(' ', a, b) AS c, concat_ws('-', a, b, a) AS d FROM t",
        [{"a": "x", "b": "y"}, {"a": "x", "b": None}, {"a": None, "b": None}, {"a": "", "b": ""}], "a STRING, b STRING"),
    lit("concat_ws_null_separator", "SELECT concat_ws(NULL, 'a', 'b') AS r"),
    lit("concat_ws_arrays", "SELECT concat_ws(',', array('a', 'b'), 'c', array(NULL, 'd')) AS r"),
    lit("concat_ws_no_values", "SELECT concat_ws(',') AS r"),
    tbl("concat_numbers", "SELECT concat(a, '-', n) AS c FROM t", [{"a": "x", "n": 5}], "a STRING, n INT"),
    tbl("concat_pipe_operator", "SELECT a || b AS c FROM t", [{"a": "x", "b": "y"}, {"a": "x", "b": None}], "a STRING, b STRING"),
    lit("concat_arrays", "SELECT concat(array(1, 2), array(3)) AS r"),
    # --- coalesce / nvl / nullif / CASE ---
    tbl("coalesce_and_nvl", "SELECT coalesce(a, b, 'z') AS c, nvl(a, b) AS n, ifnull(a, 'q') AS i, nvl2(a, 'has', 'none') AS n2 FROM t",
        [{"a": "x", "b": "y"}, {"a": None, "b": "y"}, {"a": None, "b": None}], "a STRING, b STRING"),
    tbl("coalesce_mixed_types", "SELECT coalesce(i, d) AS c FROM t", [{"i": 1, "d": 2.5}, {"i": None, "d": 2.5}], "i INT, d DOUBLE"),
    tbl("nullif_empty", "SELECT nullif(a, '') AS r FROM t", [{"a": ""}, {"a": "x"}, {"a": None}], "a STRING"),
    tbl("case_when_placeholders", "SELECT CASE WHEN title IN ('No Title Data Available', '') THEN NULL ELSE title END AS r FROM t",
        [{"title": "No Title Data Available"}, {"title": ""}, {"title": "Nice"}, {"title": None}], "title STRING"),
    tbl("case_when_no_else", "SELECT CASE WHEN n > 1 THEN 'big' END AS r FROM t", [{"n": 2}, {"n": 0}, {"n": None}], "n INT"),
    tbl("case_simple_form", "SELECT CASE n WHEN 1 THEN 'one' WHEN 2 THEN 'two' ELSE 'many' END AS r FROM t", [{"n": 1}, {"n": 2}, {"n": 3}, {"n": None}], "n INT"),
    tbl("case_mixed_numeric_branches", "SELECT CASE WHEN n > 1 THEN n ELSE 0.5 END AS r FROM t", [{"n": 2}, {"n": 0}], "n INT"),
    tbl("case_int_and_bigint_branches", "SELECT CASE WHEN n > 1 THEN n ELSE b END AS r FROM t", [{"n": 2, "b": 5}, {"n": 0, "b": 5}], "n INT, b BIGINT"),
    tbl("case_follower_count", "SELECT CASE WHEN f RLIKE '^[0-9]+k$' THEN CAST(regexp_replace(f, 'k', '000') AS INT) "
        "WHEN f RLIKE '^[0-9]+M$' THEN CAST(regexp_replace(f, 'M', '000000') AS INT) WHEN f RLIKE '^[0-9]+$' THEN CAST(f AS INT) "
        "ELSE CAST(-1 AS INT) END AS r FROM t", [{"f": "26k"}, {"f": "6M"}, {"f": "437"}, {"f": "User Info Error"}, {"f": None}], "f STRING"),
    tbl("if_function", "SELECT if(n > 1, 'y', 'n') AS r FROM t", [{"n": 2}, {"n": 0}, {"n": None}], "n INT"),
    tbl("in_list_with_null", "SELECT a IN ('x', NULL) AS r FROM t", [{"a": "x"}, {"a": "y"}, {"a": None}], "a STRING"),
    # --- array / size / element_at / explode ---
    tbl("array_of_columns", "SELECT array(lat, lon) AS r FROM t", [{"lat": 1.5, "lon": -2.25}, {"lat": None, "lon": 3.0}], "lat DOUBLE, lon DOUBLE"),
    lit("array_mixed_types", "SELECT array(1, 2.5, NULL) AS r"),
    lit("array_empty", "SELECT array() AS r, size(array()) AS n"),
    tbl("size_of_arrays", "SELECT size(a) AS n FROM t", [{"a": [1, 2]}, {"a": []}, {"a": None}], "a ARRAY<INT>"),
    tbl("size_of_null_ansi_off", "SELECT size(a) AS n FROM t", [{"a": [1, 2]}, {"a": None}], "a ARRAY<INT>", ansi=False),
    tbl("size_of_map", "SELECT size(m) AS n FROM t", [{"m": {"a": 1, "b": 2}}, {"m": None}], "m MAP<STRING, INT>"),
    tbl("cardinality_alias", "SELECT cardinality(a) AS n FROM t", [{"a": [1, 2, 3]}], "a ARRAY<INT>"),
    tbl("element_at_array", "SELECT element_at(a, 1) AS first, element_at(a, -1) AS last FROM t", [{"a": [10, 20, 30]}, {"a": None}], "a ARRAY<INT>"),
    tbl("element_at_out_of_range_ansi_on", "SELECT element_at(a, 5) AS r FROM t", [{"a": [10, 20]}], "a ARRAY<INT>"),
    tbl("element_at_out_of_range_ansi_off", "SELECT element_at(a, 5) AS r FROM t", [{"a": [10, 20]}], "a ARRAY<INT>", ansi=False),
    tbl("element_at_zero_index", "SELECT element_at(a, 0) AS r FROM t", [{"a": [10, 20]}], "a ARRAY<INT>"),
    tbl("try_element_at", "SELECT try_element_at(a, 5) AS r, try_element_at(a, 2) AS s FROM t", [{"a": [10, 20]}], "a ARRAY<INT>"),
    tbl("element_at_map", "SELECT element_at(m, 'a') AS r, element_at(m, 'zz') AS s FROM t", [{"m": {"a": 1}}], "m MAP<STRING, INT>"),
    tbl("subscript_zero_based", "SELECT a[0] AS first, a[1] AS second FROM t", [{"a": [10, 20]}], "a ARRAY<INT>"),
    tbl("subscript_out_of_range_ansi_on", "SELECT a[5] AS r FROM t", [{"a": [10, 20]}], "a ARRAY<INT>"),
    tbl("subscript_out_of_range_ansi_off", "SELECT a[5] AS r FROM t", [{"a": [10, 20]}], "a ARRAY<INT>", ansi=False),
    tbl("map_subscript", "SELECT m['a'] AS r, m['zz'] AS s FROM t", [{"m": {"a": 1}}], "m MAP<STRING, INT>"),
    tbl("struct_field_access", "SELECT s.x AS x, s.y AS y FROM t", [{"s": {"x": 1, "y": "a"}}, {"s": None}], "s STRUCT<x: INT, y: STRING>"),
    tbl("explode_in_select", "SELECT id, explode(a) AS v FROM t", [{"id": 1, "a": [10, 20]}, {"id": 2, "a": []}, {"id": 3, "a": None}, {"id": 4, "a": [None]}],
        "id INT, a ARRAY<INT>"),
    tbl("explode_unaliased", "SELECT explode(a) FROM t", [{"a": [1, 2]}], "a ARRAY<INT>"),
    tbl("explode_outer", "SELECT id, explode_outer(a) AS v FROM t", [{"id": 1, "a": [10]}, {"id": 2, "a": []}, {"id": 3, "a": None}], "id INT, a ARRAY<INT>"),
    tbl("posexplode", "SELECT id, posexplode(a) FROM t", [{"id": 1, "a": ["x", "y"]}], "id INT, a ARRAY<STRING>"),
    tbl("explode_split", "SELECT explode(split(tags, ',')) AS tag FROM t", [{"tags": "a,b"}, {"tags": "c"}], "tags STRING"),
    tbl("posexplode_outer_map", "SELECT id, posexplode_outer(m) FROM t", [{"id": 1, "m": {"a": 1, "b": 2}}, {"id": 2, "m": {}}, {"id": 3, "m": None}],
        "id INT, m MAP<STRING, INT>"),
    tbl("explode_outer_map_aliased_in_subquery", "SELECT id, key, value FROM (SELECT id, explode_outer(m) FROM t) WHERE id > 0 ORDER BY id, key",
        [{"id": 1, "m": {"b": 2, "a": 1}}, {"id": 2, "m": None}], "id INT, m MAP<STRING, INT>"),
    tbl("explode_in_subquery_with_filter", "SELECT tag, count(*) AS n FROM (SELECT explode(tags) AS tag FROM t) WHERE tag <> 'b' GROUP BY tag ORDER BY tag",
        [{"tags": ["a", "b"]}, {"tags": ["a", "c"]}, {"tags": None}], "tags ARRAY<STRING>"),
    tbl("explode_from_json_array", "SELECT id, explode(from_json(j, 'items ARRAY<STRUCT<sku: STRING, qty: INT>>').items) AS item FROM t",
        [{"id": 1, "j": '{"items":[{"sku":"x","qty":2},{"sku":"y","qty":1}]}'}, {"id": 2, "j": '{"items":[]}'}], "id INT, j STRING"),
    tbl("explode_map", "SELECT explode(m) FROM t", [{"m": {"a": 1, "b": 2}}], "m MAP<STRING, INT>"),
    tbl("array_contains_and_sort", "SELECT array_contains(a, 2) AS c, sort_array(a) AS s, array_distinct(a) AS d FROM t",
        [{"a": [3, 2, 2, 1]}, {"a": [5]}], "a ARRAY<INT>"),
    tbl("array_join", "SELECT array_join(a, '|') AS j, array_join(a, '|', 'N') AS k FROM t", [{"a": ["x", None, "y"]}], "a ARRAY<STRING>"),
    tbl("element_at_negative_out_of_range", "SELECT element_at(a, -5) AS r FROM t", [{"a": [10, 20]}], "a ARRAY<INT>", ansi=False),
    tbl("element_at_null_index", "SELECT element_at(a, CAST(NULL AS INT)) AS r FROM t", [{"a": [10, 20]}], "a ARRAY<INT>"),
    tbl("subscript_negative_ansi_off", "SELECT a[-1] AS r FROM t", [{"a": [10, 20]}], "a ARRAY<INT>", ansi=False),
    tbl("subscript_of_struct_array", "SELECT a[1].x AS r FROM t", [{"a": [{"x": 1}, {"x": 2}]}], "a ARRAY<STRUCT<x: INT>>"),
    tbl("size_of_split_empty", "SELECT size(split(s, ',')) AS n FROM t", [{"s": ""}, {"s": None}], "s STRING", ansi=False),
    tbl("typeof_columns", "SELECT typeof(i) AS a, typeof(d) AS b, typeof(s) AS c, typeof(l) AS d2, typeof(ts) AS e, typeof(de) AS f FROM t",
        [{"i": 1, "d": 1.5, "s": "x", "l": [1], "ts": "2024-05-01T00:00:00Z", "de": 1.5}], "i INT, d DOUBLE, s STRING, l ARRAY<BIGINT>, ts TIMESTAMP, de DECIMAL(5,2)"),
    tbl("concat_with_numbers_and_dates", "SELECT concat(s, '|', d, '|', x, '|', b, '|', dt) AS r FROM t",
        [{"s": "a", "d": 1e7, "x": 2.50, "b": True, "dt": "2024-05-01"}], "s STRING, d DOUBLE, x DECIMAL(4,2), b BOOLEAN, dt DATE"),
    tbl("date_trunc_week_monday", "SELECT date_trunc('week', ts) AS r FROM t", [{"ts": "2024-05-05T10:00:00Z"}, {"ts": "2024-05-06T10:00:00Z"}], "ts TIMESTAMP"),
    tbl("date_trunc_null_unit", "SELECT date_trunc(NULL, ts) AS r FROM t", [{"ts": "2024-05-05T10:00:00Z"}], "ts TIMESTAMP"),
    tbl("bround_negative_scale", "SELECT bround(v, -1) AS r FROM t", [{"v": 25.0}, {"v": 35.0}, {"v": 2.5}], "v DOUBLE"),
    tbl("locate_edge_cases", "SELECT locate('', s) AS a, locate('a', s, 0) AS b, locate('a', s, 10) AS c FROM t", [{"s": "banana"}], "s STRING"),
    tbl("regexp_extract_all_group0", "SELECT regexp_extract_all(s, '[0-9]+', 0) AS r FROM t", [{"s": "a1b22c333"}], "s STRING"),
    tbl("cast_in_where", "SELECT s FROM t WHERE CAST(s AS INT) > 5 ORDER BY s", [{"s": "10"}, {"s": "3"}, {"s": " 7 "}], "s STRING"),
    tbl("coalesce_cast_mix", "SELECT coalesce(CAST(s AS INT), -1) AS r FROM t", [{"s": "5"}, {"s": "x"}, {"s": None}], "s STRING", ansi=False),
    tbl("order_by_desc_nulls_last", "SELECT a FROM t ORDER BY a DESC", [{"a": 1}, {"a": None}, {"a": 3}], "a INT"),
    tbl("window_row_number_nulls", "SELECT a, row_number() OVER (ORDER BY a) AS rn FROM t ORDER BY rn", [{"a": 2}, {"a": None}, {"a": 1}], "a INT"),
    # --- percentile_approx ---
    tbl("percentile_approx_median", "SELECT percentile_approx(v, 0.5) AS p FROM t", [{"v": v} for v in [5, 1, 9, 3, 7, 2]], "v INT"),
    tbl("percentile_approx_array", "SELECT percentile_approx(v, array(0.1, 0.5, 0.9)) AS p FROM t", [{"v": v} for v in range(1, 101)], "v BIGINT"),
    tbl("percentile_approx_grouped", "SELECT g, percentile_approx(v, 0.5) AS p FROM t GROUP BY g ORDER BY g",
        [{"g": g, "v": v} for g in ("a", "b") for v in range(10 if g == "a" else 5)], "g STRING, v INT"),
    tbl("percentile_approx_double", "SELECT percentile_approx(v, 0.25) AS p FROM t", [{"v": v / 4} for v in range(13)], "v DOUBLE"),
    tbl("percentile_approx_accuracy", "SELECT percentile_approx(v, 0.5, 10) AS p FROM t", [{"v": (v * 37) % 1000} for v in range(1000)], "v INT"),
    tbl("percentile_approx_large_group", "SELECT percentile_approx(v, 0.5) AS p FROM t", [{"v": (v * 7919) % 100003} for v in range(20000)], "v INT"),
    tbl("percentile_approx_large_group_one_partition", "SELECT percentile_approx(v, 0.5) AS p FROM t", [{"v": (v * 7919) % 100003} for v in range(20000)], "v INT",
        conf={"spark.sql.files.minPartitionNum": "1"}),
    tbl("percentile_approx_with_nulls", "SELECT percentile_approx(v, 0.5) AS p FROM t", [{"v": 1}, {"v": None}, {"v": 3}], "v INT"),
    tbl("percentile_approx_all_null", "SELECT percentile_approx(v, 0.5) AS p FROM t", [{"v": None}], "v INT"),
    tbl("percentile_approx_timestamp", "SELECT percentile_approx(ts, 0.5) AS p FROM t",
        [{"ts": "2024-05-01T00:00:00Z"}, {"ts": "2024-05-02T00:00:00Z"}, {"ts": "2024-05-03T00:00:00Z"}], "ts TIMESTAMP"),
    tbl("percentile_approx_decimal", "SELECT percentile_approx(v, 0.5) AS p FROM t", [{"v": 1.25}, {"v": 2.5}, {"v": 3.75}], "v DECIMAL(5,2)"),
    # --- from_json / to_json ---
    tbl("from_json_ddl", "SELECT from_json(j, 'a INT, b STRING') AS r FROM t", [{"j": '{"a":1,"b":"x"}'}, {"j": '{"a":"bad"}'}, {"j": "nope"}, {"j": None}], "j STRING"),
    tbl("from_json_field_access", "SELECT from_json(j, 'a INT, b STRING').a AS a FROM t", [{"j": '{"a":1,"b":"x"}'}], "j STRING"),
    tbl("from_json_corrupt_record", "SELECT from_json(j, 'a INT, b STRING, _corrupt_record STRING') AS r FROM t",
        [{"j": '{"a":1,"b":"x"}'}, {"j": '{"a":"bad","b":"y"}'}, {"j": '{"a":1'}, {"j": '[{"a":2}]'}, {"j": "null"}, {"j": "5"},
         {"j": '{"a":\n3}'}, {"j": '{"a":4} junk'}, {"j": ""}, {"j": "  "}, {"j": '{"A":5}'}], "j STRING"),
    tbl("from_json_struct_json_schema", "SELECT from_json(j, '{\"type\":\"struct\",\"fields\":[{\"name\":\"a\",\"type\":\"long\",\"nullable\":true,\"metadata\":{}}]}') AS r FROM t",
        [{"j": '{"a":10}'}], "j STRING"),
    tbl("from_json_struct_keyword_schema", "SELECT from_json(j, 'STRUCT<a: INT, b: ARRAY<STRING>>') AS r FROM t", [{"j": '{"a":1,"b":["x",null]}'}], "j STRING"),
    tbl("from_json_nested_access", "SELECT from_json(j, 's STRUCT<x: INT, y: STRING>, l ARRAY<INT>, m MAP<STRING, DOUBLE>').s.y AS y, "
        "from_json(j, 's STRUCT<x: INT>, l ARRAY<INT>').l AS l FROM t",
        [{"j": '{"s":{"x":1,"y":"q"},"l":[1,2],"m":{"k":1.5}}'}, {"j": '{"s":{"x":"bad"}}'}], "j STRING"),
    tbl("from_json_struct_star", "SELECT r.* FROM (SELECT from_json(j, 'a INT, b STRING') AS r FROM t)", [{"j": '{"a":1,"b":"x"}'}, {"j": "nope"}], "j STRING"),
    tbl("from_json_options_date_format", "SELECT from_json(j, 'd DATE, t TIMESTAMP', map('dateFormat', 'dd/MM/yyyy', 'timestampFormat', 'dd/MM/yyyy HH:mm')) AS r FROM t",
        [{"j": '{"d":"01/05/2024","t":"02/05/2024 10:30"}'}, {"j": '{"d":"2024-05-01"}'}], "j STRING"),
    tbl("from_json_session_time_zone", "SELECT from_json(j, 't TIMESTAMP') AS r, from_json(j, 't TIMESTAMP', map('timeZone', 'Asia/Tokyo')) AS r2 FROM t",
        [{"j": '{"t":"2024-05-01 10:00"}'}], "j STRING", conf={"spark.sql.session.timeZone": "America/New_York"}),
    tbl("from_json_failfast", "SELECT from_json(j, 'a INT', map('mode', 'FAILFAST')) AS r FROM t", [{"j": '{"a":1}'}, {"j": '{"a":"x"}'}], "j STRING"),
    tbl("from_json_failfast_good", "SELECT from_json(j, 'a INT', map('mode', 'FAILFAST')) AS r FROM t", [{"j": '{"a":1}'}, {"j": None}], "j STRING"),
    tbl("from_json_dropmalformed", "SELECT from_json(j, 'a INT', map('mode', 'DROPMALFORMED')) AS r FROM t", [{"j": '{"a":1}'}], "j STRING",
        error_contains=["DROPMALFORMED"]),
    tbl("from_json_cast_binary", "SELECT from_json(CAST(unbase64(b) AS STRING), 'id BIGINT, action STRING').action AS action FROM t",
        [{"b": "eyJpZCI6MSwiYWN0aW9uIjoidmlldyJ9"}], "b STRING"),
    tbl("to_json_struct", "SELECT to_json(named_struct('a', a, 'b', b)) AS r FROM t", [{"a": 1, "b": "x"}, {"a": None, "b": "y"}], "a INT, b STRING"),
    lit("to_json_types", "SELECT to_json(named_struct('i', 1, 'd', CAST('1.0E-5' AS DOUBLE), 'd2', CAST('123456789.0' AS DOUBLE), 'd3', CAST('1.0E7' AS DOUBLE), "
        "'f', CAST('1.5' AS FLOAT), 'nan', CAST('NaN' AS DOUBLE), 'inf', CAST('-Infinity' AS DOUBLE), 'de', CAST('1.50' AS DECIMAL(10,3)), "
        "'bo', true, 's', concat('q\\\"\\\\é\\t', chr(1), '/<'), 'n', CAST(NULL AS STRING), 'da', DATE'2024-05-01', "
        "'ts', TIMESTAMP'2024-05-01 12:00:00.123456', 'b', unhex('0102'))) AS r"),
    lit("to_json_collections", "SELECT to_json(array(1, 2, NULL)) AS a, to_json(map('a', 1, 'b', NULL)) AS m, "
        "to_json(named_struct('l', array(named_struct('x', CAST(NULL AS INT))), 'm', map('k', array(1)))) AS n, to_json(array(named_struct('x', 1))) AS s"),
    lit("to_json_options", "SELECT to_json(named_struct('t', TIMESTAMP'2024-05-01 12:00:00', 'd', DATE'2024-05-01', 'n', CAST(NULL AS INT)), "
        "map('timestampFormat', 'yyyy/MM/dd HH:mm', 'dateFormat', 'dd.MM.yyyy', 'ignoreNullFields', 'false')) AS r, "
        "to_json(named_struct('t', TIMESTAMP'2024-05-01 12:00:00'), map('timeZone', 'Asia/Tokyo')) AS z"),
    tbl("to_json_struct_column", "SELECT to_json(s) AS r, to_json(m) AS mm FROM t", [{"s": {"x": 1, "y": ["a", None]}, "m": {"k": 1.5}}, {"s": None, "m": None}],
        "s STRUCT<x: INT, y: ARRAY<STRING>>, m MAP<STRING, DOUBLE>"),
    tbl("to_json_of_from_json", "SELECT to_json(from_json(j, 'a INT, b ARRAY<STRING>, c STRUCT<d: DOUBLE>')) AS r FROM t",
        [{"j": '{"c":{"d":1e3},"b":["x"],"a":1,"z":0}'}, {"j": "bad"}], "j STRING"),
    lit("to_json_scalar_error", "SELECT to_json(1) AS r"),
    tbl("to_json_session_time_zone", "SELECT to_json(named_struct('t', t)) AS r FROM t", [{"t": "2024-05-01T12:00:00Z"}], "t TIMESTAMP",
        conf={"spark.sql.session.timeZone": "America/New_York"}),
    # --- string basics used by cleaning code ---
    tbl("length_and_trim", "SELECT length(s) AS n, trim(s) AS t2, ltrim(s) AS l, rtrim(s) AS r2, char_length(s) AS c FROM t",
        [{"s": "  héllo  "}, {"s": ""}, {"s": None}], "s STRING"),
    tbl("upper_lower_initcap", "SELECT upper(s) AS u, lower(s) AS l, initcap(s) AS i FROM t", [{"s": "hello wORLD"}, {"s": "ß straße"}], "s STRING"),
    tbl("initcap_delimiters", "SELECT initcap(s) AS r FROM t", [{"s": "hello-world it's a_b  x\ty"}], "s STRING"),
    tbl("substring_forms", "SELECT substring(s, 2, 3) AS a, substr(s, -3) AS b, substring(s, 0, 2) AS c, left(s, 2) AS d, right(s, 2) AS e FROM t",
        [{"s": "abcdef"}], "s STRING"),
    tbl("replace_and_translate", "SELECT replace(s, 'a', 'o') AS r, translate(s, 'ab', 'xy') AS t2 FROM t", [{"s": "banana"}], "s STRING"),
    tbl("lpad_rpad", "SELECT lpad(s, 5, '0') AS l, rpad(s, 5, '*') AS r FROM t", [{"s": "42"}, {"s": "123456"}], "s STRING"),
    tbl("instr_locate", "SELECT instr(s, 'na') AS i, locate('na', s) AS l, locate('na', s, 4) AS l2 FROM t", [{"s": "banana"}], "s STRING"),
    tbl("distinct_rows", "SELECT DISTINCT a FROM t ORDER BY a", [{"a": "x"}, {"a": "y"}, {"a": "x"}, {"a": None}], "a STRING"),
    tbl("group_count_max", "SELECT g, count(*) AS n, max(v) AS m, sum(v) AS s, avg(v) AS a FROM t GROUP BY g ORDER BY g",
        [{"g": "a", "v": 1}, {"g": "a", "v": 2}, {"g": "b", "v": 5}], "g STRING, v INT"),
    tbl("window_rank", "SELECT g, v, rank() OVER (PARTITION BY g ORDER BY v DESC) AS r, row_number() OVER (PARTITION BY g ORDER BY v DESC) AS rn "
        "FROM t ORDER BY g, v DESC", [{"g": "a", "v": 1}, {"g": "a", "v": 2}, {"g": "a", "v": 2}, {"g": "b", "v": 5}], "g STRING, v INT"),
    tbl("sum_int_overflow_is_bigint", "SELECT sum(v) AS s FROM t", [{"v": 2147483647}, {"v": 1}], "v INT"),
    tbl("avg_of_ints_is_double", "SELECT avg(v) AS a FROM t", [{"v": 1}, {"v": 2}], "v INT"),
    tbl("count_distinct", "SELECT count(DISTINCT v) AS n FROM t", [{"v": 1}, {"v": 1}, {"v": None}, {"v": 2}], "v INT"),
    tbl("round_half_up", "SELECT round(v, 1) AS r, round(v) AS r0, bround(v, 1) AS b FROM t", [{"v": 2.25}, {"v": 2.35}, {"v": -2.5}], "v DOUBLE"),
    tbl("integer_division_and_modulo", "SELECT a / b AS d, a div b AS i, a % b AS m FROM t", [{"a": 7, "b": 2}, {"a": -7, "b": 2}], "a INT, b INT"),
    tbl("division_decimal_result_type", "SELECT d / 3 AS q, d / CAST(7 AS DECIMAL(5,0)) AS q2, d / 0.3 AS q3 FROM t",
        [{"d": "10.25"}, {"d": "-2.00"}, {"d": None}], "d DECIMAL(10,2)"),
    tbl("division_div_mixed", "SELECT a div b AS i, a div 2 + 1 AS j, a / b * 2 AS k, f / b AS l FROM t",
        [{"a": -7, "b": 2, "f": 1.5}, {"a": 9, "b": -4, "f": -0.5}], "a BIGINT, b INT, f DOUBLE"),
    tbl("division_by_zero_double_ansi_off", "SELECT f / z AS d, a div z AS i, d / 0 AS dd FROM t", [{"f": 1.5, "z": 0, "a": 3, "d": "1.5"}],
        "f DOUBLE, z INT, a INT, d DECIMAL(4,1)", ansi=False),
    tbl("division_div_by_zero_ansi_on", "SELECT a div z AS i FROM t", [{"a": 3, "z": 0}], "a INT, z INT"),
    tbl("division_by_zero_ansi_on", "SELECT a / b AS d FROM t", [{"a": 7, "b": 0}], "a INT, b INT"),
    tbl("division_by_zero_ansi_off", "SELECT a / b AS d, a % b AS m FROM t", [{"a": 7, "b": 0}], "a INT, b INT", ansi=False),
    tbl("int_add_overflow_ansi_on", "SELECT a + 1 AS r FROM t", [{"a": 2147483647}], "a INT"),
    tbl("int_add_overflow_ansi_off", "SELECT a + 1 AS r FROM t", [{"a": 2147483647}], "a INT", ansi=False),
    tbl("string_times_int_ansi_on", "SELECT s * 1000 AS r FROM t", [{"s": "26"}], "s STRING"),
    tbl("string_times_int_ansi_off", "SELECT s * 1000 AS r FROM t", [{"s": "26"}, {"s": "2.5"}, {"s": "x"}], "s STRING", ansi=False),
    tbl("string_plus_int_bad_ansi_on", "SELECT s + 1 AS r FROM t", [{"s": "x"}], "s STRING"),
    tbl("int_multiply_overflow_ansi_on", "SELECT a * 2 AS r FROM t", [{"a": 2147483647}], "a INT"),
    tbl("int_multiply_overflow_ansi_off", "SELECT a * 2 AS r, a - (-1) AS s, -a - 2 AS u FROM t", [{"a": 2147483647}], "a INT", ansi=False),
    tbl("int_subtract_overflow_ansi_on", "SELECT a - 1 AS r FROM t", [{"a": -2147483648}], "a INT"),
    tbl("bigint_add_overflow_ansi_on", "SELECT a + 1 AS r FROM t", [{"a": 9223372036854775807}], "a BIGINT"),
    tbl("bigint_add_overflow_ansi_off", "SELECT a + 1 AS r, a * 2 AS m FROM t", [{"a": 9223372036854775807}], "a BIGINT", ansi=False),
    tbl("int_plus_bigint_literal_no_overflow", "SELECT a + 1L AS r, a + 2147483648 AS s FROM t", [{"a": 2147483647}], "a INT"),
    lit("tinyint_literal_add_overflow_ansi_off", "SELECT 127Y + 1Y AS a, 32767S + 1S AS b", ansi=False),
    lit("tinyint_literal_add_overflow_ansi_on", "SELECT 127Y + 1Y AS a"),
    lit("int_literal_arithmetic_no_overflow", "SELECT 2147483647 + 0 AS a, 46340 * 46340 AS b, 1 - 2147483648 AS c"),
    lit("int_literal_multiply_overflow_ansi_on", "SELECT 65536 * 65536 AS a"),
    lit("int_literal_multiply_overflow_ansi_off", "SELECT 65536 * 65536 AS a", ansi=False),
    tbl("follower_count_cleaning_ansi_off",
        "SELECT follower_count AS s, CASE WHEN follower_count LIKE '%k' THEN CAST(regexp_replace(follower_count, 'k', '') AS INT) * 1000 "
        "WHEN follower_count LIKE '%M' THEN CAST(regexp_replace(follower_count, 'M', '') AS INT) * 1000000 "
        "ELSE CAST(follower_count AS INT) END AS n FROM t",
        [{"follower_count": v} for v in ["26k", "192k", "1M", "437", "0", "User Info Error", None, "3000M"]], "follower_count STRING", ansi=False),
    tbl("follower_count_cleaning_ansi_on",
        "SELECT follower_count AS s, CASE WHEN follower_count LIKE '%k' THEN CAST(regexp_replace(follower_count, 'k', '') AS INT) * 1000 "
        "WHEN follower_count LIKE '%M' THEN CAST(regexp_replace(follower_count, 'M', '') AS INT) * 1000000 "
        "ELSE try_cast(follower_count AS INT) END AS n FROM t",
        [{"follower_count": v} for v in ["26k", "192k", "1M", "437", "User Info Error"]], "follower_count STRING"),
    tbl("follower_count_overflow_ansi_on",
        "SELECT CAST(regexp_replace(follower_count, 'M', '') AS INT) * 1000000 AS n FROM t", [{"follower_count": "3000M"}], "follower_count STRING"),
    tbl("follower_count_regexp_to_string_ansi_off",
        "SELECT CAST(regexp_replace(regexp_replace(follower_count, 'k', '000'), 'M', '000000') AS INT) AS n, "
        "regexp_replace(follower_count, 'k', '000') * 1 AS d FROM t",
        [{"follower_count": v} for v in ["26k", "1M", "User Info Error"]], "follower_count STRING", ansi=False),
    tbl("int_column_literal_filters", "SELECT a FROM t WHERE a > 1 AND a <> 2147483647 AND a < 3000000000 ORDER BY a",
        [{"a": 1}, {"a": 5}, {"a": 2147483647}, {"a": None}], "a INT"),
    tbl("limit_and_offset_literals", "SELECT a FROM t ORDER BY a LIMIT 2 OFFSET 1", [{"a": v} for v in [4, 1, 3, 2]], "a INT"),
    tbl("limit_literal", "SELECT a, a * 2 AS b FROM t ORDER BY a DESC LIMIT 10", [{"a": v} for v in [4, 1, 3]], "a INT"),
    tbl("count_and_sum_of_literals", "SELECT count(*) AS n, count(1) AS m, sum(1) AS s, typeof(sum(1)) AS t, max(2) AS x FROM t",
        [{"a": 1}, {"a": 2}], "a INT"),
    tbl("window_frame_int_literals", "SELECT a, sum(a) OVER (ORDER BY a ROWS BETWEEN 1 PRECEDING AND CURRENT ROW) AS s, "
        "lag(a, 1, 0) OVER (ORDER BY a) AS l, ntile(2) OVER (ORDER BY a) AS n FROM t ORDER BY a",
        [{"a": v} for v in [1, 2, 3, 4]], "a INT"),
    tbl("int_literal_function_arguments",
        "SELECT substr(s, 2, 3) AS a, date_add(DATE'2024-01-01', 1) AS b, element_at(array(1, 2, 3), 2) AS c, array(1, 2, 3)[1] AS d, "
        "round(CAST(2.55 AS DOUBLE), 1) AS e, lpad(s, 8, '*') AS f, repeat(s, 2) AS g, split(s, 'c', 2) AS h, left(s, 2) AS i, "
        "regexp_extract(s, '(b)(c)', 2) AS j, typeof(array(1, 2)) AS k, typeof(map('a', 1)) AS l FROM t",
        [{"s": "abcdef"}], "s STRING"),
    tbl("values_literal_types", "SELECT x, typeof(x) AS t FROM (VALUES (1), (3000000000)) AS v(x) ORDER BY x", [{"a": 1}], "a INT"),
    tbl("values_int_literals", "SELECT x, y, typeof(x) AS t, typeof(y) AS u FROM (VALUES (1, 1.5), (2, 2.25)) AS v(x, y) ORDER BY x",
        [{"a": 1}], "a INT"),
    lit("round_decimal_literal_type", "SELECT round(2.55, 1) AS a, round(2.5) AS b"),
    tbl("group_by_literal_expression", "SELECT a + 1 AS k, count(*) AS n FROM t GROUP BY a + 1 ORDER BY k", [{"a": v} for v in [1, 1, 2]], "a INT"),
    tbl("md5_sha2", "SELECT md5(s) AS m, sha2(s, 256) AS h FROM t", [{"s": "abc"}], "s STRING"),
    tbl("current_timestamp_type", "SELECT typeof(current_timestamp()) AS t1, typeof(current_date()) AS t2 FROM t", [{"s": "x"}], "s STRING"),
    # --- JSON text functions ---
    col("get_json_object_paths", "get_json_object(s, '$.a')", JSON_DOCS),
    col("get_json_object_nested", "get_json_object(s, '$.a.b')", JSON_DOCS),
    col("get_json_object_wildcard", "get_json_object(s, '$.a[*].b')", JSON_DOCS),
    col("get_json_object_index", "get_json_object(s, '$.a[1]')", JSON_DOCS),
    col("get_json_object_root", "get_json_object(s, '$')", JSON_DOCS),
    col("get_json_object_bad_paths", "concat_ws('|', get_json_object(s, 'a'), get_json_object(s, '$.*'), "
        "get_json_object(s, '$..a'), get_json_object(s, '$[')) ", JSON_DOCS),
    col("get_json_object_bracket_name", "get_json_object(s, \"$['a b']\")", ['{"a b":1}', '{"a b":{"c":[1]}}', '{"a":1}']),
    col("json_array_length", "json_array_length(s)", JSON_DOCS + ["[1,[2,3]]", "[]"]),
    col("json_object_keys", "json_object_keys(s)", JSON_DOCS),
    tbl("json_tuple_columns", "SELECT json_tuple(s, 'a', 'b', 'd', 'zz') FROM t", [{"s": d} for d in JSON_TUPLE_DOCS], "s STRING"),
    tbl("json_tuple_aliases", "SELECT 1 AS k, json_tuple(s, 'a', 'a.b') AS (x, y) FROM t", [{"s": d} for d in JSON_TUPLE_DOCS], "s STRING"),
    # --- Spark names DataFusion spells otherwise, and string dates where Spark casts ---
    tbl("function_aliases", "SELECT lcase(s) AS l, ucase(s) AS u, sign(n) AS sg, array_remove(array(n, 1, n), n) AS ar FROM t",
        [{"s": "aB", "n": -3}, {"s": None, "n": 0}], "s STRING, n INT"),
    tbl("every_some", "SELECT every(b) AS e, some(b) AS s, bool_and(b) AS ba FROM t", [{"b": True}, {"b": False}, {"b": None}], "b BOOLEAN"),
    col("date_functions_on_strings", "concat_ws('|', last_day(s), next_day(s, 'Mon'), weekday(s), second(s))",
        ["2024-02-10", "2024-02-29 11:12:13", "bad"], ansi=False),
    # --- Spark functions written as other calls (sql/function_forms.rs) ---
    tbl("forms_null_and_zero", "SELECT n, zeroifnull(n) AS z, nullifzero(n) AS nz, try_divide(10, n) AS d, "
        "try_divide(d, n) AS dd FROM t", [{"n": 0, "d": 1.5}, {"n": None, "d": 2.5}, {"n": 4, "d": None}], "n INT, d DOUBLE"),
    tbl("forms_epoch_times", "SELECT timestamp_seconds(s) AS a, timestamp_millis(m) AS b, timestamp_micros(u) AS c, "
        "date_from_unix_date(dd) AS d, unix_date(day) AS e FROM t",
        [{"s": 1700000000, "m": 1700000000123, "u": 1700000000123456, "dd": 19000, "day": "2024-02-10"},
         {"s": None, "m": None, "u": None, "dd": None, "day": None}],
        "s BIGINT, m BIGINT, u BIGINT, dd INT, day DATE"),
    tbl("forms_misc", "SELECT e() AS e, space(n) AS sp, array_size(a) AS sz, regexp_substr(s, '[0-9]+') AS rs, "
        "map_contains_key(map('a', 1), s) AS mk FROM t",
        [{"n": 2, "a": [1, 2], "s": "ab12"}, {"n": 0, "a": None, "s": "a"}, {"n": None, "a": [], "s": None}],
        "n INT, a ARRAY<INT>, s STRING"),
    tbl("forms_try_arithmetic", "SELECT try_add(i, 1) AS a, try_subtract(i, -1) AS s, try_multiply(i, 2) AS m, "
        "try_add(l, i) AS al, try_multiply(l, l) AS ml, try_add(d, i) AS ad, typeof(try_add(i, 1)) AS t FROM t",
        [{"i": 2147483647, "l": 9223372036854775807, "d": 0.5}, {"i": -5, "l": 3, "d": None}, {"i": None, "l": None, "d": 1.0}],
        "i INT, l BIGINT, d DOUBLE"),
    tbl("months_between", "SELECT months_between(e, s) AS m, months_between(e, s, false) AS raw, "
        "months_between(CAST(e AS DATE), CAST(s AS DATE)) AS days FROM t",
        [{"e": "1997-02-28 10:30:00", "s": "1996-10-30 00:00:00"}, {"e": "2024-03-31 00:00:00", "s": "2024-02-29 23:00:00"},
         {"e": "2024-03-01 00:00:00", "s": "2024-02-01 12:00:00"}, {"e": "2023-01-15 08:00:00", "s": "2024-06-20 09:30:15"},
         {"e": None, "s": "2024-01-01 00:00:00"}], "e STRING, s STRING"),
    col("months_between_strings", "months_between(s, '2020-01-31')", ["2020-02-29", "2020-03-15 12:00:00", "x"], ansi=False),
    col("from_utc_timestamp_zones", "from_utc_timestamp(s, 'Asia/Tokyo')", TZ_INPUTS, ansi=False),
    col("to_utc_timestamp_zones", "to_utc_timestamp(s, 'America/New_York')", TZ_INPUTS, ansi=False),
    tbl("utc_conversions_zone_forms", "SELECT from_utc_timestamp(ts, z) AS f, to_utc_timestamp(ts, z) AS t FROM t",
        [{"ts": "2024-03-10T06:30:00Z", "z": z} for z in ["+05:30", "UTC", "GMT-3", "PST", "Europe/Paris", None]],
        "ts TIMESTAMP, z STRING"),
    lit("utc_conversion_bad_zone", "SELECT from_utc_timestamp(TIMESTAMP'2024-01-01 00:00:00', 'bogus') AS f",
        error_contains=["INVALID_TIMEZONE"]),
    col("from_utc_timestamp_session_zone", "from_utc_timestamp(s, 'Asia/Tokyo')", TZ_INPUTS, ansi=False,
        conf={"spark.sql.session.timeZone": "America/New_York"}),
    tbl("timestampadd_units", "SELECT timestampadd(MONTH, 1, d) AS mo, timestampadd(QUARTER, 1, ts) AS q, "
        "timestampadd(WEEK, 2, d) AS w, timestampadd(SECOND, 90, ts) AS s, timestampadd(YEAR, 1, d) AS y, "
        "timestampadd(MILLISECOND, 5, ts) AS ms, timestampadd(DAYOFYEAR, 1, d) AS doy, timestampadd(HOUR, n, ts) AS h, "
        "dateadd(DAY, n, d) AS da, date_add(MINUTE, n, ts) AS dm FROM t", UNIT_ROWS, UNIT_SCHEMA),
    tbl("timestampdiff_units", "SELECT timestampdiff(HOUR, ts, ts2) AS h, timestampdiff(MONTH, d, d2) AS mo, "
        "timestampdiff(YEAR, d, d2) AS y, datediff(DAY, d, d2) AS dd, date_diff(WEEK, d, d2) AS w, "
        "timestampdiff(QUARTER, d, d2) AS q, timestampdiff(MICROSECOND, ts, ts2) AS us, timestampdiff(MONTH, ts, ts2) AS tm, "
        "timestampdiff(DAY, ts2, ts) AS back FROM t", UNIT_ROWS, UNIT_SCHEMA),
    col("timestampadd_strings", "timestampadd(DAY, 1, s)", ["2024-02-10", "2024-02-29 23:30:00", "bad"], ansi=False),
    col("timestampdiff_dst", "timestampdiff(HOUR, s, '2024-03-10 12:00:00')", ["2024-03-10 00:00:00", "2024-03-09 12:00:00"],
        conf={"spark.sql.session.timeZone": "America/New_York"}),
    lit("timestampadd_bad_unit", "SELECT timestampadd(FORTNIGHT, 1, DATE'2024-01-01') AS x", error_contains=["DATETIME_UNIT"]),
    tbl("higher_order_transform_filter", "SELECT transform(a, x -> x * 10) AS t, filter(a, x -> x > 1) AS f, "
        "transform(s, x -> upper(x)) AS u, filter(s, x -> x LIKE 'a%') AS fs, size(filter(a, x -> x IS NULL)) AS nulls FROM t",
        [{"a": [1, 2, None, 3], "s": ["ab", "b", None]}, {"a": [], "s": None}, {"a": None, "s": ["a"]}],
        "a ARRAY<INT>, s ARRAY<STRING>"),
    tbl("higher_order_forall", "SELECT a, forall(a, x -> x > 0) AS pos, forall(a, x -> x > 1) AS gt1, "
        "forall(a, x -> x IS NOT NULL) AS nn FROM t", [{"a": [1, None, 3]}, {"a": [1, 2]}, {"a": []}, {"a": None}], "a ARRAY<INT>"),
    tbl("higher_order_exists", "SELECT a, exists(a, x -> x > 2) AS gt2, exists(a, x -> x > 5) AS gt5 FROM t "
        "WHERE EXISTS (SELECT 1) AND NOT EXISTS (SELECT 1 WHERE false)",
        [{"a": [1, None, 3]}, {"a": [1, 2]}, {"a": []}, {"a": None}], "a ARRAY<INT>"),
    lit("higher_order_literal_array", "SELECT transform(array(1, 2), x -> x + 1) AS t, filter(array('a', 'bb'), x -> length(x) > 1) AS f"),
    tbl("forms_array_prepend_get", "SELECT array_prepend(a, n) AS p, get(a, 0) AS g0, get(a, 2) AS g2, get(a, -1) AS gm, "
        "get(a, n) AS gn FROM t", [{"a": [1, 2, 3], "n": 1}, {"a": [], "n": 0}, {"a": None, "n": None}, {"a": [4], "n": 7}],
        "a ARRAY<INT>, n INT"),
    lit("forms_factorial_rint", "SELECT factorial(5) AS a, factorial(21) AS b, factorial(-1) AS c, rint(2.5) AS d, "
        "rint(3.5) AS e, factorial('4') AS f, rint(-0.5) AS g"),
    lit("format_number_values", "SELECT format_number(1234.565D, 2) AS a, format_number(2.675D, 2) AS b, "
        "format_number(-0.001D, 2) AS c, format_number(1234567, 0) AS d, format_number(1234567.891, 1) AS e, "
        "format_number(0.5D, 0) AS f, format_number(1.5D, 0) AS g, format_number(-1234.5D, 3) AS h, "
        "format_number(1e20D, 2) AS i, format_number(12.5, -1) AS j, format_number(99.999D, 2) AS k, "
        "format_number(CAST('NaN' AS DOUBLE), 2) AS l, format_number(12345.6789BD, 2) AS m, format_number(5L, 2) AS n, "
        "format_number(1.5F, 1) AS o, format_number(-0.0D, 1) AS p, format_number(-1.25, 1) AS q"),
    tbl("format_number_columns", "SELECT format_number(x, d) AS r FROM t",
        [{"x": 1234.5, "d": 1}, {"x": None, "d": 1}, {"x": 1.0, "d": None}, {"x": -987654.321, "d": 0}], "x DOUBLE, d INT"),
    lit("sequence_values", "SELECT sequence(1, 3) AS a, sequence(3, 1) AS b, sequence(1, 10, 4) AS c, sequence(1L, 3L) AS d, "
        "sequence(DATE'2024-01-30', DATE'2024-02-02') AS e, sequence(DATE'2024-01-31', DATE'2024-05-01', INTERVAL 1 MONTH) AS f, "
        "sequence(DATE'2024-01-03', DATE'2024-01-01') AS g, sequence(1, 1, 0) AS h, "
        "sequence(TIMESTAMP'2024-01-01 00:00:00', TIMESTAMP'2024-01-01 02:00:00', INTERVAL 1 HOUR) AS i, "
        "sequence(DATE'2024-01-01', DATE'2024-01-10', INTERVAL 3 DAY) AS j, sequence(CAST(NULL AS INT), 3) AS k, sequence(1Y, 3Y) AS l"),
    lit("sequence_wrong_direction", "SELECT sequence(1, 3, -1) AS a", error_contains=["Illegal sequence boundaries"]),
    tbl("sequence_date_spine", "SELECT g, explode(sequence(s, e)) AS day FROM t",
        [{"g": "a", "s": "2024-02-27", "e": "2024-03-01"}, {"g": "b", "s": "2024-01-01", "e": "2024-01-01"}], "g STRING, s DATE, e DATE"),
    tbl("aggregate_forms", "SELECT g, first(n) AS f, first(n, true) AS fi, last(n) AS l, last(n, true) AS li, "
        "any_value(s) AS av, count_if(n > 1) AS ci, max_by(s, n) AS mx, min_by(s, n) AS mn, percentile(n, 0.5) AS p, "
        "array_agg(n) AS aa, listagg(s, ',') AS la, variance(d) AS v, try_avg(n) AS ta FROM t GROUP BY g",
        AGG_ROWS, AGG_SCHEMA, unordered=True),
    tbl("count_distinct_tuples", "SELECT g, count(DISTINCT n, s) AS k, count(DISTINCT s, d) AS k2 FROM t GROUP BY g",
        AGG_ROWS + [{"k": 8, "g": "a", "n": 2, "d": 2.5, "s": "y"}, {"k": 9, "g": "a", "n": 2, "d": 9.0, "s": "y"}],
        AGG_SCHEMA, unordered=True),
    tbl("aggregate_forms_window", "SELECT g, n, first(n) OVER (PARTITION BY g ORDER BY k) AS f, "
        "last(n, true) OVER (PARTITION BY g ORDER BY k ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS l "
        "FROM t", AGG_ROWS, AGG_SCHEMA, unordered=True),
    lit("make_timestamp_values", "SELECT make_timestamp(2024, 2, 10, 11, 12, 13.123456) AS a, "
        "make_timestamp(2024, 2, 10, 11, 12, 60) AS b, make_timestamp(2024, 2, 10, 11, 12, 13, 'Asia/Tokyo') AS c, "
        "make_timestamp(2024, 2, 10, 11, 12, NULL) AS d, make_timestamp(2024, 2, 29, 23, 59, 59.999999) AS e"),
    lit("make_timestamp_bad_month", "SELECT make_timestamp(2024, 13, 10, 11, 12, 13) AS a", error_contains=["DATETIME_FIELD_OUT_OF_BOUNDS"]),
    lit("make_timestamp_bad_date", "SELECT make_timestamp(2024, 2, 30, 11, 12, 13) AS a", error_contains=["DATETIME_FIELD_OUT_OF_BOUNDS"]),
    lit("make_timestamp_bad_second", "SELECT make_timestamp(2024, 2, 10, 11, 12, 60.5) AS a", error_contains=["INVALID_FRACTION_OF_SECOND"]),
    tbl("make_timestamp_columns", "SELECT make_timestamp(y, mo, d, h, mi, s) AS t FROM t",
        [{"y": 2024, "mo": 13, "d": 10, "h": 1, "mi": 2, "s": 3.5}, {"y": 2024, "mo": 2, "d": 30, "h": 0, "mi": 0, "s": 0},
         {"y": 2024, "mo": 3, "d": 10, "h": 2, "mi": 30, "s": 0}, {"y": 2023, "mo": 12, "d": 31, "h": 25, "mi": 0, "s": 0}],
        "y INT, mo INT, d INT, h INT, mi INT, s DECIMAL(8,6)", ansi=False, conf={"spark.sql.session.timeZone": "America/New_York"}),
    tbl("arrays_zip_names", "SELECT arrays_zip(a, b) AS z, arrays_zip(a, array(9)) AS z2, arrays_zip(t.a, n) AS z3, "
        "arrays_zip(a) AS z4, arrays_zip(array(1), array('q')) AS z5 FROM t",
        [{"a": [1, 2, 3], "b": ["x", "y"], "n": None}, {"a": [], "b": ["q"], "n": [5]}, {"a": None, "b": [], "n": []}],
        "a ARRAY<INT>, b ARRAY<STRING>, n ARRAY<INT>"),
    # --- the analytics queries' shapes (pinterest-workload.md section 0) ---
    tbl("analytics_percentile_cont", "SELECT g, percentile_cont(0.5) WITHIN GROUP (ORDER BY n) AS p, "
        "percentile_approx(n, 0.5) AS pa FROM t GROUP BY g", AN_ROWS, AN_SCHEMA, unordered=True),
    tbl("analytics_ranks", "SELECT g, n, rank() OVER (PARTITION BY g ORDER BY n DESC) AS r, "
        "dense_rank() OVER (PARTITION BY g ORDER BY n DESC) AS d, row_number() OVER (PARTITION BY g ORDER BY n DESC, c) AS rn "
        "FROM t", AN_ROWS, AN_SCHEMA, unordered=True),
    tbl("analytics_aggregates", "SELECT g, count(n) AS k, max(n) AS m, sum(n) AS s, avg(n) AS a, min(ts) AS first_ts "
        "FROM t GROUP BY g", AN_ROWS, AN_SCHEMA, unordered=True),
    tbl("analytics_top_per_group", "WITH counts AS (SELECT g, c, count(*) AS k FROM t GROUP BY g, c), "
        "ranked AS (SELECT g, c, k, rank() OVER (PARTITION BY g ORDER BY k DESC) AS r FROM counts) "
        "SELECT g, c, k FROM ranked WHERE r = 1 ORDER BY g, c", AN_ROWS, AN_SCHEMA),
    tbl("analytics_rank_over_count", "SELECT g, c, count(*) AS k, rank() OVER (PARTITION BY g ORDER BY count(*) DESC) AS r "
        "FROM t GROUP BY g, c", AN_ROWS, AN_SCHEMA, unordered=True),
    tbl("analytics_year_extract", "SELECT EXTRACT(YEAR FROM ts) AS y, date_part('year', ts) AS y2, year(ts) AS y3, "
        "count(*) AS k FROM t GROUP BY 1, 2, 3", AN_ROWS, AN_SCHEMA, unordered=True),
    tbl("analytics_year_between", "SELECT year(ts) AS y, count(*) AS k FROM t WHERE year(ts) BETWEEN 2018 AND 2020 "
        "GROUP BY year(ts) ORDER BY y", AN_ROWS, AN_SCHEMA),
    tbl("analytics_self_join_using", "SELECT a.c, b.g FROM t a JOIN t b USING (n) WHERE a.c <> b.c ORDER BY 1, 2",
        AN_ROWS, AN_SCHEMA),
    tbl("analytics_age_groups", "SELECT CASE WHEN n BETWEEN 18 AND 24 THEN '18-24' WHEN n BETWEEN 25 AND 35 THEN '25-35' "
        "ELSE '36+' END AS age_group, percentile_approx(n, 0.5) AS median FROM t GROUP BY 1 ORDER BY 1", AN_ROWS, AN_SCHEMA),
    # --- Spark's names for unaliased SELECT items (result headers and table columns) ---
    tbl("names_literals", "SELECT 'x', 1, 1.5, true, NULL, -1, 1e3, 1e-5, 0.1, 100000000000, DATE'2024-01-01', "
        "TIMESTAMP'2024-01-01 10:00:00' FROM t", NAME_ROWS, NAME_SCHEMA),
    tbl("names_operators", "SELECT t.c, n + 1, n * 2.5, n / 2, n % 2, n div 2, -n, NOT (n > 1), n > 1 AND c = 'a', "
        "n >= 1 OR c <> 'a', c || 'x', n <=> 1, n IS DISTINCT FROM 1 FROM t", NAME_ROWS, NAME_SCHEMA),
    tbl("names_predicates", "SELECT c IS NULL, c IS NOT NULL, c IN ('a', 'b'), n BETWEEN 1 AND 2, c LIKE 'a%', c RLIKE 'a' FROM t",
        NAME_ROWS, NAME_SCHEMA),
    tbl("names_casts", "SELECT cast(n AS string), CAST('1' AS INT), CAST(1.5 AS DECIMAL(10, 2)) FROM t",
        NAME_ROWS, NAME_SCHEMA),
    tbl("names_functions", "SELECT upper(t.c), Lower(c), concat(c, 'x'), coalesce(c, 'z'), nvl(c, 'z'), substr(c, 1, 2), "
        "substr(c, 2), length(c), trim(c), abs(n), round(d), round(d, 1), if(n > 1, 'a', 'b'), lpad(c, 3, '*'), "
        "concat_ws('-', c, c), replace(c, 'a') FROM t", NAME_ROWS, NAME_SCHEMA),
    tbl("names_regex_and_dates", "SELECT regexp_replace(c, 'a', 'b'), regexp_extract(c, '(a)'), split(s, ','), "
        "date_format(ts, 'yyyy'), to_date(ts), year(ts), date_trunc('HOUR', ts), from_unixtime(0) FROM t",
        NAME_ROWS, NAME_SCHEMA),
    tbl("names_case", "SELECT CASE WHEN n > 1 THEN 'a' ELSE 'b' END, CASE n WHEN 1 THEN 'a' END FROM t", NAME_ROWS, NAME_SCHEMA),
    tbl("names_aggregates", "SELECT c, count(*), count(n), sum(n), avg(n), min(c), max(n), count(DISTINCT c), "
        "percentile_approx(n, 0.5) FROM t GROUP BY c", NAME_ROWS, NAME_SCHEMA),
    tbl("names_collections", "SELECT array(1, 2), size(array(1, 2)), element_at(array(1, 2), 1), struct(c, n), "
        "to_json(struct(c)) FROM t", NAME_ROWS, NAME_SCHEMA),
    tbl("names_window", "SELECT window(ts, '1 day'), count(*) FROM t GROUP BY window(ts, '1 day')", NAME_ROWS, NAME_SCHEMA),
    tbl("names_in_a_subquery", "SELECT `(n + 1)` * 2 FROM (SELECT n + 1 FROM t) s", NAME_ROWS, NAME_SCHEMA),
]
