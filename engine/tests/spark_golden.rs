//! Golden cases from real PySpark 4.0.1 (issue 5), run through spate in-process.
//!
//! `tests/golden/<area>.golden.json` holds each case (input JSON Lines, schema, reader options,
//! Spark confs, SQL) with Spark's answer: the result schema and rows, or the error. This test
//! decodes the input with spate's JSON reader (only the columns the query reads, as Spark prunes
//! its read schema), runs the SQL in a spate session and compares
//! exactly, values in the encoding `tests/golden/generate.py` documents (floats as Java's
//! `Double.toString` text, timestamps as UTC text with microseconds).
//!
//! `tests/golden/known_gaps.json` lists the cases spate still gets wrong, each with a one-line
//! reason: the test checks they still differ, so fixing one fails the test until its entry is
//! removed, and every entry must name an existing case.
//!
//! `SPATE_GOLDEN_CASE=substring` runs only matching cases; `SPATE_GOLDEN_SHOW=1` prints every
//! difference, known gaps included. Regenerate the goldens with `tests/golden/generate.py`.

use spate_engine::sql::functions::spark_cast::{java_double, java_float};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use arrow::array::{new_null_array, Array, ArrayRef, AsArray, RecordBatch, RecordBatchOptions};
use arrow::datatypes::{
    DataType, Date32Type, Date64Type, Decimal128Type, DurationMicrosecondType, Float32Type,
    Float64Type, Int16Type, Int32Type, Int64Type, Int8Type, IntervalUnit, IntervalYearMonthType,
    TimeUnit, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use base64::Engine as _;
use datafusion::datasource::MemTable;
use serde_json::{json, Map, Value};
use spate_engine::datetime::interval;
use spate_engine::json::{decode_json_lines, output_schema, pruned_schema, JsonOptions};
use spate_engine::schema::{parse_schema_with, spark_field_type_name, SchemaOptions};
use spate_engine::sql::session::{new_context, plan_sql, read_columns, Settings};

/// What a case produced: the result schema as (name, Spark type) and rows, or an error message.
type Outcome = Result<(Vec<(String, String)>, Vec<Vec<Value>>), String>;

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../tests/golden")
}

fn load(area: &str) -> Vec<Value> {
    let path = golden_dir().join(format!("{area}.golden.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn known_gaps() -> HashMap<String, String> {
    let path = golden_dir().join("known_gaps.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn str_map(v: Option<&Value>) -> HashMap<String, String> {
    v.and_then(Value::as_object)
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap_or_default().to_string()))
                .collect()
        })
        .unwrap_or_default()
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("hex"))
        .collect()
}

