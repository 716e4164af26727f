//! End-to-end tests of `decode_json_lines` (spark-semantics.md section 6 and its errata).

use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{
    DataType, Date32Type, Decimal128Type, Field, Fields, Float32Type, Float64Type, Int16Type,
    Int32Type, Int64Type, Int8Type, Schema, SchemaRef, TimeUnit, TimestampMicrosecondType,
};
use arrow::util::display::{ArrayFormatter, FormatOptions};

use super::*;
use crate::datetime::cast::{parse_date_days, parse_timestamp_micros};

const CORRUPT: &str = "_corrupt_record";

fn schema(fields: Vec<Field>) -> SchemaRef {
    Arc::new(Schema::new(fields))
}

fn f(name: &str, dt: DataType) -> Field {
    Field::new(name, dt, true)
}

fn corrupt() -> Field {
    f(CORRUPT, DataType::Utf8)
}

fn list(dt: DataType) -> DataType {
    DataType::List(Arc::new(Field::new("element", dt, true)))
}

fn strct(fields: Vec<Field>) -> DataType {
    DataType::Struct(Fields::from(fields))
}

fn map_of(value: DataType) -> DataType {
    let kv = Fields::from(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new("value", value, true),
    ]);
    DataType::Map(
        Arc::new(Field::new("key_value", DataType::Struct(kv), false)),
        false,
    )
}

fn ts_type() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

fn opts(mode: ParseMode) -> JsonOptions {
    JsonOptions {
        mode,
        ..JsonOptions::default()
    }
}

fn decode(data: &str, s: &SchemaRef) -> (RecordBatch, DecodeStats) {
    decode_json_lines(data.as_bytes(), "f.json", s, &JsonOptions::default()).expect("decode")
}

fn decode_with(
    data: &[u8],
    s: &SchemaRef,
    o: &JsonOptions,
) -> Result<(RecordBatch, DecodeStats), JsonError> {
    decode_json_lines(data, "data/f.json", s, o)
}

