//! Spark StructType JSON (spec §7.2; also Delta's `metaData.schemaString`) -> Arrow schema.
//!
//! The text is read into a `serde_json::Value` first rather than derived structs, so every
//! error can carry the JSON path of the value at fault (`$.fields[2].type.elementType`).

use arrow::datatypes::{DataType, Field, Fields, Schema};
use serde_json::{Map, Value};

use super::collation::{mark_part, with_collated_part, with_collation, Collation, NestedString};
use super::types::{
    ansi_interval, char_varchar_message, decimal, duplicate_name_index, field_with_comment,
    list_of, map_of, timestamp_ltz, timestamp_ntz, IntervalError, COMMENT_KEY,
    DEFAULT_DECIMAL_PRECISION,
};
use super::{SchemaError, SchemaOptions};

/// Spark type names spate recognises but cannot represent; named so the error can say so.
const KNOWN_UNSUPPORTED: &[&str] = &["interval", "calendarinterval"];

/// Parses Spark's StructType JSON, `{"type":"struct","fields":[...]}`.
///
/// Field names that differ only by case are refused as duplicates, as Spark does by default;
/// [`parse_struct_json_with`] follows `spark.sql.caseSensitive` instead.
pub fn parse_struct_json(json: &str) -> Result<Schema, SchemaError> {
    parse_struct_json_with(json, &SchemaOptions::default())
}

/// [`parse_struct_json`] with the session's schema-related confs applied.
pub fn parse_struct_json_with(json: &str, opts: &SchemaOptions) -> Result<Schema, SchemaError> {
    let value: Value =
        serde_json::from_str(json).map_err(|e| SchemaError::JsonSyntax(e.to_string()))?;
    Ok(Schema::new(struct_fields(&value, "$", opts)?))
}

/// An error about the value at `path`.
fn error(message: impl Into<String>, path: &str) -> SchemaError {
    SchemaError::Json {
        message: message.into(),
        path: path.to_string(),
    }
}

/// Spark's error for a type it cannot read, with the offending JSON shortened.
fn invalid_data_type(value: &Value, path: &str) -> SchemaError {
    const MAX_CHARS: usize = 60;
    let shown = match value {
        Value::String(s) => format!("'{s}'"),
        other => other.to_string(),
    };
    let mut excerpt: String = shown.chars().take(MAX_CHARS).collect();
    if shown.chars().nth(MAX_CHARS).is_some() {
        excerpt.push_str("...");
    }
    error(
        format!("INVALID_JSON_DATA_TYPE: cannot convert the JSON {excerpt} to a data type"),
        path,
    )
}

/// The object at `path`, or an error naming what was expected there.
fn object<'v>(
    value: &'v Value,
    what: &str,
    path: &str,
) -> Result<&'v Map<String, Value>, SchemaError> {
    value
        .as_object()
        .ok_or_else(|| error(format!("expected {what} (a JSON object)"), path))
}

/// An optional boolean member, `default` when absent or null.
fn bool_member(
    obj: &Map<String, Value>,
    key: &str,
    default: bool,
    path: &str,
) -> Result<bool, SchemaError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(error(
            format!("\"{key}\" must be true or false"),
            &format!("{path}.{key}"),
        )),
    }
}

/// A required member, or an error saying it is missing.
fn required<'v>(
    obj: &'v Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<&'v Value, SchemaError> {
    obj.get(key)
        .ok_or_else(|| error(format!("missing \"{key}\""), path))
}