/// Runs one case through spate: JSON reader -> view `t` -> SQL.
async fn run_spate(case: &Value) -> Outcome {
    let mut settings = Settings::default();
    for (k, v) in str_map(case.get("conf")) {
        settings.set(&k, &v);
    }
    let ansi = settings.ansi().map_err(|e| e.to_string())?;
    let ctx = new_context(&settings).map_err(|e| e.to_string())?;
    let input = match (case.get("input"), case.get("input_hex")) {
        (Some(Value::String(s)), _) => Some(s.as_bytes().to_vec()),
        (_, Some(Value::String(h))) => Some(hex(h)),
        _ => None,
    };
    let sql = case["sql"].as_str().ok_or("no sql")?;
    if let Some(data) = input {
        let text = case["schema"]
            .as_str()
            .ok_or("a case with input needs a schema")?;
        let schema_opts =
            SchemaOptions::from_conf(&str_map(case.get("conf"))).map_err(|e| e.to_string())?;
        // The reader sees the session's confs the way Spark's JSONOptions does.
        let opts = JsonOptions::from_options_and_conf(
            &str_map(case.get("options")),
            &str_map(case.get("conf")),
        )
        .map_err(|e| e.to_string())?;
        let schema = Arc::new(parse_schema_with(text, &schema_opts).map_err(|e| e.to_string())?);
        // Like Spark, parse only the columns the query reads: plan against an empty table first.
        let full = output_schema(&schema, &opts).map_err(|e| e.to_string())?;
        let empty =
            MemTable::try_new(Arc::clone(&full), vec![vec![]]).map_err(|e| e.to_string())?;
        ctx.register_table("t", Arc::new(empty))
            .map_err(|e| e.to_string())?;
        let columns = read_columns(&ctx, sql, ansi, "t")
            .await
            .map_err(|e| e.to_string())?;
        let pruned = pruned_schema(&schema, &opts, &columns).map_err(|e| e.to_string())?;
        let (batch, _) =
            decode_json_lines(&data, "case.json", &pruned, &opts).map_err(|e| e.to_string())?;
        // Back to the full width: unread columns are never looked at.
        let arrays = full
            .fields()
            .iter()
            .map(|f| match batch.schema().index_of(f.name()) {
                Ok(i) => Arc::clone(batch.column(i)),
                Err(_) => new_null_array(f.data_type(), batch.num_rows()),
            })
            .collect();
        let options = RecordBatchOptions::new().with_row_count(Some(batch.num_rows()));
        let batch = RecordBatch::try_new_with_options(Arc::clone(&full), arrays, &options)
            .map_err(|e| e.to_string())?;
        let table = MemTable::try_new(full, vec![vec![batch]]).map_err(|e| e.to_string())?;
        ctx.deregister_table("t").map_err(|e| e.to_string())?;
        ctx.register_table("t", Arc::new(table))
            .map_err(|e| e.to_string())?;
    }
    let df = plan_sql(&ctx, sql, ansi).await.map_err(|e| e.to_string())?;
    let logical = df.schema().as_arrow().clone();
    let batches = df.collect().await.map_err(|e| e.to_string())?;
    // What a sink receives: the batches' own schema (DataFusion may widen types at execution).
    let arrow_schema = batches
        .iter()
        .find(|b| b.num_rows() > 0)
        .map(|b| b.schema().as_ref().clone())
        .unwrap_or(logical);
    let schema = arrow_schema
        .fields()
        .iter()
        .map(|f| (f.name().clone(), spark_field_type_name(f)))
        .collect();
    let mut rows = Vec::new();
    for b in &batches {
        rows.extend(render_batch(b)?);
    }
    Ok((schema, rows))
}

fn render_batch(b: &RecordBatch) -> Result<Vec<Vec<Value>>, String> {
    (0..b.num_rows())
        .map(|r| b.columns().iter().map(|c| render(c.as_ref(), r)).collect())
        .collect()
}