/// Every row rendered as `col=value` cells (NULL for nulls).
fn rows(b: &RecordBatch) -> Vec<String> {
    let fmt = FormatOptions::default().with_null("NULL");
    let formatters: Vec<ArrayFormatter> = b
        .columns()
        .iter()
        .map(|c| ArrayFormatter::try_new(c.as_ref(), &fmt).expect("formatter"))
        .collect();
    (0..b.num_rows())
        .map(|r| {
            formatters
                .iter()
                .zip(b.schema().fields())
                .map(|(fm, fl)| format!("{}={}", fl.name(), fm.value(r)))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// One column of a single-column-plus-corrupt decode, as displayed strings.
fn col(b: &RecordBatch, name: &str) -> Vec<String> {
    let fmt = FormatOptions::default().with_null("NULL");
    let c = b.column_by_name(name).expect("column");
    if let DataType::Timestamp(_, Some(_)) = c.data_type() {
        // Rendering zone names needs arrow's chrono-tz feature; show raw micros instead.
        let t = c.as_primitive::<TimestampMicrosecondType>();
        return (0..t.len())
            .map(|i| {
                if t.is_null(i) {
                    "NULL".to_string()
                } else {
                    t.value(i).to_string()
                }
            })
            .collect();
    }
    let fm = ArrayFormatter::try_new(c.as_ref(), &fmt).expect("formatter");
    (0..b.num_rows()).map(|r| fm.value(r).to_string()).collect()
}

fn corrupt_col(b: &RecordBatch) -> Vec<Option<String>> {
    let c = b
        .column_by_name(CORRUPT)
        .expect("corrupt column")
        .as_string::<i32>();
    (0..c.len())
        .map(|i| c.is_valid(i).then(|| c.value(i).to_string()))
        .collect()
}

/// Decodes `{"v": <json>}` into a single column of type `dt`; returns (displayed value, bad?).
fn one(json: &str, dt: DataType) -> (String, bool) {
    let s = schema(vec![f("v", dt), corrupt()]);
    let (b, _) = decode(&format!("{{\"v\": {json}}}"), &s);
    assert_eq!(b.num_rows(), 1, "{json}");
    (col(&b, "v")[0].clone(), corrupt_col(&b)[0].is_some())
}

fn good(json: &str, dt: DataType) -> String {
    let (v, bad) = one(json, dt.clone());
    assert!(!bad, "{json} as {dt} should be good, got {v}");
    v
}

fn bad(json: &str, dt: DataType) {
    let (v, bad) = one(json, dt.clone());
    assert!(bad, "{json} as {dt} should be bad, got {v}");
    assert_eq!(v, "NULL", "{json} as {dt}");
}

// ---------------------------------------------------------------- framing (6.1)

#[test]
fn line_separators_and_blank_lines() {
    let s = schema(vec![f("a", DataType::Int64)]);
    let (b, st) = decode(
        "{\"a\":1}\n{\"a\":2}\r\n{\"a\":3}\r{\"a\":4}\n\n   \n\t\r\n{\"a\":5}\n",
        &s,
    );
    assert_eq!(col(&b, "a"), ["1", "2", "3", "4", "5"]);
    assert_eq!(
        st,
        DecodeStats {
            rows: 5,
            corrupt: 0,
            dropped: 0
        }
    );
    let (b, _) = decode("{\"a\":7}", &s);
    assert_eq!(col(&b, "a"), ["7"]);
    let (b, _) = decode("", &s);
    assert_eq!(b.num_rows(), 0);
    assert_eq!(b.schema().fields().len(), 1);
}

#[test]
fn raw_control_characters_in_strings_are_bad_but_tabs_between_tokens_are_not() {
    // The line splitter tells the tokenizer when a line has no byte below 0x20; these lines
    // do, in every position that matters (short and long strings, keys, between tokens).
    let s = schema(vec![f("a", DataType::Utf8), corrupt()]);
    let long = "x".repeat(40);
    let data = format!(
        "{{\"a\":\"t\tb\"}}\n{{\"a\":\"{long}\t\"}}\n{{\"a\t\":\"v\"}}\n\t{{\t\"a\"\t:\t\"{long}\"\t}}\n\
         {{\"a\":\"{long}\x01\"}}\n{{\"a\":\"ok\"}}\r\n"
    );
    let (b, st) = decode(&data, &s);
    assert_eq!(st.corrupt, 4);
    let a = col(&b, "a");
    assert_eq!(a[3], long);
    assert_eq!(a[5], "ok");
    assert_eq!(
        corrupt_col(&b)
            .iter()
            .map(Option::is_some)
            .collect::<Vec<_>>(),
        [true, true, true, false, true, false]
    );
}

#[test]
fn utf8_bom_is_skipped() {
    let s = schema(vec![f("a", DataType::Int64), corrupt()]);
    let (b, _) = decode_with(
        b"\xEF\xBB\xBF{\"a\":1}\n{\"a\":2}",
        &s,
        &JsonOptions::default(),
    )
    .unwrap();
    assert_eq!(col(&b, "a"), ["1", "2"]);
    assert_eq!(corrupt_col(&b), [None, None]);
}

#[test]
fn bom_at_the_start_of_a_later_line_is_skipped_by_the_parser() {
    let s = schema(vec![f("a", DataType::Int64), corrupt()]);
    let (b, _) = decode_with(
        b"{\"a\":1}\n\xEF\xBB\xBF{\"a\":2}",
        &s,
        &JsonOptions::default(),
    )
    .unwrap();
    assert_eq!(col(&b, "a"), ["1", "2"]);
    // The corrupt text keeps the record as read.
    let (b, _) = decode_with(b"\xEF\xBB\xBF{\"a\":\"x\"}", &s, &JsonOptions::default()).unwrap();
    assert_eq!(corrupt_col(&b), [Some("{\"a\":\"x\"}".to_string())]);
    let (b, _) = decode_with(
        b"{}\n\xEF\xBB\xBF{\"a\":\"x\"}",
        &s,
        &JsonOptions::default(),
    )
    .unwrap();
    assert_eq!(
        corrupt_col(&b),
        [None, Some("\u{feff}{\"a\":\"x\"}".to_string())]
    );
}

#[test]
fn top_level_arrays_give_one_row_per_element() {
    let s = schema(vec![
        f("a", DataType::Utf8),
        f("b", DataType::Utf8),
        corrupt(),
    ]);
    let (b, st) = decode(
        "[{\"a\":\"str_a_1\"}]\n[{\"a\":\"str_a_2\"}, {\"b\":\"str_b_3\"}]\n[]\n",
        &s,
    );
    assert_eq!(
        rows(&b),
        [
            "a=str_a_1 b=NULL _corrupt_record=NULL",
            "a=str_a_2 b=NULL _corrupt_record=NULL",
            "a=NULL b=str_b_3 _corrupt_record=NULL"
        ]
    );
    assert_eq!(st.rows, 3);
}

#[test]
fn top_level_scalars_and_null_are_bad_records() {
    let s = schema(vec![f("a", DataType::Int64), corrupt()]);
    for line in [
        "5",
        "\"x\"",
        "null",
        "true",
        "[1, 2]",
        "[{\"a\":1}, 2]",
        "[{\"a\":1}, null]",
    ] {
        let (b, st) = decode(line, &s);
        assert_eq!(
            rows(&b),
            [format!("a=NULL _corrupt_record={line}")],
            "{line}"
        );
        assert_eq!(st.corrupt, 1);
    }
}

#[test]
fn only_the_first_value_on_a_line_is_read() {
    let s = schema(vec![f("a", DataType::Int64), corrupt()]);
    let (b, st) = decode("{\"a\":1} junk\n{\"a\":2}{\"a\":3}\n{\"a\":4}]]", &s);
    assert_eq!(col(&b, "a"), ["1", "2", "4"]);
    assert_eq!(corrupt_col(&b), [None, None, None]);
    assert_eq!(st.corrupt, 0);
}

#[test]
fn multi_line_document() {
    let s = schema(vec![f("a", DataType::Int64), corrupt()]);
    let o = JsonOptions {
        multi_line: true,
        ..JsonOptions::default()
    };
    let doc = "[\n  {\"a\": 1},\n  {\"a\": 2}\n]\n";
    let (b, _) = decode_with(doc.as_bytes(), &s, &o).unwrap();
    assert_eq!(col(&b, "a"), ["1", "2"]);
    // The corrupt text is the whole document, on every row (errata).
    let doc = "[\n  {\"a\": 1},\n  {\"a\": \"x\"}\n]";
    let (b, _) = decode_with(doc.as_bytes(), &s, &o).unwrap();
    assert_eq!(col(&b, "a"), ["1", "NULL"]);
    assert_eq!(
        corrupt_col(&b),
        [Some(doc.to_string()), Some(doc.to_string())]
    );
    let (b, _) = decode_with(b"{\n\"a\": 3\n}", &s, &o).unwrap();
    assert_eq!(col(&b, "a"), ["3"]);
}

// ---------------------------------------------------------------- keys (6.3)

#[test]
fn keys_match_exactly_and_missing_or_null_is_not_bad() {
    let s = schema(vec![
        f("name", DataType::Int64),
        f("b", DataType::Utf8),
        corrupt(),
    ]);
    let (b, st) = decode(
        "{\"Name\":1}\n{\"b\":null}\n{}\n{\"extra\":[1,{\"z\":2}],\"name\":3}\n{\"n\\u0061me\":4}",
        &s,
    );
    assert_eq!(col(&b, "name"), ["NULL", "NULL", "NULL", "3", "4"]);
    assert_eq!(col(&b, "b"), ["NULL", "NULL", "NULL", "NULL", "NULL"]);
    assert_eq!(corrupt_col(&b), [None, None, None, None, None]);
    assert_eq!(st.corrupt, 0);
}

#[test]
fn duplicate_keys_last_success_wins_but_failures_mark_the_record() {
    let s = schema(vec![
        f("a", DataType::Int32),
        f("b", DataType::Utf8),
        corrupt(),
    ]);
    let data = "{\"a\":1,\"b\":\"x\",\"a\":2}\n{\"a\":\"x\",\"a\":3}\n{\"a\":4,\"a\":\"y\"}\n{\"a\":5,\"a\":null}";
    let (b, st) = decode(data, &s);
    assert_eq!(col(&b, "a"), ["2", "3", "4", "NULL"]);
    assert_eq!(col(&b, "b"), ["x", "NULL", "NULL", "NULL"]);
    let c = corrupt_col(&b);
    assert_eq!(c[0], None);
    assert!(c[1].is_some() && c[2].is_some());
    assert_eq!(c[3], None);
    assert_eq!(st.corrupt, 2);
    let (b, st) = decode_with(data.as_bytes(), &s, &opts(ParseMode::DropMalformed)).unwrap();
    assert_eq!(col(&b, "a"), ["2", "NULL"]);
    assert_eq!(st.dropped, 2);
}

#[test]
fn duplicate_keys_in_nested_structs_and_maps() {
    let st = strct(vec![f("x", DataType::Int32), f("y", DataType::Int32)]);
    let s = schema(vec![f("s", st), f("m", map_of(DataType::Int32)), corrupt()]);
    let (b, _) = decode(
        "{\"s\": {\"x\": 1, \"y\": 5, \"x\": 2}, \"m\": {\"k\": 1, \"k\": 2, \"\\u006b2\": 3}}",
        &s,
    );
    assert_eq!(col(&b, "s"), ["{x: 2, y: 5}"]);
    // Map keys are kept as they come, duplicates included (Spark builds the map from all pairs).
    assert_eq!(col(&b, "m"), ["{k: 1, k: 2, k2: 3}"]);
    assert_eq!(corrupt_col(&b), [None]);
    // A later partial struct replaces an earlier good one; the record is bad.
    let (b, _) = decode("{\"s\": {\"x\": 1}, \"s\": {\"x\": \"bad\", \"y\": 2}}", &s);
    assert_eq!(col(&b, "s"), ["{x: NULL, y: 2}"]);
    assert!(corrupt_col(&b)[0].is_some());
    // A later non-object keeps the earlier struct.
    let (b, _) = decode("{\"s\": {\"x\": 1}, \"s\": 5}", &s);
    assert_eq!(col(&b, "s"), ["{x: 1, y: NULL}"]);
    assert!(corrupt_col(&b)[0].is_some());
}

#[test]
fn many_fields_out_of_order() {
    let names: Vec<String> = (0..30).map(|i| format!("f{i}")).collect();
    let s = schema(names.iter().map(|n| f(n, DataType::Int64)).collect());
    let line: Vec<String> = (0..30).rev().map(|i| format!("\"f{i}\": {i}")).collect();
    let (b, _) = decode(&format!("{{{}}}", line.join(", ")), &s);
    for i in 0..30 {
        assert_eq!(col(&b, &format!("f{i}")), [i.to_string()]);
    }
}

// ---------------------------------------------------------------- conversions (6.4)

#[test]
fn string_keeps_exact_input_text() {
    assert_eq!(good("\"abc\"", DataType::Utf8), "abc");
    assert_eq!(good("\"a\\n\\u00e9\\\"\"", DataType::Utf8), "a\n\u{e9}\"");
    assert_eq!(good("1.50", DataType::Utf8), "1.50");
    assert_eq!(good("1e3", DataType::Utf8), "1e3");
    assert_eq!(good("-0", DataType::Utf8), "-0");
    assert_eq!(good("5", DataType::Utf8), "5");
    assert_eq!(good("true", DataType::Utf8), "true");
    assert_eq!(good("false", DataType::Utf8), "false");
    assert_eq!(good("NaN", DataType::Utf8), "NaN");
    assert_eq!(good("-INF", DataType::Utf8), "-INF");
    assert_eq!(
        good("{\"a\": 1,  \"b\" :[1, 2.0]}", DataType::Utf8),
        "{\"a\": 1,  \"b\" :[1, 2.0]}"
    );
    assert_eq!(good("[ 1 , \"x\" ]", DataType::Utf8), "[ 1 , \"x\" ]");
    assert_eq!(good("'single'", DataType::Utf8), "single");
    assert_eq!(good("\"\"", DataType::Utf8), "");
    assert_eq!(good("\"\\ud800\"", DataType::Utf8), "?");
    assert_eq!(good("null", DataType::Utf8), "NULL");
}

#[test]
fn boolean_only_from_literals() {
    assert_eq!(good("true", DataType::Boolean), "true");
    assert_eq!(good("false", DataType::Boolean), "false");
    bad("\"true\"", DataType::Boolean);
    bad("1", DataType::Boolean);
    bad("\"\"", DataType::Boolean);
}

#[test]
fn integers_only_from_integer_tokens_in_range() {
    assert_eq!(good("5", DataType::Int32), "5");
    assert_eq!(good("-2147483648", DataType::Int32), "-2147483648");
    assert_eq!(good("3000000000", DataType::Int64), "3000000000");
    assert_eq!(good("32767", DataType::Int16), "32767");
    for dt in [
        DataType::Int8,
        DataType::Int16,
        DataType::Int32,
        DataType::Int64,
    ] {
        for v in [
            "\"5\"", "\"5k\"", "5.0", "1e2", "\"\"", "true", "[1]", "{}", "NaN",
        ] {
            bad(v, dt.clone());
        }
    }
    bad("3000000000", DataType::Int32);
    bad("32768", DataType::Int16);
    bad("9223372036854775808", DataType::Int64);
}

#[test]
fn tinyint_accepts_up_to_255_and_wraps() {
    assert_eq!(good("127", DataType::Int8), "127");
    assert_eq!(good("128", DataType::Int8), "-128");
    assert_eq!(good("255", DataType::Int8), "-1");
    assert_eq!(good("-128", DataType::Int8), "-128");
    bad("256", DataType::Int8);
    bad("-129", DataType::Int8);
}

#[test]
fn floats_and_doubles() {
    let s = schema(vec![
        f("d", DataType::Float64),
        f("r", DataType::Float32),
        corrupt(),
    ]);
    let data = [
        "{\"d\": 1, \"r\": 1}",
        "{\"d\": 1.5, \"r\": 0.1}",
        "{\"d\": -0.0, \"r\": -0}",
        "{\"d\": 1e400, \"r\": 1e40}",
        "{\"d\": NaN, \"r\": -Infinity}",
        "{\"d\": \"NaN\", \"r\": \"Infinity\"}",
        "{\"d\": \"+INF\", \"r\": \"-INF\"}",
        "{\"d\": \"+Infinity\", \"r\": \"-Infinity\"}",
        "{\"d\": 9007199254740993, \"r\": 16777217}",
    ]
    .join("\n");
    let (b, st) = decode(&data, &s);
    assert_eq!(st.corrupt, 0, "{:?}", corrupt_col(&b));
    let d = b.column(0).as_primitive::<Float64Type>();
    let r = b.column(1).as_primitive::<Float32Type>();
    assert_eq!(d.value(0), 1.0);
    assert_eq!(r.value(1), 0.1f32);
    assert!(d.value(2) == 0.0 && d.value(2).is_sign_negative());
    // An integer token goes through long like Jackson: -0 is +0.0.
    assert!(r.value(2) == 0.0 && r.value(2).is_sign_positive());
    assert_eq!(d.value(3), f64::INFINITY);
    assert_eq!(r.value(3), f32::INFINITY);
    assert!(d.value(4).is_nan());
    assert_eq!(r.value(4), f32::NEG_INFINITY);
    assert!(d.value(5).is_nan());
    assert_eq!(r.value(5), f32::INFINITY);
    assert_eq!((d.value(6), r.value(6)), (f64::INFINITY, f32::NEG_INFINITY));
    assert_eq!((d.value(7), r.value(7)), (f64::INFINITY, f32::NEG_INFINITY));
    assert_eq!(d.value(8), 9007199254740992.0);
    assert_eq!(r.value(8), 16777216.0);
    for v in ["\"5.5\"", "\"INF\"", "\"nan\"", "\"\"", "true", "\" NaN\""] {
        bad(v, DataType::Float64);
        bad(v, DataType::Float32);
    }
}

#[test]
fn non_numeric_numbers_can_be_disabled() {
    let s = schema(vec![f("d", DataType::Float64), corrupt()]);
    let o = JsonOptions {
        allow_non_numeric_numbers: false,
        ..JsonOptions::default()
    };
    let (b, st) = decode_with(b"{\"d\": \"NaN\"}\n{\"d\": NaN}\n{\"d\": 2}", &s, &o).unwrap();
    assert_eq!(col(&b, "d"), ["NULL", "NULL", "2.0"]);
    assert_eq!(st.corrupt, 2);
}

#[test]
fn decimals_round_half_up_and_accept_numeric_strings() {
    let d52 = DataType::Decimal128(5, 2);
    assert_eq!(good("1.005", d52.clone()), "1.01");
    assert_eq!(good("-1.005", d52.clone()), "-1.01");
    assert_eq!(good("1.004", d52.clone()), "1.00");
    assert_eq!(good("42", d52.clone()), "42.00");
    assert_eq!(good("1e2", d52.clone()), "100.00");
    assert_eq!(good("\"3.14159\"", d52.clone()), "3.14");
    assert_eq!(good("999.99", d52.clone()), "999.99");
    assert_eq!(good("\"1,234.5\"", DataType::Decimal128(10, 1)), "1234.5");
    bad("\" 7\"", d52.clone());
    bad("1000", d52.clone());
    bad("12345.6", d52.clone());
    bad("999.995", d52.clone());
    bad("NaN", d52.clone());
    bad("\"NaN\"", d52.clone());
    bad("\"\"", d52.clone());
    bad("true", d52.clone());
    let s = schema(vec![f("v", DataType::Decimal128(38, 0))]);
    let (b, _) = decode(&format!("{{\"v\": {}}}", "9".repeat(38)), &s);
    assert_eq!(
        b.column(0).as_primitive::<Decimal128Type>().value(0),
        10i128.pow(38) - 1
    );
}

#[test]
fn dates_from_strings_only() {
    let days = |s: &str| parse_date_days(s).unwrap().to_string();
    let s = schema(vec![f("v", DataType::Date32), corrupt()]);
    let (b, _) = decode("{\"v\":\"2024-05-01\"}\n{\"v\":\"2024-05-01T10:00:00Z\"}\n{\"v\":\"2024\"}\n{\"v\":\" 2024-5-1 \"}", &s);
    let got: Vec<String> = b
        .column(0)
        .as_primitive::<Date32Type>()
        .values()
        .iter()
        .map(|d| d.to_string())
        .collect();
    assert_eq!(
        got,
        [
            days("2024-05-01"),
            days("2024-05-01"),
            days("2024-01-01"),
            days("2024-05-01")
        ]
    );
    assert_eq!(corrupt_col(&b), [None, None, None, None]);
    for v in [
        "20240501",
        "\"\"",
        "\"garbage\"",
        "\"2024-13-01\"",
        "true",
        "1.5",
    ] {
        bad(v, DataType::Date32);
    }
}

#[test]
fn timestamps_from_strings_and_epoch_seconds() {
    let utc = chrono_tz::Tz::UTC;
    let micros = |s: &str| parse_timestamp_micros(s, &utc).unwrap();
    let s = schema(vec![f("t", ts_type()), corrupt()]);
    let data = [
        "{\"t\": \"2024-05-01\"}",
        "{\"t\": \"2024-05-01 12:00\"}",
        "{\"t\": \"2024-05-01T12:00:00.123456Z\"}",
        "{\"t\": \"2024-05-01T12:00:00+02:00\"}",
        "{\"t\": 1714521600}",
        "{\"t\": -1}",
        "{\"t\": 1714521600000}",
        "{\"t\": \"2024-05-01T12:00:00GMT+01:00\"}",
    ]
    .join("\n");
    let (b, st) = decode(&data, &s);
    assert_eq!(st.corrupt, 0, "{:?}", corrupt_col(&b));
    let t = b.column(0).as_primitive::<TimestampMicrosecondType>();
    assert_eq!(t.value(0), micros("2024-05-01"));
    assert_eq!(t.value(1), micros("2024-05-01T12:00:00"));
    assert_eq!(t.value(2), micros("2024-05-01T12:00:00.123456"));
    assert_eq!(t.value(3), micros("2024-05-01T10:00:00"));
    assert_eq!(t.value(4), 1_714_521_600_000_000);
    assert_eq!(t.value(5), -1_000_000);
    // Epoch milliseconds are silently read as seconds (far future), like Spark.
    assert_eq!(t.value(6), 1_714_521_600_000 * 1_000_000);
    assert_eq!(t.value(7), micros("2024-05-01T11:00:00"));
    assert_eq!(b.schema().field(0).data_type(), &ts_type());
    for v in [
        "1.5",
        "1e3",
        "\"\"",
        "\"yesterday\"",
        "true",
        "\"2024-05-01T12:00Z\"",
    ] {
        bad(v, ts_type());
    }
}

#[test]
fn timestamps_use_the_time_zone_option() {
    let s = schema(vec![f("t", ts_type())]);
    let o = JsonOptions {
        time_zone: chrono_tz::Europe::Paris,
        ..JsonOptions::default()
    };
    let (b, _) = decode_with(
        b"{\"t\": \"2024-05-01 12:00:00\"}\n{\"t\": \"2024-05-01 12:00:00Z\"}",
        &s,
        &o,
    )
    .unwrap();
    let t = b.column(0).as_primitive::<TimestampMicrosecondType>();
    let utc = chrono_tz::Tz::UTC;
    assert_eq!(
        t.value(0),
        parse_timestamp_micros("2024-05-01 10:00:00", &utc).unwrap()
    );
    assert_eq!(
        t.value(1),
        parse_timestamp_micros("2024-05-01 12:00:00", &utc).unwrap()
    );
}

#[test]
fn timestamp_ntz_strings_without_zone() {
    let ntz = DataType::Timestamp(TimeUnit::Microsecond, None);
    let (v, is_bad) = one("\"2024-05-01T12:00:00.5\"", ntz.clone());
    assert!(!is_bad);
    assert_eq!(v, "2024-05-01T12:00:00.500");
    bad("\"2024-05-01T12:00:00Z\"", ntz.clone());
    bad("\"2024-05-01T12:00:00+01:00\"", ntz.clone());
    bad("1714521600", ntz.clone());
    bad("\"\"", ntz);
}

#[test]
fn binary_from_base64() {
    let s = schema(vec![f("v", DataType::Binary), corrupt()]);
    let (b, st) = decode(
        "{\"v\":\"aGVsbG8=\"}\n{\"v\":\"\"}\n{\"v\":\"!!\"}\n{\"v\":5}\n{\"v\":\"aGk\"}",
        &s,
    );
    let v = b.column(0).as_binary::<i32>();
    assert_eq!(v.value(0), b"hello");
    assert!(v.is_valid(1) && v.value(1).is_empty());
    assert!(v.is_null(2) && v.is_null(3) && v.is_null(4));
    assert_eq!(st.corrupt, 3);
}

#[test]
fn null_type_columns_ignore_values() {
    let (v, is_bad) = one("{\"any\": [1]}", DataType::Null);
    assert_eq!((v.as_str(), is_bad), ("NULL", false));
}

// ---------------------------------------------------------------- nested + partial results (6.3)

#[test]
fn arrays_null_entirely_on_a_bad_element() {
    let ints = list(DataType::Int32);
    assert_eq!(good("[1, 2]", ints.clone()), "[1, 2]");
    assert_eq!(good("[]", ints.clone()), "[]");
    assert_eq!(good("[null, 3]", ints.clone()), "[NULL, 3]");
    bad("[1, \"x\"]", ints.clone());
    bad("\"[1,2]\"", ints.clone());
    bad("{\"a\": 1}", ints.clone());
    let nested = list(list(DataType::Int32));
    assert_eq!(good("[[1], [], null]", nested.clone()), "[[1], [], NULL]");
    bad("[[1], [\"x\"]]", nested);
}

#[test]
fn structs_keep_partial_results() {
    let st = strct(vec![
        f("x", DataType::Int32),
        f("y", DataType::Int32),
        f("z", DataType::Utf8),
    ]);
    let s = schema(vec![
        f("id", DataType::Int64),
        f("s", st.clone()),
        corrupt(),
    ]);
    let line = "{\"id\": 1, \"s\": {\"x\": 1, \"y\": \"bad\", \"z\": \"ok\"}}";
    let (b, st_) = decode(line, &s);
    assert_eq!(
        rows(&b),
        [format!(
            "id=1 s={{x: 1, y: NULL, z: ok}} _corrupt_record={line}"
        )]
    );
    assert_eq!(st_.corrupt, 1);
    // A JSON-encoded string is not an object.
    bad("\"{\\\"x\\\": 1}\"", st.clone());
    assert_eq!(good("{\"x\": 2}", st.clone()), "{x: 2, y: NULL, z: NULL}");
    assert_eq!(good("null", st), "NULL");
}

#[test]
fn arrays_of_structs_keep_partial_elements() {
    let el = strct(vec![f("x", DataType::Int32), f("y", DataType::Utf8)]);
    let s = schema(vec![f("arr", list(el)), corrupt()]);
    let line = "{\"arr\": [{\"x\": 1, \"y\": \"a\"}, {\"x\": \"bad\", \"y\": \"b\"}, null]}";
    let (b, _) = decode(line, &s);
    assert_eq!(col(&b, "arr"), ["[{x: 1, y: a}, {x: NULL, y: b}, NULL]"]);
    assert_eq!(corrupt_col(&b), [Some(line.to_string())]);
    // A non-object element of an array of structs fails the whole array.
    let (b, _) = decode("{\"arr\": [{\"x\": 1}, 5]}", &s);
    assert_eq!(col(&b, "arr"), ["NULL"]);
}

#[test]
fn maps_with_string_keys() {
    let m = map_of(DataType::Int32);
    assert_eq!(
        good("{\"a\": 1, \"b\": null}", m.clone()),
        "{a: 1, b: NULL}"
    );
    assert_eq!(good("{}", m.clone()), "{}");
    bad("{\"a\": 1, \"b\": \"x\"}", m.clone());
    bad("[1]", m.clone());
    // Partial struct values are kept, like arrays of structs.
    let ms = map_of(strct(vec![
        f("x", DataType::Int32),
        f("y", DataType::Int32),
    ]));
    let (v, is_bad) = one("{\"k\": {\"x\": 1, \"y\": \"no\"}}", ms);
    assert_eq!(v, "{k: {x: 1, y: NULL}}");
    assert!(is_bad);
}

#[test]
fn deep_nesting_mixed() {
    let inner = strct(vec![
        f("n", DataType::Int64),
        f("tags", list(DataType::Utf8)),
    ]);
    let s = schema(vec![f(
        "outer",
        strct(vec![f("inner", inner), f("m", map_of(DataType::Float64))]),
    )]);
    let (b, st) = decode("{\"outer\": {\"inner\": {\"n\": 7, \"tags\": [\"a\", 1.50, {\"q\":1}]}, \"m\": {\"p\": 0.5}}}", &s);
    assert_eq!(
        col(&b, "outer"),
        ["{inner: {n: 7, tags: [a, 1.50, {\"q\":1}]}, m: {p: 0.5}}"]
    );
    assert_eq!(st.corrupt, 0);
}

// ---------------------------------------------------------------- parse modes (6.3)

#[test]
fn permissive_keeps_rows_and_fills_the_corrupt_column() {
    let s = schema(vec![
        f("a", DataType::Int64),
        corrupt(),
        f("b", DataType::Utf8),
    ]);
    let data = "{\"a\": 1, \"b\": \"x\"}\n{\"a\": \"no\", \"b\": \"y\"}\n{\"a\": 2, \"b\": \n{\"_corrupt_record\": \"fake\", \"a\": 3}";
    let (b, st) = decode(data, &s);
    assert_eq!(
        rows(&b),
        [
            "a=1 _corrupt_record=NULL b=x".to_string(),
            "a=NULL _corrupt_record={\"a\": \"no\", \"b\": \"y\"} b=y".to_string(),
            // Syntactically invalid: no partial result.
            "a=NULL _corrupt_record={\"a\": 2, \"b\":  b=NULL".to_string(),
            // The corrupt column is never filled from a key.
            "a=3 _corrupt_record=NULL b=NULL".to_string(),
        ]
    );
    assert_eq!(
        st,
        DecodeStats {
            rows: 4,
            corrupt: 2,
            dropped: 0
        }
    );
}

#[test]
fn permissive_without_corrupt_column_still_keeps_rows() {
    let s = schema(vec![f("a", DataType::Int64), f("b", DataType::Utf8)]);
    let (b, st) = decode("{\"a\": \"no\", \"b\": \"y\"}\n{bad json\n{\"a\": 1}", &s);
    assert_eq!(rows(&b), ["a=NULL b=y", "a=NULL b=NULL", "a=1 b=NULL"]);
    assert_eq!(st.corrupt, 2);
}

#[test]
fn array_line_with_one_bad_element_marks_every_row() {
    let s = schema(vec![f("a", DataType::Int64), corrupt()]);
    let line = "[{\"a\": 1}, {\"a\": \"x\"}, {\"a\": 3}]";
    let (b, st) = decode(line, &s);
    assert_eq!(col(&b, "a"), ["1", "NULL", "3"]);
    assert_eq!(corrupt_col(&b), vec![Some(line.to_string()); 3]);
    assert_eq!(st.corrupt, 1);
    let (b, st) = decode_with(
        format!("{line}\n[{{\"a\": 4}}]").as_bytes(),
        &s,
        &opts(ParseMode::DropMalformed),
    )
    .unwrap();
    assert_eq!(col(&b, "a"), ["4"]);
    assert_eq!(
        st,
        DecodeStats {
            rows: 1,
            corrupt: 0,
            dropped: 1
        }
    );
}

#[test]
fn drop_malformed_drops_whole_rows() {
    let s = schema(vec![
        f("a", DataType::Int64),
        f("s", strct(vec![f("x", DataType::Int32)])),
        corrupt(),
    ]);
    let data = "{\"a\": 1}\n{\"a\": 2, \"s\": {\"x\": \"bad\"}}\n{oops\n5\n{\"a\": 3}";
    let (b, st) = decode_with(data.as_bytes(), &s, &opts(ParseMode::DropMalformed)).unwrap();
    assert_eq!(col(&b, "a"), ["1", "3"]);
    assert_eq!(corrupt_col(&b), [None, None]);
    assert_eq!(
        st,
        DecodeStats {
            rows: 2,
            corrupt: 0,
            dropped: 3
        }
    );
}

#[test]
fn fail_fast_names_file_and_line() {
    let s = schema(vec![f("a", DataType::Int64)]);
    let o = opts(ParseMode::FailFast);
    let (b, _) = decode_with(b"{\"a\": 1}\n{\"a\": 2}", &s, &o).unwrap();
    assert_eq!(b.num_rows(), 2);
    let err = decode_with(b"{\"a\": 1}\n\n{\"a\": \"x\"}\n", &s, &o).unwrap_err();
    let JsonError::MalformedRecord { file, line, reason } = &err else {
        panic!("{err}")
    };
    assert_eq!((file.as_str(), *line), ("data/f.json", 3));
    assert!(
        reason.contains("'a'") && reason.contains("BIGINT"),
        "{reason}"
    );
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "Malformed records are detected in record parsing: file data/f.json, line 3: "
        ),
        "{msg}"
    );
    assert!(msg.ends_with(". Parse Mode: FAILFAST."), "{msg}");
    let err = decode_with(b"{\"a\": 1}\r\n{\"a\" 1}", &s, &o).unwrap_err();
    assert!(
        matches!(err, JsonError::MalformedRecord { line: 2, .. }),
        "{err}"
    );
    let nested = schema(vec![f("s", strct(vec![f("t", list(DataType::Int32))]))]);
    let err = decode_with(b"{\"s\": {\"t\": [1, true]}}", &nested, &o).unwrap_err();
    assert!(err.to_string().contains("field 's.t'"), "{err}");
}

// ---------------------------------------------------------------- encoding

#[test]
fn invalid_utf8_follows_jackson() {
    // Checked against Spark 4.0.1 (tests/golden json_read/invalid_utf8_*).
    let s = schema(vec![
        f("a", DataType::Int64),
        f("s", DataType::Utf8),
        f("t", DataType::Utf8),
        corrupt(),
    ]);
    let d = |data: &[u8]| decode_with(data, &s, &JsonOptions::default()).unwrap();
    // A bad byte mid-string leaves Jackson mid-string: no partial result.
    let (b, st) = d(b"{\"a\": 1, \"s\": \"bad\xffx\", \"t\": \"ok\"}\n{\"a\": 2}");
    assert_eq!(col(&b, "a"), ["NULL", "2"]);
    assert_eq!(
        corrupt_col(&b),
        [
            Some("{\"a\": 1, \"s\": \"bad\u{FFFD}x\", \"t\": \"ok\"}".to_string()),
            None
        ]
    );
    assert_eq!(st.corrupt, 1);
    // A sequence cut short by the closing quote: Jackson consumed the quote and goes on.
    let (b, _) = d(b"{\"a\": 1, \"s\": \"caf\xc3\", \"t\": \"ok\"}");
    assert_eq!(
        (col(&b, "a"), col(&b, "s"), col(&b, "t")),
        (
            vec!["1".to_string()],
            vec!["NULL".to_string()],
            vec!["ok".to_string()]
        )
    );
    assert!(corrupt_col(&b)[0].is_some());
    // Invalid bytes in a name, or in a skipped field, leave nothing to keep.
    let (b, _) = d(b"{\"a\xff\": 1, \"a\": 1}");
    assert_eq!(col(&b, "a"), ["NULL"]);
    let (b, _) = d(b"{\"a\": 3, \"zz\": \"\xc3\"}");
    assert_eq!(col(&b, "a"), ["NULL"]);
    assert!(corrupt_col(&b)[0].is_some());
    // Overlong forms decode; bytes after the first value are never read.
    let (b, _) = d(b"{\"a\": 1, \"s\": \"\xc0\xaf\"}\n{\"a\": 2} \xff");
    assert_eq!(col(&b, "s"), ["/", "NULL"]);
    assert_eq!(corrupt_col(&b), [None, None]);
    let err = decode_with(
        b"{\"a\": 3, \"zz\": \"\xc3\"}",
        &s,
        &opts(ParseMode::FailFast),
    )
    .unwrap_err();
    assert!(err.to_string().contains("invalid UTF-8"), "{err}");
}

#[test]
fn single_quotes_follow_the_option() {
    let s = schema(vec![f("a", DataType::Utf8), corrupt()]);
    let (b, _) = decode("{'a': 'it\\'s \"q\"'}", &s);
    assert_eq!(col(&b, "a"), ["it's \"q\""]);
    let o = JsonOptions {
        allow_single_quotes: false,
        ..JsonOptions::default()
    };
    let (b, st) = decode_with(b"{'a': 'x'}", &s, &o).unwrap();
    assert_eq!(col(&b, "a"), ["NULL"]);
    assert_eq!(st.corrupt, 1);
}

// ---------------------------------------------------------------- schema handling

#[test]
fn output_schema_is_nullable_and_in_declared_order() {
    let s = Arc::new(Schema::new(vec![
        Field::new("b", DataType::Int32, false),
        Field::new(
            "s",
            strct(vec![Field::new("x", DataType::Int16, false)]),
            false,
        ),
        Field::new(
            "l",
            DataType::List(Arc::new(Field::new("element", DataType::Int8, false))),
            false,
        ),
        Field::new(CORRUPT, DataType::Utf8, false),
    ]));
    let (b, _) = decode("{\"b\": 1}", &s);
    let out = b.schema();
    assert_eq!(
        out.fields()
            .iter()
            .map(|f| f.name().as_str())
            .collect::<Vec<_>>(),
        ["b", "s", "l", CORRUPT]
    );
    assert!(out.fields().iter().all(|f| f.is_nullable()));
    let DataType::Struct(inner) = out.field(1).data_type() else {
        panic!()
    };
    assert!(inner[0].is_nullable());
    let DataType::List(el) = out.field(2).data_type() else {
        panic!()
    };
    assert!(el.is_nullable());
    assert_eq!(output_schema(&s, &JsonOptions::default()).unwrap(), out);
    assert_eq!(rows(&b), ["b=1 s=NULL l=NULL _corrupt_record=NULL"]);
}

#[test]
fn custom_corrupt_column_name() {
    let s = schema(vec![
        f("a", DataType::Int64),
        f("bad_rows", DataType::Utf8),
        f(CORRUPT, DataType::Utf8),
    ]);
    let o = JsonOptions {
        column_name_of_corrupt_record: "bad_rows".to_string(),
        ..JsonOptions::default()
    };
    let (b, _) = decode_with(b"{\"a\": \"x\", \"_corrupt_record\": \"data\"}", &s, &o).unwrap();
    assert_eq!(
        rows(&b),
        ["a=NULL bad_rows={\"a\": \"x\", \"_corrupt_record\": \"data\"} _corrupt_record=data"]
    );
}

#[test]
fn schema_errors() {
    let s = schema(vec![f(CORRUPT, DataType::Int32)]);
    assert!(matches!(
        decode_with(b"{}", &s, &JsonOptions::default()),
        Err(JsonError::InvalidSchema(_))
    ));
    let s = schema(vec![f("a", DataType::UInt64)]);
    assert!(matches!(
        decode_with(b"{}", &s, &JsonOptions::default()),
        Err(JsonError::InvalidSchema(_))
    ));
    let s = schema(vec![f("a", DataType::Int32), f("a", DataType::Utf8)]);
    assert!(matches!(
        decode_with(b"{}", &s, &JsonOptions::default()),
        Err(JsonError::InvalidSchema(_))
    ));
    let s = schema(vec![f(
        "s",
        strct(vec![f("x", DataType::Int32), f("x", DataType::Int32)]),
    )]);
    assert!(matches!(
        decode_with(b"{}", &s, &JsonOptions::default()),
        Err(JsonError::InvalidSchema(_))
    ));
}

#[test]
fn spark_sql_case_sensitive_decides_whether_fields_may_differ_by_case() {
    let s = schema(vec![f("a", DataType::Int32), f("A", DataType::Int32)]);
    let err = decode_with(b"{}", &s, &JsonOptions::default())
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("[COLUMN_ALREADY_EXISTS] The column `a` already exists"),
        "{err}"
    );
    let nested = schema(vec![f(
        "s",
        strct(vec![f("x", DataType::Int32), f("X", DataType::Int32)]),
    )]);
    assert!(decode_with(b"{}", &nested, &JsonOptions::default()).is_err());
    // With spark.sql.caseSensitive=true both are fields, and keys still match exactly.
    let cs = JsonOptions {
        case_sensitive: true,
        ..JsonOptions::default()
    };
    let (b, _) = decode_with(b"{\"a\":1,\"A\":2}\n{\"A\":3}\n", &s, &cs).expect("decode");
    assert_eq!(rows(&b), vec!["a=1 A=2", "a=NULL A=3"]);
    assert!(decode_with(b"{}", &nested, &cs).is_ok());
    let conf = std::collections::HashMap::from([(
        "spark.sql.caseSensitive".to_string(),
        "TRUE".to_string(),
    )]);
    let o = JsonOptions::from_options_and_conf(&Default::default(), &conf).unwrap();
    assert!(o.case_sensitive);
    assert!(!JsonOptions::default().case_sensitive);
}

