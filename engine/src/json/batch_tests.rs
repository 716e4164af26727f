//! Tests of `decode_json_batches`: however the input is cut into batches, the batches together
//! hold exactly the rows, corrupt/rescued text and counts of `decode_json_lines`, and errors
//! point at the same line.

use std::sync::Arc;

use arrow::array::RecordBatch;
use arrow::compute::concat_batches;
use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};

use super::*;

fn f(name: &str, dt: DataType) -> Field {
    Field::new(name, dt, true)
}

fn nested_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        f("a", DataType::Int64),
        f("s", DataType::Utf8),
        f(
            "l",
            DataType::List(Arc::new(Field::new("element", DataType::Int32, true))),
        ),
        f(
            "st",
            DataType::Struct(Fields::from(vec![f("x", DataType::Float64)])),
        ),
        f("_corrupt_record", DataType::Utf8),
        f("_rescued_data", DataType::Utf8),
    ]))
}

/// Lines with everything that ends or spans records differently: blank lines, CRLF, bad lines,
/// a bad value (partial result), top-level arrays (several rows from one record).
fn mixed_input(n: usize) -> String {
    let mut out = String::new();
    for i in 0..n {
        match i % 7 {
            0 => out.push_str(&format!(
                "{{\"a\": {i}, \"s\": \"r{i}\", \"l\": [1, {i}], \"st\": {{\"x\": 1.5}}}}\n"
            )),
            1 => out.push('\n'),
            2 => out.push_str(&format!(
                "{{\"a\": {i}, \"s\": \"crlf\", \"extra\": 3}}\r\n"
            )),
            3 => out.push_str("{\"a\": \"oops\", \"s\": \"partial\"}\n"),
            4 => out.push_str("{\"a\": 1, \"s\": \"broken\n"),
            5 => out.push_str(&format!(
                "[{{\"a\": {i}}}, {{\"a\": {}}}, {{\"s\": \"e\"}}]\n",
                i + 1
            )),
            _ => out.push_str(&format!("{{\"s\": \"caf\u{e9} {i}\", \"l\": null}}\n")),
        }
    }
    out
}

/// The batches of `decode_json_batches` and its stats.
fn batches(
    data: &[u8],
    s: &SchemaRef,
    o: &JsonOptions,
    size: BatchSize,
) -> Result<(Vec<RecordBatch>, DecodeStats), JsonError> {
    let mut out = vec![];
    let stats = decode_json_batches(data, "d/f.json", s, o, size, |b| out.push(b))?;
    Ok((out, stats))
}

/// Decodes `data` whole and in batches of each size, and checks they agree.
fn check_same(data: &[u8], s: &SchemaRef, o: &JsonOptions) {
    let (whole, whole_stats) = decode_json_lines(data, "d/f.json", s, o).expect("decode");
    for size in [
        BatchSize {
            rows: 1,
            ..BatchSize::UNBOUNDED
        },
        BatchSize {
            rows: 2,
            ..BatchSize::UNBOUNDED
        },
        BatchSize {
            rows: 5000,
            ..BatchSize::UNBOUNDED
        },
        BatchSize {
            input_bytes: 100,
            ..BatchSize::UNBOUNDED
        },
        BatchSize::default(),
    ] {
        let (parts, stats) = batches(data, s, o, size).expect("decode in batches");
        assert_eq!(stats, whole_stats, "{size:?}");
        let joined = concat_batches(&whole.schema(), &parts).expect("concat");
        assert_eq!(joined, whole, "{size:?}");
        assert!(parts.iter().all(|b| b.num_rows() > 0), "{size:?}");
    }
}

