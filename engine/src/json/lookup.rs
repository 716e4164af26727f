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
    /// The field names as bytes: keys are compared as raw bytes, which spares the per-key
    /// UTF-8 boundary checks (a key that is not UTF-8 cannot equal a name anyway).
    names: Vec<Box<[u8]>>,
    map: Option<HashMap<Box<[u8]>, usize, BuildHasherDefault<Fnv>>>,
    hint: usize,
}

/// Loads 8 bytes of `s` from `i` (the caller guarantees `i + 8 <= s.len()`).
#[inline(always)]
fn load8(s: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&s[i..i + 8]);
    u64::from_le_bytes(a)
}

/// Byte equality without a `memcmp` call for names of 8 to 32 bytes (most JSON keys), which are
/// compared as overlapping words.
#[inline(always)]
fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        8..=16 => load8(a, 0) == load8(b, 0) && load8(a, n - 8) == load8(b, n - 8),
        17..=32 => {
            load8(a, 0) == load8(b, 0)
                && load8(a, 8) == load8(b, 8)
                && load8(a, n - 16) == load8(b, n - 16)
                && load8(a, n - 8) == load8(b, n - 8)
        }
        _ => a == b,
    }
}

impl FieldLookup {
    /// Builds the lookup; the caller has rejected duplicate names.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let names: Vec<Box<[u8]>> = names.into_iter().map(|n| Box::from(n.as_bytes())).collect();
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

    /// Index of the field named exactly `key` (the key's decoded bytes).
    #[inline(always)]
    pub fn find(&mut self, key: &[u8]) -> Option<usize> {
        let h = self.hint;
        if let Some(n) = self.names.get(h) {
            if same(n, key) {
                self.hint = h + 1;
                return Some(h);
            }
        }
        self.find_slow(key)
    }

    /// [`FieldLookup::find`] when the key is not the field after the previous match.
    #[inline(never)]
    fn find_slow(&mut self, key: &[u8]) -> Option<usize> {
        let found = match &self.map {
            Some(map) => map.get(key).copied(),
            None => self.names.iter().position(|n| same(n, key)),
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
            .position(|n| n.eq_ignore_ascii_case(key.as_bytes()))
            .or_else(|| {
                let key = key.to_lowercase();
                self.names
                    .iter()
                    .position(|n| String::from_utf8_lossy(n).to_lowercase() == key)
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_case_sensitive_matching() {
        let mut l = FieldLookup::new(["a", "b", "Name"]);
        assert_eq!(l.find(b"a"), Some(0));
        assert_eq!(l.find(b"b"), Some(1));
        assert_eq!(l.find(b"Name"), Some(2));
        assert_eq!(l.find(b"name"), None);
        assert_eq!(l.find(b"a "), None);
        assert_eq!(l.find(b"b"), Some(1));
        assert_eq!(l.find(b"a"), Some(0));
    }

    #[test]
    fn large_structs_use_the_map() {
        let names: Vec<String> = (0..40).map(|i| format!("f{i}")).collect();
        let mut l = FieldLookup::new(names.iter().map(String::as_str));
        for i in (0..40).rev() {
            assert_eq!(l.find(format!("f{i}").as_bytes()), Some(i));
        }
        assert_eq!(l.find(b"F1"), None);
    }

    #[test]
    fn same_compares_bytes_of_every_length() {
        for n in 0..40usize {
            let a: Vec<u8> = (0..n as u8).collect();
            assert!(same(&a, &a.clone()));
            for i in 0..n {
                let mut b = a.clone();
                b[i] ^= 0x20;
                assert!(!same(&a, &b), "len {n} differs at {i}");
            }
            assert!(!same(&a, &a[..n.saturating_sub(1)]) || n == 0);
        }
    }

    #[test]
    fn ignore_case_lookup() {
        let l = FieldLookup::new(["id", "Name", "ÉTÉ"]);
        assert_eq!(l.find_ignore_case("NAME"), Some(1));
        assert_eq!(l.find_ignore_case("été"), Some(2));
        assert_eq!(l.find_ignore_case("nom"), None);
    }
}