#[test]
fn date_and_timestamp_formats() {
    let s = schema(vec![f("d", DataType::Date32), f("t", ts_type()), corrupt()]);
    let o = JsonOptions {
        date_format: Some("dd/MM/yyyy".to_string()),
        timestamp_format: Some("dd/MM/yyyy HH:mm".to_string()),
        ..JsonOptions::default()
    };
    let (b, _) = decode_with(
        b"{\"d\":\"01/05/2024\",\"t\":\"01/05/2024 10:30\"}\n{\"d\":\"2024-05-01\",\"t\":1}\n",
        &s,
        &o,
    )
    .unwrap();
    assert_eq!(col(&b, "d"), vec!["2024-05-01", "NULL"]);
    assert_eq!(col(&b, CORRUPT)[0], "NULL");
    assert_ne!(
        col(&b, CORRUPT)[1],
        "NULL",
        "no CAST-style fallback once a format is set"
    );
    // An invalid pattern makes every DATE string bad (Spark notices it per value), not the read.
    let bad = JsonOptions {
        date_format: Some("yyyy-MM-dd bb".to_string()),
        ..JsonOptions::default()
    };
    let (b, _) = decode_with(b"{\"d\":\"2024-05-01\"}\n{}\n", &s, &bad).unwrap();
    assert_eq!(col(&b, "d"), vec!["NULL", "NULL"]);
    assert_ne!(col(&b, CORRUPT)[0], "NULL");
    assert_eq!(col(&b, CORRUPT)[1], "NULL");
}

