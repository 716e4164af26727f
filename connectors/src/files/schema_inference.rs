//! JSON schema inference for `read_files` without a declared schema (spec §8.2), by Spark's rules
//! (`JsonInferSchema`), checked against PySpark 4.0.1's `spark.read.json(...).schema`.
//!
//! Per value: `null` -> NULL type, booleans -> BOOLEAN, integers that fit a long -> BIGINT, larger
//! integers -> DECIMAL(p,0) up to 38 digits (then DOUBLE), other numbers -> DOUBLE, strings ->
//! STRING, objects -> STRUCT with fields sorted by name, arrays -> ARRAY of the merged elements.
//! Records merge field by field: equal types stay, NULL gives way to anything, BIGINT and DOUBLE
//! make DOUBLE, decimals widen, structs merge, arrays merge their elements, and anything else
//! becomes STRING. At the end a NULL type left over (a field only ever null, an empty array's
//! element) becomes STRING. A line that is not a JSON object (or an array of objects) adds
//! the corrupt-record column in PERMISSIVE mode, is skipped in DROPMALFORMED, and fails in FAILFAST.

use std::collections::BTreeMap;

use arrow::datatypes::{DataType, Field, Fields, Schema};
use serde_json::Value;
use spate_engine::json::{JsonOptions, ParseMode};
use spate_engine::schema::types::{decimal, list_of};
use spate_engine::{Error, Result};

/// An inferred type: Arrow's types plus Spark's NULL type, which only inference has.
#[derive(Debug, Clone, PartialEq)]
enum Inferred {
    Null,
    Bool,
    Long,
    Double,
    Decimal(u8, i8),
    String,
    Array(Box<Inferred>),
    Struct(BTreeMap<String, Inferred>),
}

/// Inference over many records, merged as they come.
#[derive(Debug, Default)]
pub struct SchemaInference {
    fields: BTreeMap<String, Inferred>,
    corrupt: bool,
    records: usize,
}

impl SchemaInference {
    /// An empty inference.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records seen so far (rows, not lines).
    pub fn records(&self) -> usize {
        self.records
    }

    /// Adds one file's records: JSON Lines, or one document per file with `multiLine`.
    pub fn add_text(&mut self, text: &str, file: &str, opts: &JsonOptions) -> Result<()> {
        if opts.multi_line {
            return self.add_record(text, file, 1, opts);
        }
        for (i, line) in text.split(['\n', '\r']).enumerate() {
            if !line.trim().is_empty() {
                self.add_record(line, file, i + 1, opts)?;
            }
        }
        Ok(())
    }

    fn add_record(
        &mut self,
        text: &str,
        file: &str,
        line: usize,
        opts: &JsonOptions,
    ) -> Result<()> {
        let rows: Option<Vec<BTreeMap<String, Inferred>>> =
            match serde_json::from_str::<Value>(text) {
                Ok(Value::Object(o)) => Some(vec![struct_fields(&o)]),
                // A top-level array of objects is one row per element (as when reading).
                Ok(Value::Array(items)) if items.iter().all(Value::is_object) => Some(
                    items
                        .iter()
                        .filter_map(Value::as_object)
                        .map(struct_fields)
                        .collect(),
                ),
                _ => None,
            };
        match rows {
            Some(rows) => {
                for r in rows {
                    self.records += 1;
                    merge_fields(&mut self.fields, r);
                }
            }
            None => match opts.mode {
                ParseMode::Permissive => self.corrupt = true,
                ParseMode::DropMalformed => {}
                ParseMode::FailFast => {
                    return Err(Error::config(format!(
                        "[MALFORMED_RECORD_IN_PARSING.WITHOUT_SUGGESTION] Malformed records are detected in schema \
                         inference. Parse Mode: FAILFAST. File {file}, line {line}"
                    )))
                }
            },
        }
        Ok(())
    }

