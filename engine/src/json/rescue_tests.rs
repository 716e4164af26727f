//! Tests of the rescued-data column (`rescuedDataColumn`, see `rescue.rs` for the rules).

use std::collections::HashMap;
use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};

use super::*;

const RESCUED: &str = "_rescued_data";

fn schema(fields: Vec<Field>) -> SchemaRef {
    Arc::new(Schema::new(fields))
}

fn f(name: &str, dt: DataType) -> Field {
    Field::new(name, dt, true)
}

fn rescued() -> Field {
    f(RESCUED, DataType::Utf8)
}

fn with_rescue(mode: ParseMode) -> JsonOptions {
    JsonOptions {
        mode,
        rescued_data_column: Some(RESCUED.to_string()),
        ..JsonOptions::default()
    }
}

fn decode(data: &str, s: &SchemaRef, o: &JsonOptions) -> RecordBatch {
    decode_json_lines(data.as_bytes(), "dir/f.json", s, o)
        .expect("decode")
        .0
}

/// A string column's values (None for nulls).
fn strings(b: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let c = b.column_by_name(name).expect("column");
    let c = c.as_string::<i32>();
    (0..c.len())
        .map(|i| (!c.is_null(i)).then(|| c.value(i).to_string()))
        .collect()
}

fn ints(b: &RecordBatch, name: &str) -> Vec<Option<i32>> {
    let c = b.column_by_name(name).expect("column");
    let c = c.as_primitive::<arrow::datatypes::Int32Type>();
    (0..c.len())
        .map(|i| (!c.is_null(i)).then(|| c.value(i)))
        .collect()
}

fn some(s: &str) -> Option<String> {
    Some(s.to_string())
}