/// The fields of the struct object at `path`.
fn struct_fields(
    value: &Value,
    path: &str,
    opts: &SchemaOptions,
) -> Result<Vec<Field>, SchemaError> {
    let obj = object(
        value,
        "a StructType {\"type\":\"struct\",\"fields\":[...]}",
        path,
    )?;
    match obj.get("type") {
        Some(Value::String(t)) if t == "struct" => {}
        _ => {
            return Err(error(
                "expected \"type\":\"struct\"",
                &format!("{path}.type"),
            ))
        }
    }
    let fields_path = format!("{path}.fields");
    let Some(items) = required(obj, "fields", path)?.as_array() else {
        return Err(error("\"fields\" must be an array", &fields_path));
    };
    let fields = items
        .iter()
        .enumerate()
        .map(|(i, item)| field(item, &format!("{fields_path}[{i}]"), opts))
        .collect::<Result<Vec<_>, _>>()?;
    if obj.len() != 2 {
        return Err(shape_error(
            value,
            path,
            "a struct type has exactly \"type\" and \"fields\"",
        ));
    }
    // Spark rejects duplicates when a source resolves its schema; case-insensitive by default.
    if let Some(i) = duplicate_name_index(&fields, opts.case_sensitive) {
        return Err(error(
            format!(
                "duplicate field name '{}'{}",
                fields[i].name(),
                if opts.case_sensitive {
                    ""
                } else {
                    " (names compare case-insensitively)"
                }
            ),
            &format!("{fields_path}[{i}].name"),
        ));
    }
    Ok(fields)
}

/// One `{"name","type","nullable","metadata"}` object.
///
/// Spark's `parseStructField` matches exactly these key sets: all four, no `metadata`, or only
/// `name` and `type`; any other shape (a missing `nullable` with `metadata`, an extra key, a
/// `null` value) is INVALID_JSON_DATA_TYPE.
fn field(value: &Value, path: &str, opts: &SchemaOptions) -> Result<Field, SchemaError> {
    let obj = object(value, "a field {\"name\":...,\"type\":...}", path)?;
    let Some(name) = required(obj, "name", path)?.as_str() else {
        return Err(error("\"name\" must be a string", &format!("{path}.name")));
    };
    let type_value = required(obj, "type", path)?;
    let data_type = data_type(type_value, &format!("{path}.type"), opts)?;
    let nullable = bool_member(obj, "nullable", true, path)?;
    let metadata_path = format!("{path}.metadata");
    let comment = comment(obj.get("metadata"), &metadata_path)?;
    let (collation, data_type) = spark_collation(
        obj.get("metadata"),
        name,
        data_type,
        type_name_collation(Some(type_value)),
        &metadata_path,
    )?;
    let shape_ok = match (obj.get("nullable"), obj.get("metadata")) {
        (Some(Value::Bool(_)), Some(Value::Object(_))) => obj.len() == 4,
        (Some(Value::Bool(_)), None) => obj.len() == 3,
        (None, None) => obj.len() == 2,
        _ => false,
    };
    if !shape_ok {
        return Err(shape_error(
            value,
            path,
            "a field has \"name\" and \"type\", then \"nullable\" (a boolean), then \"metadata\" (an object)",
        ));
    }
    let field = field_with_comment(name, data_type, nullable, comment);
    Ok(match collation {
        Some(c) => with_collation(field, c),
        None => field,
    })
}

/// Applies Spark's `__COLLATIONS` metadata entry, as `StructType.json` writes it: `{"b":
/// "spark.UTF8_LCASE"}` (or `"icu.UNICODE_CI"`) for column `b` itself, `b.element`, `b.key` or
/// `b.value` for the strings of an ARRAY or MAP column. Returns the collation of the column
/// itself (`own` is the one its type name gave, if any) and its type with nested strings marked.
fn spark_collation(
    metadata: Option<&Value>,
    name: &str,
    mut data_type: DataType,
    mut own: Option<Collation>,
    path: &str,
) -> Result<(Option<Collation>, DataType), SchemaError> {
    let Some(Value::Object(entries)) = metadata.and_then(|m| m.get(SPARK_COLLATIONS_KEY)) else {
        return Ok((own, data_type));
    };
    let path = format!("{path}.{SPARK_COLLATIONS_KEY}");
    for (key, value) in entries {
        let Some(full) = value.as_str() else {
            return Err(error("a collation name must be a string", &path));
        };
        // `spark.UTF8_LCASE`: provider, then the collation's name.
        let collation_name = full.rsplit('.').next().unwrap_or(full);
        let collation = Collation::from_name(collation_name).map_err(|m| error(m, &path))?;
        if collation == Collation::Utf8Binary {
            continue;
        }
        let part = match key.strip_prefix(name) {
            Some("") if data_type == DataType::Utf8 => {
                own = Some(collation);
                continue;
            }
            Some(".element") => Some(NestedString::Element),
            Some(".key") => Some(NestedString::Key),
            Some(".value") => Some(NestedString::Value),
            _ => None,
        };
        data_type = part
            .and_then(|p| with_collated_part(&data_type, p, collation))
            .ok_or_else(|| {
                error(
                    format!(
                        "collation '{collation_name}' for `{key}` does not name a STRING of column \
                         `{name}` (spate reads it on a column, or the element, key or value of \
                         its ARRAY or MAP)"
                    ),
                    &path,
                )
            })?;
    }
    Ok((own, data_type))
}

