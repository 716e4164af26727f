//! Spark's string collations: their names, how a column carries one, and the UTF8_LCASE
//! comparison key (the ICU ones are in `icu_collation`).
//!
//! Arrow types have no collation, so a collated column is a plain `Utf8` field whose metadata
//! names the collation. The SQL layer (`sql::collation`) reads it back from the plan and makes
//! comparisons, grouping and sorting go through the collation's key.

use std::collections::HashMap;
use std::sync::Arc;

use arrow::datatypes::{DataType, Field, FieldRef};

use super::icu_collation::{suggestions, IcuCollation};

/// Field-metadata key that holds a column's collation (spate's own; not written to Delta).
pub const COLLATION_KEY: &str = "spate.collation";

/// Spark's name of its case-insensitive UTF-8 collation.
pub const UTF8_LCASE: &str = "UTF8_LCASE";

/// A collation spate can honour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Collation {
    /// Spark's default: byte-by-byte comparison (a plain STRING).
    Utf8Binary,
    /// Spark's UTF8_LCASE: strings compare by their lower-case form.
    Utf8Lcase,
    /// UTF8_BINARY_RTRIM: byte-by-byte, ignoring trailing spaces.
    Utf8BinaryRtrim,
    /// UTF8_LCASE_RTRIM: by lower-case form, ignoring trailing spaces.
    Utf8LcaseRtrim,
    /// An ICU collation: `UNICODE`, or a locale, case- and accent-sensitive or not.
    Icu(IcuCollation),
}

/// Spark's UTF-8 collations, by name (the ICU ones are in `icu_collation`).
const UTF8_COLLATIONS: [(&str, Collation); 4] = [
    ("UTF8_BINARY", Collation::Utf8Binary),
    (UTF8_LCASE, Collation::Utf8Lcase),
    ("UTF8_BINARY_RTRIM", Collation::Utf8BinaryRtrim),
    ("UTF8_LCASE_RTRIM", Collation::Utf8LcaseRtrim),
];

impl Collation {
    /// The collation Spark calls `name` (case-insensitive, as Spark resolves it), or Spark's
    /// error for the name.
    pub fn from_name(name: &str) -> Result<Self, String> {
        if let Some((_, c)) = UTF8_COLLATIONS
            .iter()
            .find(|(n, _)| name.eq_ignore_ascii_case(n))
        {
            return Ok(*c);
        }
        if let Some(icu) = IcuCollation::from_name(name) {
            return Ok(Collation::Icu(icu));
        }
        let near = suggestions(name);
        let hint = if near.is_empty() {
            String::new()
        } else {
            format!(" Suggested valid collation names: [{}].", near.join(", "))
        };
        Err(format!(
            "[COLLATION_INVALID_NAME] The value {name} does not represent a correct collation \
             name.{hint}"
        ))
    }

    /// Spark's canonical name (`UTF8_LCASE`, `UNICODE_CI`, `de_CI_AI`).
    pub fn name(self) -> String {
        match self {
            Collation::Icu(icu) => icu.name(),
            utf8 => UTF8_COLLATIONS
                .iter()
                .find(|(_, c)| *c == utf8)
                .map_or_else(String::new, |(n, _)| n.to_string()),
        }
    }

    /// The collation a field's metadata names, if it names one other than UTF8_BINARY.
    pub fn of_metadata(metadata: &HashMap<String, String>) -> Option<Collation> {
        let name = metadata.get(COLLATION_KEY)?;
        Collation::from_name(name)
            .ok()
            .filter(|c| *c != Collation::Utf8Binary)
    }

    /// The collation of a string field, if other than UTF8_BINARY.
    pub fn of_field(field: &Field) -> Option<Collation> {
        if !is_string_type(field.data_type()) {
            return None;
        }
        Collation::of_metadata(field.metadata())
    }
}

/// `field` marked as holding strings of collation `c` (UTF8_BINARY leaves it as it is).
pub fn with_collation(field: Field, c: Collation) -> Field {
    if c == Collation::Utf8Binary {
        return field;
    }
    let mut metadata = field.metadata().clone();
    metadata.extend(collation_metadata(c));
    field.with_metadata(metadata)
}

/// `field` marked as holding UTF8_LCASE strings.
pub fn with_lcase_collation(field: Field) -> Field {
    with_collation(field, Collation::Utf8Lcase)
}

/// The metadata that marks a field as holding strings of collation `c`.
pub fn collation_metadata(c: Collation) -> HashMap<String, String> {
    HashMap::from([(COLLATION_KEY.to_string(), c.name())])
}

/// Whether `field` is a string column with the UTF8_LCASE collation.
pub fn is_lcase(field: &Field) -> bool {
    Collation::of_field(field) == Some(Collation::Utf8Lcase)
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

/// `dt` (an ARRAY or MAP) with its `part` marked with collation `c`, or `None` when `dt` has no
/// such STRING part.
pub fn with_collated_part(dt: &DataType, part: NestedString, c: Collation) -> Option<DataType> {
    let mark = |f: &Field| {
        (f.data_type() == &DataType::Utf8).then(|| Arc::new(with_collation(f.clone(), c)))
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

/// `dt` with its `part` marked with collation `c`, when a schema parser read one there.
pub fn mark_part(dt: DataType, c: Option<Collation>, part: NestedString) -> DataType {
    match c {
        Some(c) => with_collated_part(&dt, part, c).unwrap_or(dt),
        None => dt,
    }
}

/// Whether `field` is collated or holds collated strings in its ARRAY, MAP or STRUCT type.
pub fn has_collation(field: &Field) -> bool {
    Collation::of_field(field).is_some() || has_nested_collation(field.data_type())
}

/// Whether a string somewhere inside `dt` (an element, key, value or struct field) has a
/// collation other than UTF8_BINARY.
pub fn has_nested_collation(dt: &DataType) -> bool {
    let nested =
        |f: &Field| Collation::of_field(f).is_some() || has_nested_collation(f.data_type());
    match dt {
        DataType::List(f) | DataType::LargeList(f) | DataType::FixedSizeList(f, _) => nested(f),
        DataType::Map(entries, _) => nested(entries),
        DataType::Struct(fields) => fields.iter().any(|f| nested(f)),
        _ => false,
    }
}

/// The Arrow string types (a collation only applies to these).
pub fn is_string_type(t: &DataType) -> bool {
    matches!(t, DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View)
}

/// Spark's name for a field's type, with its collation (`string collate UTF8_LCASE`).
pub fn spark_field_type_name(field: &Field) -> String {
    let name = super::spark_type_name(field.data_type());
    match Collation::of_field(field) {
        Some(c) => format!("{name} collate {}", c.name()),
        None => name,
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
        assert_eq!(
            Collation::from_name("unicode_ci").map(Collation::name),
            Ok("UNICODE_CI".to_string())
        );
        let e = Collation::from_name("en_US").unwrap_err();
        assert!(e.starts_with("[COLLATION_INVALID_NAME]"), "{e}");
        assert!(
            e.ends_with("Suggested valid collation names: [en_USA]."),
            "{e}"
        );
        assert_eq!(
            Collation::from_name("utf8_lcase_rtrim"),
            Ok(Collation::Utf8LcaseRtrim)
        );
        assert!(Collation::from_name("UTF8_LCASE_CI").is_err());
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