#[test]
fn batches_together_equal_one_batch_in_every_mode() {
    let s = nested_schema();
    // Enough lines that a 5000-row batch is presized after its first 1024 lines.
    let data = mixed_input(10_000);
    for mode in [
        ParseMode::Permissive,
        ParseMode::DropMalformed,
        ParseMode::FailFast,
    ] {
        let o = JsonOptions {
            mode,
            rescued_data_column: Some("_rescued_data".to_string()),
            ..JsonOptions::default()
        };
        if mode == ParseMode::FailFast {
            let clean: String = data
                .lines()
                .filter(|l| !l.contains("oops") && !l.contains("broken"))
                .map(|l| format!("{l}\n"))
                .collect();
            check_same(clean.as_bytes(), &s, &o);
        } else {
            check_same(data.as_bytes(), &s, &o);
        }
    }
    // Without the rescued-data column the bad value makes a partial result in PERMISSIVE.
    let s = Arc::new(Schema::new(s.fields()[..5].to_vec()));
    check_same(data.as_bytes(), &s, &JsonOptions::default());
}

#[test]
fn a_records_rows_stay_in_one_batch() {
    let s = nested_schema();
    let data = "{\"a\": 1}\n[{\"a\": 2}, {\"a\": 3}, {\"a\": 4}]\n{\"a\": 5}\n";
    let size = BatchSize {
        rows: 2,
        ..BatchSize::UNBOUNDED
    };
    let (parts, stats) = batches(data.as_bytes(), &s, &JsonOptions::default(), size).unwrap();
    let rows: Vec<usize> = parts.iter().map(RecordBatch::num_rows).collect();
    // The array's three rows end the batch they start, however far past the bound.
    assert_eq!(rows, [4, 1]);
    assert_eq!(stats.rows, 5);
}

#[test]
fn other_framings_split_the_same_way() {
    let s = nested_schema();
    let data = mixed_input(40);
    let sep = JsonOptions {
        line_sep: Some("\n".to_string()),
        ..JsonOptions::default()
    };
    check_same(data.as_bytes(), &s, &sep);
    let utf16 = JsonOptions {
        encoding: Some(Charset::Utf16Le),
        line_sep: Some("\n".to_string()),
        ..JsonOptions::default()
    };
    let mut encoded = Charset::Utf16Le.encode(&data);
    // A lone surrogate: a record that does not decode in the charset.
    encoded.extend_from_slice(&[0x00, 0xD8, b'\n', 0]);
    check_same(&encoded, &s, &utf16);
    let multi = JsonOptions {
        multi_line: true,
        ..JsonOptions::default()
    };
    check_same(b"[{\"a\": 1},\n {\"a\": 2}]", &s, &multi);
}

#[test]
fn empty_input_gives_one_empty_batch() {
    let s = nested_schema();
    for data in ["", "\n\n"] {
        let (parts, stats) = batches(
            data.as_bytes(),
            &s,
            &JsonOptions::default(),
            BatchSize::default(),
        )
        .unwrap();
        assert_eq!(parts.len(), 1);
        assert_eq!(parts[0].num_rows(), 0);
        assert_eq!(
            parts[0].schema(),
            output_schema(&s, &JsonOptions::default()).unwrap()
        );
        assert_eq!(stats, DecodeStats::default());
    }
}

#[test]
fn failfast_names_the_line_counted_from_the_start_of_the_input() {
    let s = nested_schema();
    let mut data = "{\"a\": 1}\n".repeat(10);
    data.push_str("{\"a\": 1, \"s\": \"broken\n");
    let o = JsonOptions {
        mode: ParseMode::FailFast,
        ..JsonOptions::default()
    };
    let whole = decode_json_lines(data.as_bytes(), "d/f.json", &s, &o).unwrap_err();
    let size = BatchSize {
        rows: 3,
        ..BatchSize::UNBOUNDED
    };
    let mut handed = 0;
    let batched = decode_json_batches(data.as_bytes(), "d/f.json", &s, &o, size, |b| {
        handed += b.num_rows()
    })
    .unwrap_err();
    assert_eq!(batched.to_string(), whole.to_string());
    assert!(whole.to_string().contains("line 11"), "{whole}");
    // The full batches before the bad line were handed over; the tenth row's batch was not.
    assert_eq!(handed, 9);
}