/// Spark's StructField metadata key for the collations of a field and its nested strings.
const SPARK_COLLATIONS_KEY: &str = "__COLLATIONS";

/// Spark's INVALID_JSON_DATA_TYPE for an object whose keys are not exactly the expected ones.
fn shape_error(value: &Value, path: &str, rule: &str) -> SchemaError {
    match invalid_data_type(value, path) {
        SchemaError::Json { message, path } => SchemaError::Json {
            message: format!("{message} ({rule})"),
            path,
        },
        other => other,
    }
}

/// The `comment` entry of a field's metadata; other entries have no Arrow counterpart.
fn comment(metadata: Option<&Value>, path: &str) -> Result<Option<String>, SchemaError> {
    let entries = match metadata {
        None | Some(Value::Null) => return Ok(None),
        Some(value) => object(value, "metadata", path)?,
    };
    match entries.get(COMMENT_KEY) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(error(
            "\"comment\" must be a string",
            &format!("{path}.{COMMENT_KEY}"),
        )),
    }
}

/// The collation a type value names (`"string collate UNICODE_CI"`), other than UTF8_BINARY.
fn type_name_collation(type_value: Option<&Value>) -> Option<Collation> {
    let name = type_value?.as_str()?.strip_prefix("string collate ")?;
    Collation::from_name(name)
        .ok()
        .filter(|c| *c != Collation::Utf8Binary)
}

/// A data type: a name string for primitives, an object for array/map/struct.
fn data_type(value: &Value, path: &str, opts: &SchemaOptions) -> Result<DataType, SchemaError> {
    let obj = match value {
        Value::String(name) => return primitive(name, path, opts),
        Value::Object(obj) => obj,
        other => return Err(invalid_data_type(other, path)),
    };
    match obj.get("type").and_then(Value::as_str) {
        Some("array") => {
            let element = data_type(
                required(obj, "elementType", path)?,
                &format!("{path}.elementType"),
                opts,
            )?;
            let contains_null = bool_member(obj, "containsNull", true, path)?;
            if obj.len() != 3 || !matches!(obj.get("containsNull"), Some(Value::Bool(_))) {
                return Err(shape_error(
                    value,
                    path,
                    "an array type has exactly \"type\", \"elementType\" and \"containsNull\" (a boolean)",
                ));
            }
            let list = list_of(element, contains_null);
            Ok(mark_part(
                list,
                type_name_collation(obj.get("elementType")),
                NestedString::Element,
            ))
        }
        Some("map") => {
            let key = data_type(
                required(obj, "keyType", path)?,
                &format!("{path}.keyType"),
                opts,
            )?;
            let value_type = data_type(
                required(obj, "valueType", path)?,
                &format!("{path}.valueType"),
                opts,
            )?;
            let value_contains_null = bool_member(obj, "valueContainsNull", true, path)?;
            if obj.len() != 4 || !matches!(obj.get("valueContainsNull"), Some(Value::Bool(_))) {
                return Err(shape_error(
                    value,
                    path,
                    "a map type has exactly \"type\", \"keyType\", \"valueType\" and \"valueContainsNull\" (a boolean)",
                ));
            }
            let map = map_of(key, value_type, value_contains_null);
            let map = mark_part(
                map,
                type_name_collation(obj.get("keyType")),
                NestedString::Key,
            );
            Ok(mark_part(
                map,
                type_name_collation(obj.get("valueType")),
                NestedString::Value,
            ))
        }
        Some("struct") => Ok(DataType::Struct(Fields::from(struct_fields(
            value, path, opts,
        )?))),
        Some("udt") => Err(error(
            "user-defined types (\"udt\") are not supported",
            path,
        )),
        _ => Err(invalid_data_type(value, path)),
    }
}

