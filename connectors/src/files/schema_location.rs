//! The inferred schema, kept where Auto Loader keeps it: `<schemaLocation>/_schemas/N`.
//!
//! The schema location defaults to the query's checkpoint (as a streaming table's is). Version 0
//! is written at the first start, after inference; a restart reads the latest version instead of
//! inferring again, so a stream's schema never changes under it because the folder did. Each file
//! is Auto Loader's layout: a `v1` line, then JSON with the data and partition schemas as Spark
//! StructType JSON strings.

use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
use serde_json::{json, Value};
use spate_engine::checkpoint::log::NumberedLog;
use spate_engine::schema::parse_struct_json;
use spate_engine::storage::Location;
use spate_engine::{Error, Result};

/// The stored schema versions of one source.
pub struct SchemaLocation {
    log: NumberedLog,
}

impl SchemaLocation {
    /// The versions kept under `base/_schemas` (`base`: `schemaLocation`, else the checkpoint).
    pub fn new(base: &Location) -> Self {
        SchemaLocation {
            log: NumberedLog::new(base.child("_schemas")),
        }
    }

    /// The latest stored schema, if inference ran before.
    pub async fn latest(&self) -> Result<Option<Schema>> {
        let Some(id) = self.log.latest().await? else {
            return Ok(None);
        };
        let name = id.to_string();
        let path = self.log.path(&name).to_string();
        let bad = |message: String| Error::Checkpoint {
            path: path.clone(),
            message,
        };
        let text = self
            .log
            .get(&name)
            .await?
            .ok_or_else(|| bad("vanished while being read".into()))?;
        let body = text
            .strip_prefix("v1\n")
            .ok_or_else(|| bad("does not start with the version line v1".into()))?;
        let v: Value = serde_json::from_str(body.trim()).map_err(|e| bad(e.to_string()))?;
        let data = v
            .get("dataSchemaJson")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no dataSchemaJson".into()))?;
        parse_struct_json(data)
            .map(Some)
            .map_err(|e| bad(e.to_string()))
    }

    /// Stores `schema` as version `version` (create-only: a second writer is refused).
    pub async fn write(&self, version: u64, schema: &Schema) -> Result<()> {
        let body = json!({
            "dataSchemaJson": struct_json(schema.fields().iter().map(|f| f.as_ref())).to_string(),
            "partitionSchemaJson": struct_json(std::iter::empty()).to_string(),
        });
        self.log
            .create(&version.to_string(), version, &format!("v1\n{body}"))
            .await?;
        Ok(())
    }
}

/// Spark's StructType JSON of `fields`.
fn struct_json<'a>(fields: impl Iterator<Item = &'a Field>) -> Value {
    let fields: Vec<Value> = fields
        .map(|f| {
            json!({
                "name": f.name(),
                "type": type_json(f.data_type()),
                "nullable": f.is_nullable(),
                "metadata": {},
            })
        })
        .collect();
    json!({"type": "struct", "fields": fields})
}

/// Spark's JSON form of a type (the types inference and schema hints produce).
fn type_json(dt: &DataType) -> Value {
    match dt {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => json!("string"),
        DataType::Boolean => json!("boolean"),
        DataType::Int8 => json!("byte"),
        DataType::Int16 => json!("short"),
        DataType::Int32 => json!("integer"),
        DataType::Int64 => json!("long"),
        DataType::Float32 => json!("float"),
        DataType::Float64 => json!("double"),
        DataType::Decimal128(p, s) => json!(format!("decimal({p},{s})")),
        DataType::Date32 => json!("date"),
        DataType::Timestamp(TimeUnit::Microsecond, Some(_)) => json!("timestamp"),
        DataType::Timestamp(_, None) => json!("timestamp_ntz"),
        DataType::Timestamp(_, Some(_)) => json!("timestamp"),
        DataType::Binary | DataType::LargeBinary => json!("binary"),
        DataType::List(f) | DataType::LargeList(f) => json!({
            "type": "array",
            "elementType": type_json(f.data_type()),
            "containsNull": f.is_nullable(),
        }),
        DataType::Map(entries, _) => match entries.data_type() {
            DataType::Struct(kv) if kv.len() == 2 => json!({
                "type": "map",
                "keyType": type_json(kv[0].data_type()),
                "valueType": type_json(kv[1].data_type()),
                "valueContainsNull": kv[1].is_nullable(),
            }),
            _ => json!("string"),
        },
        DataType::Struct(fields) => struct_json(fields.iter().map(|f| f.as_ref())),
        // Types a schema hint cannot name; stored as their Spark DDL name for the reader to refuse.
        other => json!(spate_engine::schema::types::spark_type_name(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use spate_engine::schema::parse_schema;

    #[tokio::test]
    async fn versions_round_trip_in_auto_loaders_layout() {
        let base = Location::parse(&format!("memory://schemas/{}", uuid::Uuid::new_v4())).unwrap();
        let loc = SchemaLocation::new(&base);
        assert!(loc.latest().await.unwrap().is_none());
        let schema = parse_schema(
            "a BIGINT, b STRING, c DOUBLE, d ARRAY<STRUCT<x: BOOLEAN, y: DECIMAL(20,0)>>, \
             e MAP<STRING, INT>, f TIMESTAMP, g DATE",
        )
        .unwrap();
        loc.write(0, &schema).await.unwrap();
        let back = loc.latest().await.unwrap().unwrap();
        assert_eq!(back.fields(), schema.fields());
        let text = NumberedLog::new(base.child("_schemas"))
            .get("0")
            .await
            .unwrap()
            .unwrap();
        assert!(
            text.starts_with("v1\n{\"dataSchemaJson\":\"{") && text.contains("partitionSchemaJson"),
            "{text}"
        );
        // A second writer of version 0 with another schema is refused.
        let other = parse_schema("z INT").unwrap();
        assert!(loc.write(0, &other).await.is_err());
    }
}