#[test]
fn zero_column_schema_counts_rows() {
    let s = schema(vec![]);
    let (b, st) = decode("{\"a\":1}\n\n[{}, {}]\n", &s);
    assert_eq!(b.num_rows(), 3);
    assert_eq!(st.rows, 3);
}

#[test]
fn all_primitive_types_in_one_record() {
    let s = schema(vec![
        f("s", DataType::Utf8),
        f("b", DataType::Boolean),
        f("i8", DataType::Int8),
        f("i16", DataType::Int16),
        f("i32", DataType::Int32),
        f("i64", DataType::Int64),
        f("f32", DataType::Float32),
        f("f64", DataType::Float64),
        f("dec", DataType::Decimal128(10, 3)),
        f("d", DataType::Date32),
        f("t", ts_type()),
        f("ntz", DataType::Timestamp(TimeUnit::Microsecond, None)),
        f("bin", DataType::Binary),
        corrupt(),
    ]);
    let line = r#"{"s":"x","b":true,"i8":-1,"i16":300,"i32":70000,"i64":-5,"f32":1.5,"f64":2.5,"dec":"1.2345","d":"2020-02-29","t":0,"ntz":"1970-01-01 00:00:01","bin":"AAE="}"#;
    let (b, st) = decode(line, &s);
    assert_eq!(st.corrupt, 0, "{:?}", corrupt_col(&b));
    assert_eq!(b.column(2).as_primitive::<Int8Type>().value(0), -1);
    assert_eq!(b.column(3).as_primitive::<Int16Type>().value(0), 300);
    assert_eq!(b.column(4).as_primitive::<Int32Type>().value(0), 70000);
    assert_eq!(b.column(5).as_primitive::<Int64Type>().value(0), -5);
    assert_eq!(b.column(8).as_primitive::<Decimal128Type>().value(0), 1235);
    assert_eq!(
        b.column(10)
            .as_primitive::<TimestampMicrosecondType>()
            .value(0),
        0
    );
    assert_eq!(
        b.column(11)
            .as_primitive::<TimestampMicrosecondType>()
            .value(0),
        1_000_000
    );
    assert_eq!(b.column(12).as_binary::<i32>().value(0), [0u8, 1]);
    assert_eq!(col(&b, "d"), ["2020-02-29"]);
}