    /// The inferred schema: every field nullable, NULL types as STRING, and the corrupt-record
    /// column last if a record was malformed. `drop_all_null` is `dropFieldIfAllNull`.
    pub fn schema(&self, opts: &JsonOptions, drop_all_null: bool) -> Schema {
        let mut fields: Vec<Field> = self
            .fields
            .iter()
            .filter_map(|(name, t)| {
                canonical(t, drop_all_null).map(|dt| Field::new(name, dt, true))
            })
            .collect();
        let corrupt = &opts.column_name_of_corrupt_record;
        if self.corrupt && !fields.iter().any(|f| f.name() == corrupt) {
            fields.push(Field::new(corrupt, DataType::Utf8, true));
            fields.sort_by(|a, b| a.name().cmp(b.name()));
        }
        Schema::new(fields)
    }
}

fn struct_fields(o: &serde_json::Map<String, Value>) -> BTreeMap<String, Inferred> {
    let mut out = BTreeMap::new();
    for (k, v) in o {
        // A repeated key: the types merge (Spark's inference sees both).
        let t = infer(v);
        match out.remove(k) {
            Some(prev) => out.insert(k.clone(), merge(prev, t)),
            None => out.insert(k.clone(), t),
        };
    }
    out
}

fn infer(v: &Value) -> Inferred {
    match v {
        Value::Null => Inferred::Null,
        Value::Bool(_) => Inferred::Bool,
        Value::Number(n) if n.is_i64() => Inferred::Long,
        // Integers past a long: Spark makes them DECIMAL(p,0) when they fit 38 digits. serde_json
        // keeps u64s exactly; larger ones arrive as floats and infer as DOUBLE, as beyond 38 digits.
        Value::Number(n) if n.is_u64() => {
            let digits = n.to_string().len() as u8;
            Inferred::Decimal(digits, 0)
        }
        Value::Number(_) => Inferred::Double,
        Value::String(_) => Inferred::String,
        Value::Array(items) => Inferred::Array(Box::new(
            items.iter().map(infer).fold(Inferred::Null, merge),
        )),
        Value::Object(o) => Inferred::Struct(struct_fields(o)),
    }
}

fn merge_fields(into: &mut BTreeMap<String, Inferred>, from: BTreeMap<String, Inferred>) {
    for (k, t) in from {
        let merged = match into.remove(&k) {
            Some(prev) => merge(prev, t),
            None => t,
        };
        into.insert(k, merged);
    }
}

/// Spark's `compatibleType`.
fn merge(a: Inferred, b: Inferred) -> Inferred {
    use Inferred::*;
    match (a, b) {
        (a, b) if a == b => a,
        (Null, t) | (t, Null) => t,
        (Long, Double) | (Double, Long) => Double,
        (Decimal(..), Double) | (Double, Decimal(..)) => Double,
        (Long, Decimal(p, s)) | (Decimal(p, s), Long) => widen_decimal((20, 0), (p, s)),
        (Decimal(p1, s1), Decimal(p2, s2)) => widen_decimal((p1, s1), (p2, s2)),
        (Struct(mut x), Struct(y)) => {
            merge_fields(&mut x, y);
            Struct(x)
        }
        (Array(x), Array(y)) => Array(Box::new(merge(*x, *y))),
        _ => String,
    }
}

/// Spark's `DecimalPrecision.widerDecimalType`; past 38 digits the type becomes DOUBLE.
fn widen_decimal((p1, s1): (u8, i8), (p2, s2): (u8, i8)) -> Inferred {
    let scale = s1.max(s2);
    let range = (p1 as i16 - s1 as i16).max(p2 as i16 - s2 as i16);
    let precision = range + scale as i16;
    if precision > 38 {
        Inferred::Double
    } else {
        Inferred::Decimal(precision as u8, scale)
    }
}