/// One value in the golden encoding (see generate.py).
fn render(a: &dyn Array, i: usize) -> Result<Value, String> {
    if a.is_null(i) {
        return Ok(Value::Null);
    }
    Ok(match a.data_type() {
        DataType::Null => Value::Null,
        DataType::Boolean => Value::Bool(a.as_boolean().value(i)),
        DataType::Int8 => json!(a.as_primitive::<Int8Type>().value(i)),
        DataType::Int16 => json!(a.as_primitive::<Int16Type>().value(i)),
        DataType::Int32 => json!(a.as_primitive::<Int32Type>().value(i)),
        DataType::Int64 => json!(a.as_primitive::<Int64Type>().value(i)),
        DataType::UInt8 => json!(a.as_primitive::<UInt8Type>().value(i)),
        DataType::UInt16 => json!(a.as_primitive::<UInt16Type>().value(i)),
        DataType::UInt32 => json!(a.as_primitive::<UInt32Type>().value(i)),
        DataType::UInt64 => json!(a.as_primitive::<UInt64Type>().value(i)),
        DataType::Float32 => Value::String(java_float(a.as_primitive::<Float32Type>().value(i))),
        DataType::Float64 => Value::String(java_double(a.as_primitive::<Float64Type>().value(i))),
        DataType::Decimal128(_, s) => Value::String(decimal_text(
            a.as_primitive::<Decimal128Type>().value(i),
            *s,
        )),
        DataType::Utf8 => Value::String(a.as_string::<i32>().value(i).to_string()),
        DataType::LargeUtf8 => Value::String(a.as_string::<i64>().value(i).to_string()),
        DataType::Utf8View => Value::String(a.as_string_view().value(i).to_string()),
        DataType::Binary => Value::String(b64(a.as_binary::<i32>().value(i))),
        DataType::LargeBinary => Value::String(b64(a.as_binary::<i64>().value(i))),
        DataType::BinaryView => Value::String(b64(a.as_binary_view().value(i))),
        DataType::Date32 => Value::String(date_text(i64::from(
            a.as_primitive::<Date32Type>().value(i),
        ))),
        DataType::Date64 => Value::String(date_text(
            a.as_primitive::<Date64Type>()
                .value(i)
                .div_euclid(86_400_000),
        )),
        DataType::Timestamp(unit, _) => {
            let c = arrow::compute::cast(
                &a.slice(i, 1),
                &DataType::Timestamp(TimeUnit::Microsecond, None),
            )
            .map_err(|e| e.to_string())?;
            let micros = c
                .as_primitive::<arrow::datatypes::TimestampMicrosecondType>()
                .value(0);
            let _ = unit;
            Value::String(timestamp_text(micros))
        }
        dt if spate_engine::variant::is_variant(dt) => {
            python_json(&spate_engine::variant::variant_json(a, i).map_err(|e| e.to_string())?)?
        }
        DataType::List(_) => list(a.as_list::<i32>().value(i).as_ref())?,
        DataType::LargeList(_) => list(a.as_list::<i64>().value(i).as_ref())?,
        DataType::FixedSizeList(_, _) => list(a.as_fixed_size_list().value(i).as_ref())?,
        DataType::Struct(fields) => {
            let s = a.as_struct();
            let mut m = Map::new();
            for (f, c) in fields.iter().zip(s.columns()) {
                m.insert(f.name().clone(), render(c.as_ref(), i)?);
            }
            Value::Object(m)
        }
        DataType::Map(_, _) => {
            let entries = a.as_map().value(i);
            let mut out = Vec::with_capacity(entries.len());
            for r in 0..entries.len() {
                out.push(Value::Array(vec![
                    render(entries.column(0).as_ref(), r)?,
                    render(entries.column(1).as_ref(), r)?,
                ]));
            }
            Value::Array(out)
        }
        DataType::Dictionary(_, value) => {
            let c: ArrayRef =
                arrow::compute::cast(&a.slice(i, 1), value).map_err(|e| e.to_string())?;
            render(c.as_ref(), 0)?
        }
        DataType::Duration(TimeUnit::Microsecond) => Value::String(interval::day_time_text(
            a.as_primitive::<DurationMicrosecondType>().value(i),
        )),
        DataType::Interval(IntervalUnit::YearMonth) => Value::String(interval::year_month_text(
            a.as_primitive::<IntervalYearMonthType>().value(i),
        )),
        DataType::Interval(IntervalUnit::MonthDayNano) | DataType::Duration(_) => {
            let c =
                arrow::compute::cast(&a.slice(i, 1), &DataType::Utf8).map_err(|e| e.to_string())?;
            Value::String(c.as_string::<i32>().value(0).to_string())
        }
        other => return Err(format!("the golden test cannot render {other}")),
    })
}

/// JSON text as generate.py reads Spark's `to_json` output for a VARIANT: Python's
/// `json.loads(parse_float=str, object_pairs_hook=list)`, so objects are `[key, value]` pairs
/// and numbers with a fraction or exponent keep their text.
fn python_json(text: &str) -> Result<Value, String> {
    fn value(b: &[u8], i: &mut usize) -> Result<Value, String> {
        let start = *i;
        match b.get(*i) {
            Some(b'{') | Some(b'[') => {
                let object = b[*i] == b'{';
                *i += 1;
                let mut out = Vec::new();
                while b.get(*i) != Some(if object { &b'}' } else { &b']' }) {
                    if !out.is_empty() {
                        *i += 1; // ','
                    }
                    if object {
                        let k = value(b, i)?;
                        *i += 1; // ':'
                        out.push(Value::Array(vec![k, value(b, i)?]));
                    } else {
                        out.push(value(b, i)?);
                    }
                }
                *i += 1;
                Ok(Value::Array(out))
            }
            Some(b'"') => {
                *i += 1;
                while b.get(*i) != Some(&b'"') {
                    *i += if b.get(*i) == Some(&b'\\') { 2 } else { 1 };
                }
                *i += 1;
                serde_json::from_slice(&b[start..*i]).map_err(|e| e.to_string())
            }
            _ => {
                while b.get(*i).is_some_and(|c| !matches!(c, b',' | b']' | b'}')) {
                    *i += 1;
                }
                let token = std::str::from_utf8(&b[start..*i]).map_err(|e| e.to_string())?;
                let number = token.starts_with(|c: char| c == '-' || c.is_ascii_digit());
                if number && token.contains(['.', 'e', 'E']) {
                    Ok(Value::String(token.to_string()))
                } else {
                    serde_json::from_str(token).map_err(|e| e.to_string())
                }
            }
        }
    }
    value(text.as_bytes(), &mut 0)
}

