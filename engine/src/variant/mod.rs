//! Spark 4's `VARIANT`: any JSON value, stored in Spark's own binary encoding.
//!
//! # Representation
//!
//! A variant value is two byte strings, `metadata` (the dictionary of object keys) and `value`
//! (the encoded value), exactly as Spark's `VariantVal` and the Parquet Variant specification
//! lay them out. In Arrow this is `Struct<metadata: Binary NOT NULL, value: Binary NOT NULL>`,
//! the storage of Arrow's canonical `arrow.parquet.variant` extension type (unshredded). Why:
//! - Spark's semantics live in the encoding: object keys sorted, integers in the smallest
//!   integer type, `1.50` a DECIMAL (printed `1.5`), `1e3` a DOUBLE (printed `1000.0`). Text
//!   would lose the DECIMAL/DOUBLE distinction that `to_json`, `CAST` and `variant_get` show.
//! - Being a struct, not a string, DataFusion never reads the encoding's bytes as text. The
//!   price: Spark implicitly casts a VARIANT to STRING for string functions (`upper(v)` of
//!   `"x"` is `X`) and DataFusion's coercion does not, so spate wraps its string functions
//!   (`sql/functions/variant_string_args.rs`).
//!
//! The extension type is normally named in *field* metadata, but DataFusion drops field
//! metadata through most expressions, so spate marks the type itself instead: the `metadata`
//! child field carries `spark.sql.type = variant` ([`variant_type`], [`is_variant`]). Child fields
//! are part of the Arrow `DataType`, so the mark survives projections, functions and structs.
//! The parquet-variant crates are not used: none is in the dependency tree, and their JSON
//! conversion types numbers differently from Spark.
//!
//! Sinks: Delta can hold VARIANT only through its `variantType` table feature (reader 3 /
//! writer 7), which delta-rs does not write; the Delta sink refuses a VARIANT column by name.

mod build;
mod read;

use std::collections::HashMap;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Fields};

pub use build::VariantBuilder;
pub use read::{cast_variant, variant_get, variant_json, VariantPath, VariantRef};

/// Field-metadata key and value that mark the `metadata` child of a variant struct.
const MARK_KEY: &str = "spark.sql.type";
const MARK_VALUE: &str = "variant";

/// Why a variant could not be built or read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VariantError {
    /// An object has the same key twice (Spark: VARIANT_DUPLICATE_KEY).
    #[error(
        "[VARIANT_DUPLICATE_KEY] Failed to build variant because of a duplicate object key `{0}`"
    )]
    DuplicateKey(String),
    /// The bytes are not a variant encoding spate reads.
    #[error("malformed variant: {0}")]
    Malformed(&'static str),
    /// A `variant_get` path that is not `$`, `.key`, `['key']` or `[index]` steps.
    #[error("[INVALID_VARIANT_GET_PATH] The path `{0}` is not a valid variant extraction path")]
    InvalidPath(String),
}

/// Spark's `VARIANT` as an Arrow type (see the module docs).
pub fn variant_type() -> DataType {
    let mark = HashMap::from([(MARK_KEY.to_string(), MARK_VALUE.to_string())]);
    DataType::Struct(Fields::from(vec![
        Field::new("metadata", DataType::Binary, false).with_metadata(mark),
        Field::new("value", DataType::Binary, false),
    ]))
}

/// Whether `dt` is [`variant_type`].
pub fn is_variant(dt: &DataType) -> bool {
    match dt {
        DataType::Struct(fields) => {
            fields.len() == 2
                && fields[0]
                    .metadata()
                    .get(MARK_KEY)
                    .is_some_and(|v| v == MARK_VALUE)
                && fields[0].name() == "metadata"
                && fields[1].name() == "value"
        }
        _ => false,
    }
}

/// Builds a variant column from encoded values (`None` is a SQL NULL).
pub fn variant_array(values: &[Option<(Vec<u8>, Vec<u8>)>]) -> arrow::array::ArrayRef {
    use arrow::array::{BinaryArray, StructArray};
    use arrow::buffer::NullBuffer;
    let meta: BinaryArray = values
        .iter()
        .map(|v| Some(v.as_ref().map_or(&[][..], |(m, _)| m.as_slice())))
        .collect();
    let value: BinaryArray = values
        .iter()
        .map(|v| Some(v.as_ref().map_or(&[][..], |(_, x)| x.as_slice())))
        .collect();
    let nulls = NullBuffer::from(values.iter().map(Option::is_some).collect::<Vec<_>>());
    let DataType::Struct(fields) = variant_type() else {
        unreachable!("variant_type is a struct")
    };
    Arc::new(StructArray::new(
        fields,
        vec![Arc::new(meta), Arc::new(value)],
        Some(nulls),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_identifies_the_type() {
        assert!(is_variant(&variant_type()));
        let plain = DataType::Struct(Fields::from(vec![
            Field::new("metadata", DataType::Binary, false),
            Field::new("value", DataType::Binary, false),
        ]));
        assert!(!is_variant(&plain));
        assert!(!is_variant(&DataType::Utf8));
    }
}
