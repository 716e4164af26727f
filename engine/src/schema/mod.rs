//! Spark DDL and StructType JSON -> Arrow schema.
//!
//! A declared schema reaches spate in one of Spark's two spellings: a DDL string as given to
//! `DataStreamReader.schema("...")` (spec §7.1) or the StructType JSON that Spark and Delta
//! write (spec §7.2). Both become one Arrow [`Schema`]; [`spark_type_name`] goes the other way
//! for messages and display.

pub mod collation;
mod ddl;
pub mod icu_collation;
mod struct_json;
pub mod types;

use std::collections::HashMap;

use arrow::datatypes::Schema;

pub use collation::spark_field_type_name;
pub use ddl::{parse_ddl, parse_ddl_or_struct_type, parse_ddl_with};
pub use struct_json::{parse_struct_json, parse_struct_json_with};
pub use types::spark_type_name;

/// Spark confs that change how a schema text is read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchemaOptions {
    /// `spark.sql.legacy.charVarcharAsString`: CHAR(n)/VARCHAR(n) are STRING instead of refused.
    pub char_varchar_as_string: bool,
    /// `spark.sql.caseSensitive`: `a` and `A` are two columns instead of duplicates.
    pub case_sensitive: bool,
}

impl SchemaOptions {
    /// The options from Spark confs (`key -> value`); other keys are ignored.
    pub fn from_conf(conf: &HashMap<String, String>) -> Result<Self, SchemaError> {
        let flag = |key: &str| match conf.get(key) {
            None => Ok(false),
            Some(v) => match v.trim().to_ascii_lowercase().as_str() {
                "true" => Ok(true),
                "false" => Ok(false),
                _ => Err(SchemaError::Conf(format!(
                    "{key} must be 'true' or 'false', got '{v}'"
                ))),
            },
        };
        Ok(Self {
            char_varchar_as_string: flag(types::CHAR_VARCHAR_AS_STRING)?,
            case_sensitive: flag("spark.sql.caseSensitive")?,
        })
    }
}

/// Why a schema text could not be turned into an Arrow schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SchemaError {
    /// The DDL text does not follow the grammar; `near` is the offending text, already quoted.
    #[error("schema DDL: expected {expected} at offset {offset} near {near}")]
    DdlSyntax {
        /// What the parser was looking for, e.g. `a data type`.
        expected: String,
        /// Character offset (0-based) of the offending token.
        offset: usize,
        /// The offending token, quoted, or `end of input`.
        near: String,
    },
    /// A data type name spate cannot represent (unknown, or a Spark type spate does not map).
    #[error("schema DDL: unsupported data type '{name}' at offset {offset}{hint}")]
    DdlUnsupportedType {
        /// The type as written, e.g. `INTERVAL` or `INT(5)`.
        name: String,
        /// Character offset (0-based) of the type name.
        offset: usize,
        /// Extra explanation, starting with `; ` when present.
        hint: String,
    },
    /// Well-formed DDL that Spark or spate refuses (bad decimal, CHAR, duplicates, DEFAULT...).
    #[error("schema DDL: {message} at offset {offset}")]
    DdlInvalid {
        /// What is wrong.
        message: String,
        /// Character offset (0-based) of the construct.
        offset: usize,
    },
    /// A Spark conf that changes schema parsing has an invalid value.
    #[error("schema: {0}")]
    Conf(String),
    /// The StructType text is not JSON at all.
    #[error("schema JSON: not valid JSON: {0}")]
    JsonSyntax(String),
    /// The JSON is valid but is not a StructType spate can use; `path` locates the value.
    #[error("schema JSON: {message} at {path}")]
    Json {
        /// What is wrong.
        message: String,
        /// JSON path of the offending value, e.g. `$.fields[2].type`.
        path: String,
    },
}

/// Parses a declared schema: StructType JSON when the trimmed text starts with `{`, else DDL.
///
/// Names differing only by case are duplicates, as with Spark's default
/// `spark.sql.caseSensitive=false`; see [`parse_schema_with_case`].
pub fn parse_schema(text: &str) -> Result<Schema, SchemaError> {
    parse_schema_with(text, &SchemaOptions::default())
}

/// [`parse_schema`] under `spark.sql.caseSensitive` only.
pub fn parse_schema_with_case(text: &str, case_sensitive: bool) -> Result<Schema, SchemaError> {
    let opts = SchemaOptions {
        case_sensitive,
        ..SchemaOptions::default()
    };
    parse_schema_with(text, &opts)
}

/// [`parse_schema`] with the session's schema-related confs applied.
pub fn parse_schema_with(text: &str, opts: &SchemaOptions) -> Result<Schema, SchemaError> {
    // A DDL string can never start with `{`, so the first character decides unambiguously.
    if text.trim_start().starts_with('{') {
        parse_struct_json_with(text, opts)
    } else {
        parse_ddl_with(text, opts)
    }
}

/// A schema as `from_json` takes it (Spark's `DataType.fromDDL`, then `fromJson`): like
/// [`parse_schema`], but DDL may also be a whole `STRUCT<...>` type, which a read schema may not.
pub fn parse_type_schema(text: &str) -> Result<Schema, SchemaError> {
    let opts = SchemaOptions::default();
    if text.trim_start().starts_with('{') {
        parse_struct_json_with(text, &opts)
    } else {
        parse_ddl_or_struct_type(text, &opts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow::datatypes::DataType;

    #[test]
    fn case_sensitivity_decides_duplicates() {
        for text in [
            "a INT, A INT",
            r#"{"type":"struct","fields":[{"name":"a","type":"integer"},{"name":"A","type":"integer"}]}"#,
            "s STRUCT<x: INT, X: INT>",
        ] {
            assert!(parse_schema(text).is_err(), "{text}");
            assert!(parse_schema_with_case(text, true).is_ok(), "{text}");
        }
        assert!(parse_schema_with_case("a INT, a INT", true).is_err());
    }

    #[test]
    fn struct_type_form_only_outside_read_schemas() {
        let text = "STRUCT<a: INT, b: STRING>";
        assert!(parse_schema(text).is_err());
        assert_eq!(
            parse_type_schema(text).unwrap(),
            parse_schema("a INT, b STRING").unwrap()
        );
    }

    #[test]
    fn dispatches_on_first_character() {
        let from_ddl = parse_schema("  id BIGINT, name STRING").unwrap();
        let from_json = parse_schema(
            r#"
            {"type":"struct","fields":[
              {"name":"id","type":"long","nullable":true,"metadata":{}},
              {"name":"name","type":"string","nullable":true,"metadata":{}}]}"#,
        )
        .unwrap();
        assert_eq!(from_ddl, from_json);
        assert_eq!(from_ddl.field(0).data_type(), &DataType::Int64);
    }

    #[test]
    fn errors_come_from_the_chosen_parser() {
        assert!(matches!(
            parse_schema("{\"type\":\"struct\"").unwrap_err(),
            SchemaError::JsonSyntax(_)
        ));
        assert!(matches!(
            parse_schema("id FOO").unwrap_err(),
            SchemaError::DdlUnsupportedType { .. }
        ));
    }

    #[test]
    fn messages_name_the_position() {
        let err = parse_schema("id BIGINT, name").unwrap_err();
        assert_eq!(
            err.to_string(),
            "schema DDL: expected a data type at offset 15 near end of input"
        );
        let err = parse_schema("id BIGINT, name ,").unwrap_err();
        assert_eq!(
            err.to_string(),
            "schema DDL: expected a data type at offset 16 near ','"
        );
    }
}