fn list(a: &dyn Array) -> Result<Value, String> {
    (0..a.len())
        .map(|r| render(a, r))
        .collect::<Result<Vec<_>, _>>()
        .map(Value::Array)
}

fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

/// Spark's `yyyy-MM-dd`: years past 9999 get a `+`.
fn date_text(days: i64) -> String {
    let d =
        chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch") + chrono::Duration::days(days);
    spark_year(d.format("%Y-%m-%d").to_string())
}

fn timestamp_text(micros: i64) -> String {
    let t = chrono::DateTime::from_timestamp_micros(micros)
        .expect("timestamp in range")
        .naive_utc();
    spark_year(t.format("%Y-%m-%d %H:%M:%S%.6f").to_string())
}

/// chrono already writes `+56302` for years past 9999, as java.time does; keep 4-digit years bare.
fn spark_year(s: String) -> String {
    s
}

fn decimal_text(v: i128, scale: i8) -> String {
    let neg = v < 0;
    let digits = v.unsigned_abs().to_string();
    let scale = scale.max(0) as usize;
    let body = if scale == 0 {
        digits
    } else {
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (int, frac) = padded.split_at(padded.len() - scale);
        format!("{int}.{frac}")
    };
    if neg {
        format!("-{body}")
    } else {
        body
    }
}