/// A primitive type name as Spark's `DataType.nameToType` spells it (case-sensitive, as Spark).
fn primitive(name: &str, path: &str, opts: &SchemaOptions) -> Result<DataType, SchemaError> {
    let data_type = match name {
        "boolean" => DataType::Boolean,
        "byte" => DataType::Int8,
        "short" => DataType::Int16,
        "integer" => DataType::Int32,
        "long" => DataType::Int64,
        "float" => DataType::Float32,
        "double" => DataType::Float64,
        "string" => DataType::Utf8,
        "binary" => DataType::Binary,
        "date" => DataType::Date32,
        "timestamp" | "timestamp_ltz" => timestamp_ltz(),
        "timestamp_ntz" => timestamp_ntz(),
        // NullType: Spark writes "void" and still reads the old "null".
        "void" | "null" => DataType::Null,
        "variant" => crate::variant::variant_type(),
        "decimal" => decimal(u64::from(DEFAULT_DECIMAL_PRECISION), 0)
            .map_err(|message| error(message, path))?,
        _ => return special_primitive(name, path, opts),
    };
    Ok(data_type)
}

/// Names with arguments (`decimal(p,s)`, `char(n)`, `string collate x`) and refused names.
fn special_primitive(
    name: &str,
    path: &str,
    opts: &SchemaOptions,
) -> Result<DataType, SchemaError> {
    if let Some(args) = call_args(name, "decimal") {
        return decimal_from_args(&args, name, path);
    }
    let char_args = call_args(name, "char").or_else(|| call_args(name, "varchar"));
    if let Some(args) = char_args {
        // Spark's pattern is `(var)?char\(\s*\d+\s*\)`: one length.
        if !matches!(args.as_slice(), [n] if is_digits(n)) {
            return Err(invalid_data_type(&Value::String(name.to_string()), path));
        }
        if opts.char_varchar_as_string {
            return Ok(DataType::Utf8);
        }
        return Err(error(char_varchar_message(name), path));
    }
    if let Some(fields) = name.strip_prefix("interval ") {
        return interval(fields, name, path);
    }
    if let Some(collation) = name.strip_prefix("string collate ") {
        // The field, element, key or value holding it is marked by the caller.
        return Collation::from_name(collation)
            .map(|_| DataType::Utf8)
            .map_err(|m| error(m, path));
    }
    let known = KNOWN_UNSUPPORTED.contains(&name) || call_args(name, "time").is_some();
    if known {
        return Err(error(
            format!("unsupported data type '{name}'; spate does not support this Spark type"),
            path,
        ));
    }
    Err(invalid_data_type(&Value::String(name.to_string()), path))
}

/// `interval <start> [to <end>]` as Spark's `DataType.nameToType` spells ANSI intervals.
fn interval(fields: &str, name: &str, path: &str) -> Result<DataType, SchemaError> {
    let words: Vec<String> = fields.split(' ').map(|w| w.to_ascii_uppercase()).collect();
    let (start, end) = match words.as_slice() {
        [start] => (start.as_str(), None),
        [start, to, end] if to == "TO" => (start.as_str(), Some(end.as_str())),
        _ => return Err(invalid_data_type(&Value::String(name.to_string()), path)),
    };
    // Spark's names are lower case; anything else is not a type name it knows.
    if fields.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(invalid_data_type(&Value::String(name.to_string()), path));
    }
    ansi_interval(start, end).map_err(|e| match e {
        IntervalError::Invalid(_) => invalid_data_type(&Value::String(name.to_string()), path),
        IntervalError::Unsupported(m) => error(m, path),
    })
}

