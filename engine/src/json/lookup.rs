//! Exact, case-sensitive member-name -> field-index lookup (spark-semantics.md 6.3).
//!
//! Exact whatever `spark.sql.caseSensitive` says: PySpark 4.0.1 leaves `name` null for
//! `{"Name":1}` with the conf false and true alike (golden cases `key_case_mismatch_*`); the conf
//! only decides whether `a` and `A` may both be fields (`plan.rs`). The one case-insensitive
//! lookup is Databricks' `readerCaseSensitive=false` with a rescued-data column.
//!
//! Records usually list keys in schema order, so the field after the previous match is tried
//! first; misses fall back to a linear scan (small structs) or an FNV hash map.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// Above this many fields a hash map beats scanning.
const LINEAR_MAX: usize = 12;

/// FNV-1a: short keys, no DoS concern (keys only select among the declared fields).
#[derive(Default)]
struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

/// Name lookup for one struct level.
#[derive(Debug, Clone)]
pub(crate) struct FieldLookup {
    names: Vec<Box<str>>,
    map: Option<HashMap<Box<str>, usize, BuildHasherDefault<Fnv>>>,
    hint: usize,
}

impl FieldLookup {
    /// Builds the lookup; the caller has rejected duplicate names.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let names: Vec<Box<str>> = names.into_iter().map(Box::from).collect();
        let map = (names.len() > LINEAR_MAX).then(|| {
            names
                .iter()
                .enumerate()
                .map(|(i, n)| (n.clone(), i))
                .collect()
        });
        FieldLookup {
            names,
            map,
            hint: 0,
        }
    }

    /// Index of the field named exactly `key`.
    #[inline]
    pub fn find(&mut self, key: &str) -> Option<usize> {
        let h = self.hint;
        if let Some(n) = self.names.get(h) {
            if **n == *key {
                self.hint = h + 1;
                return Some(h);
            }
        }
        let found = match &self.map {
            Some(map) => map.get(key).copied(),
            None => self.names.iter().position(|n| **n == *key),
        };
        if let Some(i) = found {
            self.hint = i + 1;
        }
        found
    }

    /// Index of the first field whose name equals `key` ignoring case (Databricks'
    /// `readerCaseSensitive=false`; only asked after [`FieldLookup::find`] missed).
    pub fn find_ignore_case(&self, key: &str) -> Option<usize> {
        self.names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(key))
            .or_else(|| {
                let key = key.to_lowercase();
                self.names.iter().position(|n| n.to_lowercase() == key)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_case_sensitive_matching() {
        let mut l = FieldLookup::new(["a", "b", "Name"]);
        assert_eq!(l.find("a"), Some(0));
        assert_eq!(l.find("b"), Some(1));
        assert_eq!(l.find("Name"), Some(2));
        assert_eq!(l.find("name"), None);
        assert_eq!(l.find("a "), None);
        assert_eq!(l.find("b"), Some(1));
        assert_eq!(l.find("a"), Some(0));
    }

    #[test]
    fn large_structs_use_the_map() {
        let names: Vec<String> = (0..40).map(|i| format!("f{i}")).collect();
        let mut l = FieldLookup::new(names.iter().map(String::as_str));
        for i in (0..40).rev() {
            assert_eq!(l.find(&format!("f{i}")), Some(i));
        }
        assert_eq!(l.find("F1"), None);
    }

    #[test]
    fn ignore_case_lookup() {
        let l = FieldLookup::new(["id", "Name", "ÉTÉ"]);
        assert_eq!(l.find_ignore_case("NAME"), Some(1));
        assert_eq!(l.find_ignore_case("été"), Some(2));
        assert_eq!(l.find_ignore_case("nom"), None);
    }
}