#[test]
fn unknown_keys_are_rescued_with_the_file_path() {
    let s = schema(vec![f("a", DataType::Int32), rescued()]);
    let b = decode(
        "{\"a\":1}\n{\"a\":2,\"b\":\"x\",\"c\":[1, {\"d\": null}]}\n",
        &s,
        &with_rescue(ParseMode::Permissive),
    );
    assert_eq!(ints(&b, "a"), vec![Some(1), Some(2)]);
    assert_eq!(
        strings(&b, RESCUED),
        vec![
            None,
            some(r#"{"b":"x","c":[1,{"d":null}],"_file_path":"dir/f.json"}"#)
        ]
    );
}

#[test]
fn type_mismatches_null_the_field_and_keep_the_raw_value() {
    let s = schema(vec![
        f("a", DataType::Int32),
        f("b", DataType::Boolean),
        f("c", DataType::Utf8),
        f("_corrupt_record", DataType::Utf8),
        rescued(),
    ]);
    let b = decode(
        r#"{"a":"5","b":1,"c":{"x":1}}"#,
        &s,
        &with_rescue(ParseMode::Permissive),
    );
    assert_eq!(ints(&b, "a"), vec![None]);
    assert_eq!(strings(&b, "c"), vec![some(r#"{"x":1}"#)]);
    // Not a bad record: no corrupt text.
    assert_eq!(strings(&b, "_corrupt_record"), vec![None]);
    assert_eq!(
        strings(&b, RESCUED),
        vec![some(r#"{"a":"5","b":1,"_file_path":"dir/f.json"}"#)]
    );
}

#[test]
fn case_mismatches_are_rescued_unless_reader_case_insensitive() {
    let s = schema(vec![f("name", DataType::Utf8), rescued()]);
    let data = r#"{"Name":"a","name":"b"}"#;
    let b = decode(data, &s, &with_rescue(ParseMode::Permissive));
    assert_eq!(strings(&b, "name"), vec![some("b")]);
    assert_eq!(
        strings(&b, RESCUED),
        vec![some(r#"{"Name":"a","_file_path":"dir/f.json"}"#)]
    );
    // readerCaseSensitive=false: `Name` fills `name` too (duplicate keys: the last one wins).
    let o = JsonOptions {
        reader_case_sensitive: false,
        ..with_rescue(ParseMode::Permissive)
    };
    let b = decode(r#"{"NAME":"a"}"#, &s, &o);
    assert_eq!(strings(&b, "name"), vec![some("a")]);
    assert_eq!(strings(&b, RESCUED), vec![None]);
    let b = decode(data, &s, &o);
    assert_eq!(strings(&b, "name"), vec![some("b")]);
    assert_eq!(strings(&b, RESCUED), vec![None]);
}

#[test]
fn rescued_records_survive_dropmalformed_and_failfast() {
    let s = schema(vec![f("a", DataType::Int32), rescued()]);
    let data = "{\"a\":1}\n{\"a\":\"x\"}\n{\"a\":3,\"z\":true}\n";
    for mode in [ParseMode::DropMalformed, ParseMode::FailFast] {
        let b = decode(data, &s, &with_rescue(mode));
        assert_eq!(ints(&b, "a"), vec![Some(1), None, Some(3)], "{mode:?}");
        assert_eq!(
            strings(&b, RESCUED),
            vec![
                None,
                some(r#"{"a":"x","_file_path":"dir/f.json"}"#),
                some(r#"{"z":true,"_file_path":"dir/f.json"}"#)
            ]
        );
    }
    // Malformed JSON is still bad: dropped, fails, or corrupt with NULL rescued data.
    let bad = "{\"a\":1}\n{\"a\":\n";
    let b = decode(bad, &s, &with_rescue(ParseMode::DropMalformed));
    assert_eq!(b.num_rows(), 1);
    assert!(decode_json_lines(bad.as_bytes(), "f", &s, &with_rescue(ParseMode::FailFast)).is_err());
    let s2 = schema(vec![
        f("a", DataType::Int32),
        f("_corrupt_record", DataType::Utf8),
        rescued(),
    ]);
    let b = decode(bad, &s2, &with_rescue(ParseMode::Permissive));
    assert_eq!(strings(&b, "_corrupt_record"), vec![None, some("{\"a\":")]);
    assert_eq!(strings(&b, RESCUED), vec![None, None]);
}

#[test]
fn the_option_alone_changes_the_mode_even_if_the_column_is_not_read() {
    let s = schema(vec![f("a", DataType::Int32)]);
    let b = decode(
        "{\"a\":\"x\"}\n{\"a\":2}\n",
        &s,
        &with_rescue(ParseMode::DropMalformed),
    );
    assert_eq!(ints(&b, "a"), vec![None, Some(2)]);
}

#[test]
fn nested_mismatches_use_dotted_paths() {
    let s = schema(vec![
        f(
            "s",
            DataType::Struct(Fields::from(vec![
                f("x", DataType::Int32),
                f("y", DataType::Utf8),
            ])),
        ),
        f(
            "arr",
            DataType::List(Arc::new(f(
                "element",
                DataType::Struct(Fields::from(vec![f("k", DataType::Int32)])),
            ))),
        ),
        f(
            "ints",
            DataType::List(Arc::new(f("element", DataType::Int32))),
        ),
        rescued(),
    ]);
    let b = decode(
        r#"{"s":{"x":"bad","y":"ok","extra":1},"arr":[{"k":1},{"k":2,"q":'w'}],"ints":[1,"2"]}"#,
        &s,
        &with_rescue(ParseMode::FailFast),
    );
    let st = b.column_by_name("s").unwrap().as_struct();
    assert!(st.is_valid(0));
    assert!(st.column(0).is_null(0));
    assert_eq!(st.column(1).as_string::<i32>().value(0), "ok");
    // A bad element nulls the whole array (Spark), which is rescued whole.
    assert!(b.column_by_name("ints").unwrap().is_null(0));
    assert!(b.column_by_name("arr").unwrap().is_valid(0));
    assert_eq!(
        strings(&b, RESCUED),
        vec![some(
            r#"{"s.x":"bad","s.extra":1,"arr[1].q":"w","ints":[1,"2"],"_file_path":"dir/f.json"}"#
        )]
    );
    // An array nulled by a bad element is rescued once, whole.
    let b = decode(
        r#"{"arr":[{"k":"x"},7]}"#,
        &s,
        &with_rescue(ParseMode::Permissive),
    );
    assert!(b.column_by_name("arr").unwrap().is_null(0));
    assert_eq!(
        strings(&b, RESCUED),
        vec![some(r#"{"arr":[{"k":"x"},7],"_file_path":"dir/f.json"}"#)]
    );
}

#[test]
fn struct_given_a_scalar_and_map_values_are_rescued() {
    let kv = Fields::from(vec![
        Field::new("key", DataType::Utf8, false),
        Field::new(
            "value",
            DataType::Struct(Fields::from(vec![f("n", DataType::Int32)])),
            true,
        ),
    ]);
    let map = DataType::Map(
        Arc::new(Field::new("key_value", DataType::Struct(kv), false)),
        false,
    );
    let s = schema(vec![
        f(
            "s",
            DataType::Struct(Fields::from(vec![f("x", DataType::Int32)])),
        ),
        f("m", map),
        rescued(),
    ]);
    let b = decode(
        r#"{"s":"{\"x\":1}","m":{"k1":{"n":1,"o":2},"k.2":{"n":NaN}}}"#,
        &s,
        &with_rescue(ParseMode::Permissive),
    );
    assert!(b.column_by_name("s").unwrap().is_null(0));
    assert!(b.column_by_name("m").unwrap().is_valid(0));
    assert_eq!(
        strings(&b, RESCUED),
        vec![some(
            r#"{"s":"{\"x\":1}","m.k1.o":2,"m.k.2.n":"NaN","_file_path":"dir/f.json"}"#
        )]
    );
}

#[test]
fn duplicate_keys_keep_the_last_good_value_and_rescue_bad_ones() {
    let s = schema(vec![f("a", DataType::Int32), rescued()]);
    let b = decode(
        "{\"a\":1,\"a\":\"x\"}\n{\"a\":\"y\",\"b\":0,\"a\":2}\n",
        &s,
        &with_rescue(ParseMode::DropMalformed),
    );
    assert_eq!(ints(&b, "a"), vec![Some(1), Some(2)]);
    assert_eq!(
        strings(&b, RESCUED),
        vec![
            some(r#"{"a":"x","_file_path":"dir/f.json"}"#),
            some(r#"{"b":0,"a":"y","_file_path":"dir/f.json"}"#)
        ]
    );
}

#[test]
fn array_records_rescue_per_row_and_file_path_can_be_off() {
    let s = schema(vec![f("a", DataType::Int32), rescued()]);
    let o = JsonOptions {
        rescued_file_path: false,
        ..with_rescue(ParseMode::Permissive)
    };
    let b = decode(r#"[{"a":1,"b":"\u00e9\n"},{"a":2},{"a":true}]"#, &s, &o);
    assert_eq!(ints(&b, "a"), vec![Some(1), Some(2), None]);
    assert_eq!(
        strings(&b, RESCUED),
        vec![some("{\"b\":\"é\\n\"}"), None, some(r#"{"a":true}"#)]
    );
}

#[test]
fn column_position_type_and_name_checks() {
    // The rescued column can sit anywhere, also before the corrupt column.
    let s = schema(vec![
        rescued(),
        f("a", DataType::Int32),
        f("_corrupt_record", DataType::Utf8),
    ]);
    let b = decode(
        "{\"a\":1,\"b\":2}\nnope\n",
        &s,
        &with_rescue(ParseMode::Permissive),
    );
    assert_eq!(b.schema().field(0).name(), RESCUED);
    assert_eq!(
        strings(&b, RESCUED),
        vec![some(r#"{"b":2,"_file_path":"dir/f.json"}"#), None]
    );
    assert_eq!(strings(&b, "_corrupt_record"), vec![None, some("nope")]);
    // A key named like the rescued column is data that did not fit.
    let b = decode(
        r#"{"a":1,"_rescued_data":"x"}"#,
        &s,
        &with_rescue(ParseMode::Permissive),
    );
    assert_eq!(
        strings(&b, RESCUED),
        vec![some(r#"{"_rescued_data":"x","_file_path":"dir/f.json"}"#)]
    );
    let bad_type = schema(vec![f(RESCUED, DataType::Int32)]);
    let err = decode_json_lines(b"{}", "f", &bad_type, &with_rescue(ParseMode::Permissive))
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("rescued data (_rescued_data) must be string type"),
        "{err}"
    );
    let same = JsonOptions {
        rescued_data_column: Some("_corrupt_record".to_string()),
        ..JsonOptions::default()
    };
    assert!(decode_json_lines(b"{}", "f", &schema(vec![]), &same).is_err());
}

#[test]
fn option_keys() {
    let map = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let o = JsonOptions::from_options_and_conf(
        &map(&[
            ("RESCUEDDATACOLUMN", "_r"),
            ("readerCaseSensitive", "false"),
        ]),
        &map(&[(
            "spark.databricks.sql.rescuedDataColumn.filePath.enabled",
            "false",
        )]),
    )
    .unwrap();
    assert_eq!(o.rescued_data_column.as_deref(), Some("_r"));
    assert!(!o.reader_case_sensitive && !o.rescued_file_path);
    let d = JsonOptions::default();
    assert!(d.rescued_data_column.is_none() && d.reader_case_sensitive && d.rescued_file_path);
}
