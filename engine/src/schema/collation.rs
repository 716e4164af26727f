//! Spark's string collations: which ones spate honours, how a column carries one, and the
//! UTF8_LCASE comparison key.
//!
//! Arrow types have no collation, so a collated column is a plain `Utf8` field whose metadata
//! names the collation. The SQL layer (`sql::collation`) reads it back from the plan and makes
//! comparisons, grouping and sorting go through [`utf8_lcase_key`].

use std::collections::HashMap;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, FieldRef};

/// Field-metadata key that holds a column's collation (spate's own; not written to Delta).
pub const COLLATION_KEY: &str = "spate.collation";

/// Spark's name of the one non-default collation spate honours.
pub const UTF8_LCASE: &str = "UTF8_LCASE";

/// A collation spate can honour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collation {
    /// Spark's default: byte-by-byte comparison (a plain STRING).
    Utf8Binary,
    /// Spark's UTF8_LCASE: strings compare by their lower-case form.
    Utf8Lcase,
}

impl Collation {
    /// The collation Spark calls `name` (case-insensitive, as Spark resolves it), or why not.
    pub fn from_name(name: &str) -> Result<Self, String> {
        if name.eq_ignore_ascii_case("UTF8_BINARY") {
            Ok(Collation::Utf8Binary)
        } else if name.eq_ignore_ascii_case(UTF8_LCASE) {
            Ok(Collation::Utf8Lcase)
        } else {
            Err(format!(
                "collation '{name}' is not supported (spate honours UTF8_BINARY and UTF8_LCASE; \
                 the ICU collations such as UNICODE_CI and the _RTRIM variants are not available)"
            ))
        }
    }
}

/// `field` marked as holding UTF8_LCASE strings.
pub fn with_lcase_collation(field: Field) -> Field {
    let mut metadata = field.metadata().clone();
    metadata.extend(lcase_metadata());
    field.with_metadata(metadata)
}

/// The metadata that marks a field as UTF8_LCASE.
pub fn lcase_metadata() -> HashMap<String, String> {
    HashMap::from([(COLLATION_KEY.to_string(), UTF8_LCASE.to_string())])
}

/// Whether `field` is a string column with the UTF8_LCASE collation.
pub fn is_lcase(field: &Field) -> bool {
    is_lcase_metadata(field.metadata()) && is_string_type(field.data_type())
}

/// A string inside an ARRAY or MAP type that can carry a collation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NestedString {
    /// The elements of an ARRAY.
    Element,
    /// The keys of a MAP.
    Key,
    /// The values of a MAP.
    Value,
}

/// `dt` (an ARRAY or MAP) with its `part` marked UTF8_LCASE, or `None` when `dt` has no such
/// STRING part.
pub fn with_lcase_part(dt: &DataType, part: NestedString) -> Option<DataType> {
    let mark = |f: &Field| {
        (f.data_type() == &DataType::Utf8).then(|| Arc::new(with_lcase_collation(f.clone())))
    };
    match (dt, part) {
        (DataType::List(element), NestedString::Element) => Some(DataType::List(mark(element)?)),
        (DataType::Map(entries, sorted), NestedString::Key | NestedString::Value) => {
            let DataType::Struct(kv) = entries.data_type() else {
                return None;
            };
            let i = usize::from(part == NestedString::Value);
            let mut kv: Vec<FieldRef> = kv.iter().cloned().collect();
            kv[i] = mark(kv.get(i)?)?;
            let entries = entries
                .as_ref()
                .clone()
                .with_data_type(DataType::Struct(kv.into()));
            Some(DataType::Map(Arc::new(entries), *sorted))
        }
        _ => None,
    }
}

/// `dt` with its `part` marked UTF8_LCASE when `lcase` (a schema parser read a collation there).
pub fn mark_lcase_part(dt: DataType, lcase: bool, part: NestedString) -> DataType {
    if lcase {
        with_lcase_part(&dt, part).unwrap_or(dt)
    } else {
        dt
    }
}