/// The comma-separated, trimmed arguments of `func( a , b )`, if `name` has that shape.
fn call_args<'n>(name: &'n str, func: &str) -> Option<Vec<&'n str>> {
    let inner = name
        .strip_prefix(func)?
        .strip_prefix('(')?
        .strip_suffix(')')?;
    Some(inner.split(',').map(str::trim).collect())
}

/// `decimal(p,s)` from its argument texts; Spark's pattern is `decimal(\s*\d+\s*,\s*-?\d+\s*)`.
fn decimal_from_args(args: &[&str], name: &str, path: &str) -> Result<DataType, SchemaError> {
    let [precision, scale] = args else {
        return Err(invalid_data_type(&Value::String(name.to_string()), path));
    };
    if scale.strip_prefix('-').is_some_and(is_digits) && is_digits(precision) {
        return Err(error(
            format!("negative decimal scale in '{name}' is not supported"),
            path,
        ));
    }
    if !is_digits(precision) || !is_digits(scale) {
        return Err(invalid_data_type(&Value::String(name.to_string()), path));
    }
    let parse = |text: &str| {
        text.parse::<u64>()
            .map_err(|_| error(format!("number {text} in '{name}' is too large"), path))
    };
    decimal(parse(precision)?, parse(scale)?).map_err(|message| error(message, path))
}

