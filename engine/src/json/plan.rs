//! Read schema -> output schema + column builders (validation happens once per decode).

use std::collections::HashSet;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef};

use super::columns::{nullable_field, StructCol};
use super::error::JsonError;
use super::options::JsonOptions;

/// What the decoder builds for a read schema.
pub(crate) struct Plan {
    /// The output schema: the read schema with every field nullable (Spark file sources).
    pub out_schema: SchemaRef,
    /// Builders for the data fields (the read schema minus the corrupt-record and rescued-data
    /// columns).
    pub root: StructCol,
    /// Position of the corrupt-record column in the output, if the schema has one.
    pub corrupt_index: Option<usize>,
    /// Position of the rescued-data column in the output, if the option names one the schema has.
    pub rescued_index: Option<usize>,
}

/// Validates `schema` and prepares its builders.
pub(crate) fn plan(schema: &SchemaRef, opts: &JsonOptions) -> Result<Plan, JsonError> {
    check_unique(schema.fields(), "the read schema", opts.case_sensitive)?;
    let out_fields: Vec<Field> = schema.fields().iter().map(|f| nullable_field(f)).collect();
    let corrupt_name = opts.column_name_of_corrupt_record.as_str();
    let corrupt_index = string_column(schema, corrupt_name, "corrupt records")?;
    let rescued_name = opts.rescued_data_column.as_deref();
    let rescued_index = match rescued_name {
        Some(name) => string_column(schema, name, "rescued data")?,
        None => None,
    };
    if rescued_name == Some(corrupt_name) {
        return Err(JsonError::InvalidSchema(format!(
            "the rescued data column and the corrupt record column cannot both be named '{corrupt_name}'"
        )));
    }
    let data_fields: Fields = out_fields
        .iter()
        .enumerate()
        .filter(|(i, _)| Some(*i) != corrupt_index && Some(*i) != rescued_index)
        .map(|(_, f)| f.clone())
        .collect();
    let root = StructCol::new(data_fields)?;
    let out_schema = Arc::new(Schema::new_with_metadata(
        out_fields,
        schema.metadata().clone(),
    ));
    Ok(Plan {
        out_schema,
        root,
        corrupt_index,
        rescued_index,
    })
}

/// Position of the special column `name` in `schema`, which must then be a STRING (Spark's
/// analysis check on columnNameOfCorruptRecord, 6.3; the same for the rescued-data column).
fn string_column(schema: &SchemaRef, name: &str, what: &str) -> Result<Option<usize>, JsonError> {
    let index = schema.fields().iter().position(|f| f.name() == name);
    if let Some(i) = index {
        if schema.field(i).data_type() != &DataType::Utf8 {
            return Err(JsonError::InvalidSchema(format!(
                "The field for {what} ({name}) must be string type and nullable"
            )));
        }
    }
    Ok(index)
}

/// Refuses duplicate field names at any struct level: exact duplicates always (a key could not
/// pick one of them), names differing only by case unless `spark.sql.caseSensitive` (Spark's
/// `checkSchemaColumnNameDuplication`; keys still match exactly, so `a` and `A` both work then).
fn check_unique(fields: &Fields, context: &str, case_sensitive: bool) -> Result<(), JsonError> {
    let mut seen = HashSet::new();
    for f in fields {
        let name = if case_sensitive {
            f.name().clone()
        } else {
            f.name().to_lowercase()
        };
        if !seen.insert(name.clone()) {
            return Err(JsonError::InvalidSchema(format!(
                "[COLUMN_ALREADY_EXISTS] The column `{name}` already exists in {context}. Choose \
                 another name or rename the existing column (names compare case-insensitively \
                 unless spark.sql.caseSensitive is true)"
            )));
        }
        check_nested(f.data_type(), f.name(), case_sensitive)?;
    }
    Ok(())
}

fn check_nested(dt: &DataType, name: &str, case_sensitive: bool) -> Result<(), JsonError> {
    match dt {
        DataType::Struct(fs) => check_unique(fs, &format!("struct '{name}'"), case_sensitive),
        DataType::List(f) => check_nested(f.data_type(), name, case_sensitive),
        DataType::Map(entries, _) => check_nested(entries.data_type(), name, case_sensitive),
        _ => Ok(()),
    }
}