/// Whether `field` is UTF8_LCASE or holds UTF8_LCASE strings in its ARRAY, MAP or STRUCT type.
pub fn has_collation(field: &Field) -> bool {
    is_lcase(field) || has_nested_lcase(field.data_type())
}

/// Whether a string somewhere inside `dt` (an element, key, value or struct field) is
/// UTF8_LCASE.
pub fn has_nested_lcase(dt: &DataType) -> bool {
    let nested = |f: &Field| is_lcase(f) || has_nested_lcase(f.data_type());
    match dt {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => nested(f),
        DataType::Map(entries, _) => nested(entries),
        DataType::Struct(fields) => fields.iter().any(|f| nested(f)),
        _ => false,
    }
}

/// Whether field metadata names the UTF8_LCASE collation.
pub fn is_lcase_metadata(metadata: &HashMap<String, String>) -> bool {
    metadata
        .get(COLLATION_KEY)
        .is_some_and(|c| c.eq_ignore_ascii_case(UTF8_LCASE))
}

/// The Arrow string types (a collation only applies to these).
pub fn is_string_type(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Spark's name for a field's type, with its collation (`string collate UTF8_LCASE`).
pub fn spark_field_type_name(field: &Field) -> String {
    let name = super::spark_type_name(field.data_type());
    if is_lcase(field) {
        format!("{name} collate {UTF8_LCASE}")
    } else {
        name
    }
}

/// Appends the UTF8_LCASE comparison key of `s` to `out`.
///
/// Spark's `CollationAwareUTF8String.lowerCaseCodePoints`: each code point's own lower case
/// (so `ß` stays `ß` and does not equal `ss`), except that `İ` becomes `i̇` (its full lower case)
/// and the final sigma `ς` becomes `σ`, so `Σ`, `σ` and `ς` are all equal.
pub fn utf8_lcase_key_into(s: &str, out: &mut String) {
    if s.is_ascii() {
        out.extend(s.bytes().map(|b| char::from(b.to_ascii_lowercase())));
        return;
    }
    for c in s.chars() {
        match c {
            'İ' => out.push_str("i\u{307}"),
            'ς' => out.push('σ'),
            // One code point in, one out: no context rules (unlike str::to_lowercase's sigma).
            c => out.extend(c.to_lowercase()),
        }
    }
}

/// The UTF8_LCASE comparison key of `s`.
pub fn utf8_lcase_key(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    utf8_lcase_key_into(s, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lcase_key_follows_spark() {
        assert_eq!(utf8_lcase_key("AbC"), "abc");
        assert_eq!(utf8_lcase_key("İ"), utf8_lcase_key("i\u{307}"));
        assert_eq!(utf8_lcase_key("Σ"), utf8_lcase_key("ς"));
        assert_eq!(utf8_lcase_key("ΟΔΟΣ"), "οδοσ");
        assert_ne!(utf8_lcase_key("ß"), utf8_lcase_key("ss"));
        assert_eq!(utf8_lcase_key("ǅ"), "ǆ");
        assert_eq!(utf8_lcase_key("K"), "k");
    }

    #[test]
    fn names_resolve_case_insensitively() {
        assert_eq!(Collation::from_name("utf8_lcase"), Ok(Collation::Utf8Lcase));
        assert_eq!(
            Collation::from_name("UTF8_BINARY"),
            Ok(Collation::Utf8Binary)
        );
        assert!(Collation::from_name("UNICODE_CI")
            .unwrap_err()
            .contains("'UNICODE_CI' is not supported"));
    }

    #[test]
    fn field_type_name_shows_the_collation() {
        let f = with_lcase_collation(Field::new("b", DataType::Utf8, true));
        assert!(is_lcase(&f));
        assert_eq!(spark_field_type_name(&f), "string collate UTF8_LCASE");
        let plain = Field::new("c", DataType::Utf8, true);
        assert_eq!(spark_field_type_name(&plain), "string");
    }
}