/// Why spate's outcome is not Spark's, or None when they agree.
fn difference(case: &Value, got: &Outcome) -> Option<String> {
    let expected = &case["expected"];
    if let Some(err) = expected.get("error") {
        return match got {
            Ok((schema, rows)) => Some(format!(
                "Spark fails with {} ({}), spate returns schema {schema:?} rows {}",
                err["class"],
                err["message"],
                short(&Value::Array(
                    rows.iter().map(|r| Value::Array(r.clone())).collect()
                ))
            )),
            Err(msg) => {
                let missing: Vec<&str> = case
                    .get("error_contains")
                    .and_then(Value::as_array)
                    .map(|v| {
                        v.iter()
                            .filter_map(Value::as_str)
                            .filter(|s| !msg.contains(s))
                            .collect()
                    })
                    .unwrap_or_default();
                if missing.is_empty() {
                    None
                } else {
                    Some(format!("spate's error does not name {missing:?}: {msg}"))
                }
            }
        };
    }
    let want_schema: Vec<(String, String)> = expected["schema"]
        .as_array()
        .expect("schema")
        .iter()
        .map(|p| {
            (
                p[0].as_str().unwrap_or_default().to_string(),
                p[1].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let want_rows: Vec<Value> = expected["rows"].as_array().expect("rows").clone();
    match got {
        Err(msg) => Some(format!(
            "Spark returns {} rows, spate fails: {msg}",
            want_rows.len()
        )),
        Ok((schema, rows)) => {
            let mut out = Vec::new();
            if schema != &want_schema {
                out.push(format!("schema: Spark {want_schema:?}, spate {schema:?}"));
            }
            let mut got_rows: Vec<Value> = rows.iter().map(|r| Value::Array(r.clone())).collect();
            let mut want_rows = want_rows;
            if case
                .get("unordered")
                .and_then(Value::as_bool)
                .unwrap_or(false)
            {
                got_rows.sort_by_key(|v| v.to_string());
                want_rows.sort_by_key(|v| v.to_string());
            }
            if got_rows != want_rows {
                let mut detail = format!(
                    "rows: Spark {} rows, spate {}",
                    want_rows.len(),
                    got_rows.len()
                );
                for (k, (w, g)) in want_rows.iter().zip(&got_rows).enumerate() {
                    if w != g {
                        detail.push_str(&format!(
                            "; first differing row {k}: Spark {} spate {}",
                            short(w),
                            short(g)
                        ));
                        break;
                    }
                }
                if want_rows.len() != got_rows.len() {
                    detail.push_str(&format!(
                        "; Spark {} spate {}",
                        short(&Value::Array(want_rows)),
                        short(&Value::Array(got_rows))
                    ));
                }
                out.push(detail);
            }
            if out.is_empty() {
                None
            } else {
                Some(out.join("\n    "))
            }
        }
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.chars().count() > 400 {
        format!("{}...", s.chars().take(400).collect::<String>())
    } else {
        s
    }
}

/// Runs every case of one golden file; panics listing unexpected differences and stale gaps.
fn run_area(area: &str) {
    let cases = load(area);
    let all_gaps = known_gaps();
    let names: std::collections::HashSet<String> = cases
        .iter()
        .filter_map(|c| c["name"].as_str())
        .map(|n| format!("{area}/{n}"))
        .collect();
    let stale: Vec<&String> = all_gaps
        .keys()
        .filter(|k| k.starts_with(&format!("{area}/")) && !names.contains(*k))
        .collect();
    assert!(
        stale.is_empty(),
        "known_gaps.json names cases that do not exist: {stale:?}"
    );
    let filter = std::env::var("SPATE_GOLDEN_CASE").ok();
    let show = std::env::var("SPATE_GOLDEN_SHOW").is_ok();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (mut pass, mut gaps, mut ran) = (0, 0, 0);
    let mut failures = Vec::new();
    let mut new_gaps = Vec::new();
    for case in &cases {
        let name = case["name"].as_str().expect("name");
        if filter.as_deref().is_some_and(|f| !name.contains(f)) {
            continue;
        }
        ran += 1;
        let got = rt.block_on(run_spate(case));
        let diff = difference(case, &got);
        let gap = all_gaps.get(&format!("{area}/{name}")).map(String::as_str);
        match (diff, gap) {
            (None, None) => pass += 1,
            (None, Some(reason)) => failures.push(format!(
                "{area}/{name}: now matches Spark; remove its known_gap ({reason})"
            )),
            (Some(d), Some(reason)) => {
                gaps += 1;
                if show {
                    eprintln!("known gap {area}/{name} ({reason}):\n    {d}");
                }
            }
            (Some(d), None) => {
                failures.push(format!("{area}/{name}:\n    {d}\n    sql: {}", case["sql"]));
                new_gaps.push(format!("  \"{area}/{name}\": \"...\""));
            }
        }
    }
    eprintln!(
        "{area}: {ran} cases, {pass} match Spark, {gaps} known gaps, {} failures",
        failures.len()
    );
    if !new_gaps.is_empty() && show {
        eprintln!(
            "known_gaps.json entries for the differences (fill in the reasons):\n{}",
            new_gaps.join(",\n")
        );
    }
    assert!(
        failures.is_empty(),
        "{} of {ran} {area} cases differ from Spark 4.0.1:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn json_read() {
    run_area("json_read");
}

#[test]
fn schema() {
    run_area("schema");
}

#[test]
fn sql_functions() {
    run_area("sql_functions");
}

#[test]
fn casts() {
    run_area("casts");
}

#[test]
fn java_number_text() {
    assert_eq!(java_double(1.0), "1.0");
    assert_eq!(java_double(1e7), "1.0E7");
    assert_eq!(java_double(1234567.0), "1234567.0");
    assert_eq!(java_double(0.001), "0.001");
    assert_eq!(java_double(0.0001), "1.0E-4");
    assert_eq!(java_double(-0.0), "-0.0");
    assert_eq!(java_double(1.23456789012e11), "1.23456789012E11");
    assert_eq!(java_float(16777216.0), "1.6777216E7");
    assert_eq!(java_float(0.1), "0.1");
    assert_eq!(decimal_text(-112, 2), "-1.12");
    assert_eq!(decimal_text(5, 3), "0.005");
    assert_eq!(
        timestamp_text(1_714_564_800_000 * 1_000_000),
        "+56302-05-26 00:00:00.000000"
    );
    assert_eq!(date_text(19_844), "2024-05-01");
}