/// Spark's `canonicalizeType`: NULL becomes STRING (or the field goes, with `dropFieldIfAllNull`).
fn canonical(t: &Inferred, drop_all_null: bool) -> Option<DataType> {
    Some(match t {
        Inferred::Null if drop_all_null => return None,
        Inferred::Null | Inferred::String => DataType::Utf8,
        Inferred::Bool => DataType::Boolean,
        Inferred::Long => DataType::Int64,
        Inferred::Double => DataType::Float64,
        Inferred::Decimal(p, s) => decimal(u64::from(*p), (*s).max(0) as u64).ok()?,
        Inferred::Array(e) => {
            let element = match canonical(e, drop_all_null) {
                Some(dt) => dt,
                None if drop_all_null => return None,
                None => DataType::Utf8,
            };
            list_of(element, true)
        }
        Inferred::Struct(fields) => {
            let fields: Vec<Field> = fields
                .iter()
                .filter_map(|(n, t)| canonical(t, drop_all_null).map(|dt| Field::new(n, dt, true)))
                .collect();
            if fields.is_empty() && drop_all_null {
                return None;
            }
            DataType::Struct(Fields::from(fields))
        }
    })
}

/// A schema as Spark DDL (`id bigint, name string`), for log lines and tests.
pub fn ddl(schema: &Schema) -> String {
    schema
        .fields()
        .iter()
        .map(|f| {
            format!(
                "{} {}",
                spate_engine::schema::types::quote_if_needed(f.name()),
                spate_engine::schema::types::spark_type_name(f.data_type())
            )
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer_lines(text: &str) -> String {
        let opts = JsonOptions::default();
        let mut inf = SchemaInference::new();
        inf.add_text(text, "f.json", &opts).unwrap();
        ddl(&inf.schema(&opts, false))
    }

    #[test]
    fn scalar_types_and_sorted_names() {
        assert_eq!(
            infer_lines(r#"{"z": "a", "b": 1, "a": 1.5, "c": true, "d": null}"#),
            "a double, b bigint, c boolean, d string, z string"
        );
    }

    #[test]
    fn records_merge_by_spark_rules() {
        assert_eq!(
            infer_lines("{\"a\": 1, \"b\": 1, \"c\": [1]}\n{\"a\": 2.5, \"b\": \"x\", \"c\": [2.5]}\n{\"d\": null}"),
            "a double, b string, c array<double>, d string"
        );
        assert_eq!(
            infer_lines("{\"s\": {\"y\": 1}}\n{\"s\": {\"x\": \"q\"}}"),
            "s struct<x:string,y:bigint>"
        );
        assert_eq!(infer_lines("{\"s\": {\"y\": 1}}\n{\"s\": 3}"), "s string");
    }

    #[test]
    fn big_integers_are_decimals() {
        assert_eq!(
            infer_lines(r#"{"a": 18446744073709551615}"#),
            "a decimal(20,0)"
        );
        assert_eq!(
            infer_lines("{\"a\": 18446744073709551615}\n{\"a\": 1}"),
            "a decimal(20,0)"
        );
    }

    #[test]
    fn malformed_lines_follow_the_mode() {
        assert_eq!(
            infer_lines("{\"a\": 1}\n{oops\n"),
            "_corrupt_record string, a bigint"
        );
        let opts = JsonOptions {
            mode: ParseMode::FailFast,
            ..JsonOptions::default()
        };
        let e = SchemaInference::new()
            .add_text("{\"a\": 1}\n{oops\n", "f.json", &opts)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("FAILFAST") && e.contains("f.json, line 2"),
            "{e}"
        );
    }

    #[test]
    fn drop_field_if_all_null() {
        let opts = JsonOptions::default();
        let mut inf = SchemaInference::new();
        inf.add_text("{\"a\": null, \"b\": [], \"c\": 1}", "f", &opts)
            .unwrap();
        let s = inf.schema(&opts, true);
        assert_eq!(s.fields().len(), 1);
        assert_eq!(s.field(0).name(), "c");
    }
}