/// Whether `text` is one or more ASCII digits.
fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::TimeUnit;
    use std::sync::Arc;

    const SPEC_EXAMPLE: &str = r#"{"type":"struct","fields":[
      {"name":"time","type":"timestamp","nullable":true,"metadata":{}},
      {"name":"tags","type":{"type":"array","elementType":"string","containsNull":true},"nullable":true,"metadata":{}},
      {"name":"attrs","type":{"type":"map","keyType":"string","valueType":"long","valueContainsNull":true},"nullable":true,"metadata":{}},
      {"name":"geo","type":{"type":"struct","fields":[{"name":"lat","type":"double","nullable":true,"metadata":{}}]},"nullable":true,"metadata":{}},
      {"name":"amount","type":"decimal(12,2)","nullable":true,"metadata":{"comment":"EUR"}}
    ]}"#;

    /// The type of a single field whose `"type"` is `type_json`.
    fn ty(type_json: &str) -> DataType {
        let json = format!(r#"{{"type":"struct","fields":[{{"name":"x","type":{type_json}}}]}}"#);
        let schema = parse_struct_json(&json).unwrap_or_else(|e| panic!("{type_json}: {e}"));
        schema.field(0).data_type().clone()
    }

    fn err(json: &str) -> String {
        match parse_struct_json(json) {
            Ok(schema) => panic!("{json} parsed as {schema:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// The error for a single field whose `"type"` is `type_json`.
    fn type_err(type_json: &str) -> String {
        err(&format!(
            r#"{{"type":"struct","fields":[{{"name":"x","type":{type_json}}}]}}"#
        ))
    }

    #[test]
    fn spec_example() {
        let schema = parse_struct_json(SPEC_EXAMPLE).unwrap();
        assert_eq!(schema.fields().len(), 5);
        assert_eq!(
            schema.field(0).data_type(),
            &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert_eq!(
            schema.field(1).data_type(),
            &DataType::List(Arc::new(Field::new("element", DataType::Utf8, true)))
        );
        assert_eq!(
            schema.field(2).data_type(),
            &map_of(DataType::Utf8, DataType::Int64, true)
        );
        assert_eq!(
            schema.field(3).data_type(),
            &DataType::Struct(Fields::from(vec![Field::new(
                "lat",
                DataType::Float64,
                true
            )]))
        );
        assert_eq!(schema.field(4).data_type(), &DataType::Decimal128(12, 2));
        assert_eq!(
            schema
                .field(4)
                .metadata()
                .get("comment")
                .map(String::as_str),
            Some("EUR")
        );
        // Same schema as the equivalent DDL.
        let ddl = super::super::parse_ddl(
            "time TIMESTAMP, tags ARRAY<STRING>, attrs MAP<STRING, BIGINT>, \
             geo STRUCT<lat: DOUBLE>, amount DECIMAL(12,2) COMMENT 'EUR'",
        )
        .unwrap();
        assert_eq!(schema, ddl);
    }

    #[test]
    fn primitive_names() {
        let cases = [
            ("boolean", DataType::Boolean),
            ("byte", DataType::Int8),
            ("short", DataType::Int16),
            ("integer", DataType::Int32),
            ("long", DataType::Int64),
            ("float", DataType::Float32),
            ("double", DataType::Float64),
            ("string", DataType::Utf8),
            ("string collate UTF8_BINARY", DataType::Utf8),
            ("binary", DataType::Binary),
            ("date", DataType::Date32),
            ("timestamp", timestamp_ltz()),
            ("timestamp_ltz", timestamp_ltz()),
            ("timestamp_ntz", timestamp_ntz()),
            ("decimal", DataType::Decimal128(10, 0)),
            ("decimal(12,2)", DataType::Decimal128(12, 2)),
            ("decimal( 38 , 0 )", DataType::Decimal128(38, 0)),
        ];
        for (name, expected) in cases {
            assert_eq!(ty(&format!("\"{name}\"")), expected, "{name}");
        }
    }

    #[test]
    fn nullability_and_defaults() {
        let schema = parse_struct_json(
            r#"{"type":"struct","fields":[
              {"name":"a","type":"integer"},
              {"name":"b","type":"integer","nullable":false,"metadata":{}},
              {"name":"c","type":{"type":"array","elementType":"long","containsNull":false}},
              {"name":"d","type":{"type":"map","keyType":"string","valueType":"long","valueContainsNull":false}},
              {"name":"e","type":"integer","nullable":true}
            ]}"#,
        )
        .unwrap();
        assert!(schema.field(0).is_nullable());
        assert!(schema.field(0).metadata().is_empty());
        assert!(!schema.field(1).is_nullable());
        assert_eq!(
            schema.field(2).data_type(),
            &list_of(DataType::Int64, false)
        );
        assert_eq!(
            schema.field(3).data_type(),
            &map_of(DataType::Utf8, DataType::Int64, false)
        );
        assert!(schema.field(4).is_nullable());
        // Spark matches exact key sets (golden schema/json_missing_nullable and friends).
        for bad in [
            r#"{"name":"a","type":"integer","metadata":{}}"#,
            r#"{"name":"a","type":"integer","nullable":null,"metadata":null}"#,
            r#"{"name":"a","type":"integer","nullable":true,"metadata":{},"comment":"x"}"#,
            r#"{"name":"a","type":{"type":"array","elementType":"long"}}"#,
            r#"{"name":"a","type":{"type":"map","keyType":"string","valueType":"long"}}"#,
            r#"{"name":"a","type":{"type":"struct","fields":[],"x":1}}"#,
        ] {
            let message = err(&format!(r#"{{"type":"struct","fields":[{bad}]}}"#));
            assert!(
                message.contains("INVALID_JSON_DATA_TYPE"),
                "{bad}: {message}"
            );
        }
    }

    #[test]
    fn metadata_keeps_only_the_comment() {
        // Delta column-mapping metadata, as found in a `schemaString`.
        let schema = parse_struct_json(
            r#"{"type":"struct","fields":[{"name":"a","type":"long","nullable":true,
              "metadata":{"delta.columnMapping.id":1,"delta.columnMapping.physicalName":"col-1",
                          "comment":"the id"}}]}"#,
        )
        .unwrap();
        let metadata = schema.field(0).metadata();
        assert_eq!(metadata.len(), 1);
        assert_eq!(metadata.get("comment").map(String::as_str), Some("the id"));
        assert_eq!(
            err(
                r#"{"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":{"comment":1}}]}"#
            ),
            "schema JSON: \"comment\" must be a string at $.fields[0].metadata.comment"
        );
        assert_eq!(
            err(
                r#"{"type":"struct","fields":[{"name":"a","type":"long","nullable":true,"metadata":[]}]}"#
            ),
            "schema JSON: expected metadata (a JSON object) at $.fields[0].metadata"
        );
    }

    #[test]
    fn nested_types() {
        let dt = ty(r#"{"type":"map","keyType":"string","valueType":
              {"type":"array","elementType":{"type":"struct","fields":[
                {"name":"n","type":"decimal(5,1)","nullable":false,"metadata":{"comment":"c"}}]},
               "containsNull":true},"valueContainsNull":true}"#);
        let inner = field_with_comment("n", DataType::Decimal128(5, 1), false, Some("c".into()));
        assert_eq!(
            dt,
            map_of(
                DataType::Utf8,
                list_of(DataType::Struct(Fields::from(vec![inner])), true),
                true
            )
        );
        assert_eq!(
            ty(r#"{"type":"struct","fields":[]}"#),
            DataType::Struct(Fields::empty())
        );
        let empty = parse_struct_json(r#"{"type":"struct","fields":[]}"#).unwrap();
        assert!(empty.fields().is_empty());
    }

    #[test]
    fn unknown_and_unsupported_types() {
        assert_eq!(
            type_err("\"foo\""),
            "schema JSON: INVALID_JSON_DATA_TYPE: cannot convert the JSON 'foo' to a data type \
             at $.fields[0].type"
        );
        // Spark's names are case-sensitive.
        assert!(type_err("\"Integer\"").contains("INVALID_JSON_DATA_TYPE"));
        assert!(type_err("\"int\"").contains("INVALID_JSON_DATA_TYPE"));
        assert!(type_err("42").contains("INVALID_JSON_DATA_TYPE: cannot convert the JSON 42"));
        assert!(type_err(r#"{"type":"list"}"#).contains("INVALID_JSON_DATA_TYPE"));
        assert!(type_err(r#"{"type":"udt","class":"x"}"#).contains("\"udt\""));
        assert_eq!(ty("\"void\""), DataType::Null);
        assert_eq!(ty("\"null\""), DataType::Null);
        assert!(crate::variant::is_variant(&ty("\"variant\"")));
        for name in ["interval", "time(6)"] {
            let message = type_err(&format!("\"{name}\""));
            assert!(
                message.contains(&format!("unsupported data type '{name}'")),
                "{message}"
            );
        }
        for name in ["char(10)", "varchar(255)"] {
            let message = type_err(&format!("\"{name}\""));
            assert!(message.contains("use STRING"), "{message}");
        }
        assert_eq!(
            ty("\"interval day to second\""),
            DataType::Duration(TimeUnit::Microsecond)
        );
        assert_eq!(
            ty("\"interval year to month\""),
            DataType::Interval(arrow::datatypes::IntervalUnit::YearMonth)
        );
        assert!(type_err("\"interval hour\"").contains("use INTERVAL DAY TO SECOND"));
        assert!(type_err("\"interval month to year\"").contains("INVALID_JSON_DATA_TYPE"));
        assert!(type_err("\"interval DAY to second\"").contains("INVALID_JSON_DATA_TYPE"));
        assert!(type_err("\"string collate UNICODE_XX\"").contains("COLLATION_INVALID_NAME"));
    }

    #[test]
    fn utf8_lcase_columns_are_marked() {
        use crate::schema::collation::is_lcase;
        // As Spark's StructType.json writes it, and as Spark's type name.
        let spark = parse_struct_json(
            r#"{"type":"struct","fields":[
              {"name":"b","type":"string","nullable":true,"metadata":{"__COLLATIONS":{"b":"spark.UTF8_LCASE"}}},
              {"name":"c","type":"string collate UTF8_LCASE","nullable":true,"metadata":{}},
              {"name":"d","type":"string","nullable":true,"metadata":{"__COLLATIONS":{"d":"spark.UTF8_BINARY"}}}]}"#,
        )
        .unwrap();
        assert!(is_lcase(spark.field(0)) && is_lcase(spark.field(1)) && !is_lcase(spark.field(2)));
        let icu = parse_struct_json(
            r#"{"type":"struct","fields":[
              {"name":"b","type":"string","nullable":true,"metadata":{"__COLLATIONS":{"b":"icu.UNICODE_CI"}}},
              {"name":"c","type":"string collate de_AI","nullable":true,"metadata":{}}]}"#,
        )
        .unwrap();
        let names: Vec<String> = icu
            .fields()
            .iter()
            .map(|f| crate::schema::spark_field_type_name(f))
            .collect();
        assert_eq!(names, ["string collate UNICODE_CI", "string collate de_AI"]);
    }

    #[test]
    fn decimal_errors() {
        assert!(type_err("\"decimal(39,0)\"").contains("precision 39 is out of range"));
        assert!(type_err("\"decimal(5,6)\"").contains("cannot be greater than precision"));
        assert!(type_err("\"decimal(10,-2)\"").contains("negative decimal scale"));
        assert!(type_err("\"decimal(10)\"").contains("INVALID_JSON_DATA_TYPE"));
        assert!(type_err("\"decimal(a,b)\"").contains("INVALID_JSON_DATA_TYPE"));
        assert!(type_err("\"decimal(99999999999999999999999,1)\"").contains("too large"));
    }

    #[test]
    fn structural_errors_name_the_path() {
        assert!(err("{\"type\":").starts_with("schema JSON: not valid JSON: "));
        assert_eq!(
            err(r#"{"type":"array","elementType":"string"}"#),
            "schema JSON: expected \"type\":\"struct\" at $.type"
        );
        assert_eq!(
            err("[]"),
            "schema JSON: expected a StructType {\"type\":\"struct\",\"fields\":[...]} \
             (a JSON object) at $"
        );
        assert_eq!(
            err(r#"{"type":"struct"}"#),
            "schema JSON: missing \"fields\" at $"
        );
        assert_eq!(
            err(r#"{"type":"struct","fields":{}}"#),
            "schema JSON: \"fields\" must be an array at $.fields"
        );
        assert_eq!(
            err(r#"{"type":"struct","fields":[{"type":"long"}]}"#),
            "schema JSON: missing \"name\" at $.fields[0]"
        );
        assert_eq!(
            err(r#"{"type":"struct","fields":[{"name":1,"type":"long"}]}"#),
            "schema JSON: \"name\" must be a string at $.fields[0].name"
        );
        assert_eq!(
            err(r#"{"type":"struct","fields":[{"name":"a","type":"long","nullable":"yes"}]}"#),
            "schema JSON: \"nullable\" must be true or false at $.fields[0].nullable"
        );
        assert_eq!(
            type_err(r#"{"type":"array","elementType":"foo"}"#),
            "schema JSON: INVALID_JSON_DATA_TYPE: cannot convert the JSON 'foo' to a data type \
             at $.fields[0].type.elementType"
        );
        assert_eq!(
            type_err(r#"{"type":"map","keyType":"string"}"#),
            "schema JSON: missing \"valueType\" at $.fields[0].type"
        );
        assert_eq!(
            type_err(r#"{"type":"struct","fields":[1]}"#),
            "schema JSON: expected a field {\"name\":...,\"type\":...} (a JSON object) \
             at $.fields[0].type.fields[0]"
        );
    }

    #[test]
    fn duplicate_names() {
        assert_eq!(
            err(
                r#"{"type":"struct","fields":[{"name":"a","type":"long"},{"name":"A","type":"long"}]}"#
            ),
            "schema JSON: duplicate field name 'A' (names compare case-insensitively) \
             at $.fields[1].name"
        );
        assert!(type_err(
            r#"{"type":"struct","fields":[{"name":"b","type":"long"},{"name":"b","type":"long"}]}"#
        )
        .contains("at $.fields[0].type.fields[1].name"));
    }
}
