//! Spark's ICU collations (`UNICODE`, `UNICODE_CI`, `de_CI_AI`, `sr_Cyrl_SRB_AI`, ...): their
//! names and their sort keys.
//!
//! Spark 4 builds these on ICU4J collators; spate uses ICU4X (`icu_collator`), which carries the
//! same CLDR root order and locale tailorings. Two strings are equal under a collation when their
//! sort keys are equal, and sort as their sort keys do, so the SQL layer compares, groups and
//! sorts a collated column by its key (a BINARY value).

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use icu_collator::options::{CaseLevel, CollatorOptions, Strength};
use icu_collator::{Collator, CollatorBorrowed, CollatorPreferences};
use icu_locale_core::Locale;

/// Spark 4.0.1's ICU collation locales (`SELECT NAME FROM collations()` without specifier
/// suffixes), in Spark's order, each with the BCP 47 tag of the ICU4X locale behind it: Spark
/// spells regions in ISO 3166 alpha-3 (`en_USA`), ICU4X in alpha-2 (`en-US`). `UNICODE` is
/// ICU's root collation.
const LOCALES: &[(&str, &str)] = &[
    ("UNICODE", "und"),
    ("af", "af"),
    ("am", "am"),
    ("ar", "ar"),
    ("ar_SAU", "ar-SA"),
    ("as", "as"),
    ("az", "az"),
    ("be", "be"),
    ("bg", "bg"),
    ("bn", "bn"),
    ("bo", "bo"),
    ("br", "br"),
    ("bs", "bs"),
    ("bs_Cyrl", "bs-Cyrl"),
    ("ca", "ca"),
    ("ceb", "ceb"),
    ("chr", "chr"),
    ("cs", "cs"),
    ("cy", "cy"),
    ("da", "da"),
    ("de", "de"),
    ("de_AUT", "de-AT"),
    ("dsb", "dsb"),
    ("dz", "dz"),
    ("ee", "ee"),
    ("el", "el"),
    ("en", "en"),
    ("en_USA", "en-US"),
    ("eo", "eo"),
    ("es", "es"),
    ("et", "et"),
    ("fa", "fa"),
    ("fa_AFG", "fa-AF"),
    ("ff", "ff"),
    ("ff_Adlm", "ff-Adlm"),
    ("fi", "fi"),
    ("fil", "fil"),
    ("fo", "fo"),
    ("fr", "fr"),
    ("fr_CAN", "fr-CA"),
    ("fy", "fy"),
    ("ga", "ga"),
    ("gl", "gl"),
    ("gu", "gu"),
    ("ha", "ha"),
    ("haw", "haw"),
    ("he", "he"),
    ("he_ISR", "he-IL"),
    ("hi", "hi"),
    ("hr", "hr"),
    ("hsb", "hsb"),
    ("hu", "hu"),
    ("hy", "hy"),
    ("id", "id"),
    ("id_IDN", "id-ID"),
    ("ig", "ig"),
    ("is", "is"),
    ("it", "it"),
    ("ja", "ja"),
    ("ka", "ka"),
    ("kk", "kk"),
    ("kl", "kl"),
    ("km", "km"),
    ("kn", "kn"),
    ("ko", "ko"),
    ("kok", "kok"),
    ("ku", "ku"),
    ("ky", "ky"),
    ("lb", "lb"),
    ("lij", "lij"),
    ("lkt", "lkt"),
    ("ln", "ln"),
    ("lo", "lo"),
    ("lt", "lt"),
    ("lv", "lv"),
    ("mk", "mk"),
    ("ml", "ml"),
    ("mn", "mn"),
    ("mr", "mr"),
    ("ms", "ms"),
    ("mt", "mt"),
    ("my", "my"),
    ("nb", "nb"),
    ("nb_NOR", "nb-NO"),
    ("ne", "ne"),
    ("nl", "nl"),
    ("nn", "nn"),
    ("no", "no"),
    ("nso", "nso"),
    ("om", "om"),
    ("or", "or"),
    ("pa", "pa"),
    ("pa_Guru", "pa-Guru"),
    ("pa_Guru_IND", "pa-Guru-IN"),
    ("pl", "pl"),
    ("ps", "ps"),
    ("pt", "pt"),
    ("ro", "ro"),
    ("ru", "ru"),
    ("sa", "sa"),
    ("se", "se"),
    ("si", "si"),
    ("sk", "sk"),
    ("sl", "sl"),
    ("smn", "smn"),
    ("sq", "sq"),
    ("sr", "sr"),
    ("sr_Cyrl", "sr-Cyrl"),
    ("sr_Cyrl_BIH", "sr-Cyrl-BA"),
    ("sr_Cyrl_MNE", "sr-Cyrl-ME"),
    ("sr_Cyrl_SRB", "sr-Cyrl-RS"),
    ("sr_Latn", "sr-Latn"),
    ("sr_Latn_BIH", "sr-Latn-BA"),
    ("sr_Latn_SRB", "sr-Latn-RS"),
    ("st", "st"),
    ("sv", "sv"),
    ("sw", "sw"),
    ("ta", "ta"),
    ("te", "te"),
    ("th", "th"),
    ("tk", "tk"),
    ("tn", "tn"),
    ("to", "to"),
    ("tr", "tr"),
    ("ug", "ug"),
    ("uk", "uk"),
    ("ur", "ur"),
    ("uz", "uz"),
    ("vi", "vi"),
    ("wae", "wae"),
    ("wo", "wo"),
    ("xh", "xh"),
    ("yi", "yi"),
    ("yo", "yo"),
    ("zh", "zh"),
    ("zh_Hans", "zh-Hans"),
    ("zh_Hans_CHN", "zh-Hans-CN"),
    ("zh_Hans_SGP", "zh-Hans-SG"),
    ("zh_Hant", "zh-Hant"),
    ("zh_Hant_HKG", "zh-Hant-HK"),
    ("zh_Hant_MAC", "zh-Hant-MO"),
    ("zh_Hant_TWN", "zh-Hant-TW"),
    ("zu", "zu"),
];

/// One of Spark's ICU collations: a locale and its case and accent sensitivity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IcuCollation {
    /// Index of the locale in [`LOCALES`].
    locale: u8,
    /// `_CI`: upper and lower case compare equal.
    case_insensitive: bool,
    /// `_AI`: accented and plain letters compare equal.
    accent_insensitive: bool,
    /// `_RTRIM`: trailing spaces are ignored.
    rtrim: bool,
}

/// The specifiers after a locale, as Spark reads them: case (`CS`/`CI`), accent (`AS`/`AI`)
/// and `RTRIM`, in any order and letter case, each kind at most once. `None` for anything else.
fn specifiers(rest: &str) -> Option<Specifiers> {
    if rest.is_empty() {
        return Some(Specifiers::default());
    }
    let (mut case, mut accent, mut trim) = (None, None, None);
    for part in rest.strip_prefix('_')?.split('_') {
        let (slot, on) = match part.to_ascii_uppercase().as_str() {
            "CS" => (&mut case, false),
            "CI" => (&mut case, true),
            "AS" => (&mut accent, false),
            "AI" => (&mut accent, true),
            "RTRIM" => (&mut trim, true),
            _ => return None,
        };
        if slot.replace(on).is_some() {
            return None;
        }
    }
    Some(Specifiers {
        case_insensitive: case.unwrap_or(false),
        accent_insensitive: accent.unwrap_or(false),
        rtrim: trim.unwrap_or(false),
    })
}

/// The specifiers of a collation name.
#[derive(Debug, Default, Clone, Copy)]
struct Specifiers {
    case_insensitive: bool,
    accent_insensitive: bool,
    rtrim: bool,
}

impl Specifiers {
    /// Spark's canonical suffix: `_CI`, then `_AI`, then `_RTRIM`.
    fn suffix(self) -> String {
        let mut suffix = String::new();
        for (on, text) in [
            (self.case_insensitive, "_CI"),
            (self.accent_insensitive, "_AI"),
            (self.rtrim, "_RTRIM"),
        ] {
            if on {
                suffix.push_str(text);
            }
        }
        suffix
    }
}

impl IcuCollation {
    /// The ICU collation Spark calls `name` (letter case ignored), if any.
    pub fn from_name(name: &str) -> Option<Self> {
        LOCALES.iter().enumerate().find_map(|(i, (locale, _))| {
            let head = name.get(..locale.len())?;
            if !head.eq_ignore_ascii_case(locale) {
                return None;
            }
            let spec = specifiers(&name[locale.len()..])?;
            Some(IcuCollation {
                locale: u8::try_from(i).ok()?,
                case_insensitive: spec.case_insensitive,
                accent_insensitive: spec.accent_insensitive,
                rtrim: spec.rtrim,
            })
        })
    }

    /// Spark's canonical name: the locale as Spark spells it, then `_CI`, `_AI`, `_RTRIM`.
    pub fn name(self) -> String {
        let (locale, _) = LOCALES[usize::from(self.locale)];
        let spec = Specifiers {
            case_insensitive: self.case_insensitive,
            accent_insensitive: self.accent_insensitive,
            rtrim: self.rtrim,
        };
        format!("{locale}{}", spec.suffix())
    }

    /// The ICU4X collator, built once per collation (there are at most 4 per locale; RTRIM
    /// shares its collator).
    fn collator(self) -> Result<&'static CollatorBorrowed<'static>, String> {
        let this = IcuCollation {
            rtrim: false,
            ..self
        };
        static COLLATORS: LazyLock<
            Mutex<HashMap<IcuCollation, &'static CollatorBorrowed<'static>>>,
        > = LazyLock::new(Mutex::default);
        let mut collators = COLLATORS
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(collator) = collators.get(&this) {
            return Ok(collator);
        }
        let (name, tag) = LOCALES[usize::from(self.locale)];
        let locale = Locale::try_from_str(tag).map_err(|e| format!("locale of {name}: {e}"))?;
        // Spark's strengths: tertiary compares case and accents, secondary only accents,
        // primary neither; CS_AI is primary with ICU's case level.
        let mut options = CollatorOptions::default();
        options.strength = Some(match (self.case_insensitive, self.accent_insensitive) {
            (false, false) => Strength::Tertiary,
            (true, false) => Strength::Secondary,
            (_, true) => Strength::Primary,
        });
        if !self.case_insensitive && self.accent_insensitive {
            options.case_level = Some(CaseLevel::On);
        }
        let collator = Collator::try_new(CollatorPreferences::from(&locale), options)
            .map_err(|e| format!("ICU collator for {}: {e}", self.name()))?;
        // Leaked on purpose: a collator borrows static data and lives as long as the process;
        // there are at most 4 × LOCALES.len() of them.
        let collator: &'static CollatorBorrowed<'static> = Box::leak(Box::new(collator));
        collators.insert(this, collator);
        Ok(collator)
    }

    /// A sort keys writer for this collation, or why ICU4X cannot build its collator.
    pub fn sort_keys(self) -> Result<SortKeys, String> {
        Ok(SortKeys {
            collator: self.collator()?,
            rtrim: self.rtrim,
        })
    }
}

/// Writes sort keys under one collation: equal keys for equal strings, ordered as the strings.
pub struct SortKeys {
    collator: &'static CollatorBorrowed<'static>,
    rtrim: bool,
}

impl SortKeys {
    /// Appends the sort key of `s` to `out`.
    pub fn write(&self, s: &str, out: &mut Vec<u8>) {
        let s = if self.rtrim { rtrim_spaces(s) } else { s };
        let Ok(()) = self.collator.write_sort_key_to(s, out);
    }
}

/// `s` without its trailing spaces (U+0020 only, as Spark's RTRIM collations).
pub fn rtrim_spaces(s: &str) -> &str {
    s.trim_end_matches(' ')
}

/// Valid collation names close to `name` (at most 3, nearest first), for Spark's
/// COLLATION_INVALID_NAME message. The locale part is matched by edit distance; the case and
/// accent specifiers the user wrote are kept.
pub fn suggestions(name: &str) -> Vec<String> {
    let mut parts: Vec<&str> = name.split('_').collect();
    let mut suffix = String::new();
    while parts.len() > 1 {
        let last = parts
            .last()
            .map(|p| p.to_ascii_uppercase())
            .unwrap_or_default();
        if !matches!(last.as_str(), "CS" | "CI" | "AS" | "AI" | "RTRIM") {
            break;
        }
        parts.pop();
        suffix = format!("_{last}{suffix}");
    }
    let locale = parts.join("_").to_ascii_uppercase();
    let canonical = specifiers(&suffix).map(Specifiers::suffix);
    if locale.starts_with("UTF8") {
        return ["UTF8_BINARY", "UTF8_LCASE"]
            .into_iter()
            .filter(|c| strsim::levenshtein(&locale, c) <= 2 || canonical.is_none())
            .map(str::to_string)
            .take(1)
            .collect();
    }
    let Some(canonical) = canonical else {
        return Vec::new();
    };
    let mut near: Vec<(usize, &str)> = LOCALES
        .iter()
        .map(|(l, _)| (strsim::levenshtein(&locale, &l.to_ascii_uppercase()), *l))
        .filter(|(d, _)| *d <= 2)
        .collect();
    near.sort_by_key(|(d, _)| *d);
    near.into_iter()
        .take(3)
        .map(|(_, l)| format!("{l}{canonical}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(name: &str, s: &str) -> Vec<u8> {
        let keys = IcuCollation::from_name(name).unwrap().sort_keys().unwrap();
        let mut out = Vec::new();
        keys.write(s, &mut out);
        out
    }

    #[test]
    fn names_resolve_as_in_spark() {
        for (written, canonical) in [
            ("UNICODE", "UNICODE"),
            ("unicode_ci", "UNICODE_CI"),
            ("UNICODE_AI_CI", "UNICODE_CI_AI"),
            ("UNICODE_CS_AS", "UNICODE"),
            ("de_ai_ci", "de_CI_AI"),
            ("SR_CYRL_SRB", "sr_Cyrl_SRB"),
            ("sr_Cyrl_SRB_CI", "sr_Cyrl_SRB_CI"),
            ("en_USA_CI", "en_USA_CI"),
            ("UNICODE_RTRIM_CI", "UNICODE_CI_RTRIM"),
        ] {
            let c = IcuCollation::from_name(written).unwrap_or_else(|| panic!("{written}"));
            assert_eq!(c.name(), canonical);
        }
        for bad in [
            "en_US",
            "UNICODE_",
            "UNICODE_CI_CS",
            "UNICODE_CI_CI",
            "xx",
            "_CI",
            "é",
        ] {
            assert_eq!(IcuCollation::from_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn suggestions_follow_spark() {
        assert_eq!(suggestions("en_US"), ["en_USA"]);
        assert_eq!(suggestions("en_US_CI"), ["en_USA_CI"]);
        assert_eq!(suggestions("xx"), ["xh", "af", "am"]);
        assert_eq!(suggestions("_CI"), ["af_CI", "am_CI", "ar_CI"]);
        assert_eq!(suggestions("UTF8_LCASE_CI"), ["UTF8_LCASE"]);
    }

    #[test]
    fn every_locale_builds_its_collators() {
        for i in 0..LOCALES.len() {
            for (ci, ai) in [(false, false), (true, false), (false, true), (true, true)] {
                let c = IcuCollation {
                    locale: u8::try_from(i).unwrap(),
                    case_insensitive: ci,
                    accent_insensitive: ai,
                    rtrim: false,
                };
                c.sort_keys()
                    .unwrap_or_else(|e| panic!("{}: {e}", c.name()));
            }
        }
    }

    #[test]
    fn keys_compare_as_spark() {
        assert_eq!(key("UNICODE_CI", "x"), key("UNICODE_CI", "X"));
        assert_ne!(key("UNICODE_CI", "e"), key("UNICODE_CI", "é"));
        assert_eq!(key("UNICODE_CI_AI", "É"), key("UNICODE_CI_AI", "e"));
        assert_eq!(key("UNICODE_AI", "é"), key("UNICODE_AI", "e"));
        assert_ne!(key("UNICODE_AI", "É"), key("UNICODE_AI", "e"));
        assert_eq!(key("UNICODE", "a\u{301}"), key("UNICODE", "á"));
        assert_ne!(key("UNICODE_CI", "ß"), key("UNICODE_CI", "ss"));
        assert_eq!(key("de_CI_AI", "ß"), key("de_CI_AI", "ss"));
        assert_eq!(key("tr_CI", "I"), key("tr_CI", "ı"));
        assert_ne!(key("tr_CI", "I"), key("tr_CI", "i"));
        assert!(key("UNICODE", "a") < key("UNICODE", "B"));
        // Swedish sorts å, ä, ö after z; the root order puts them next to a and o.
        assert!(key("sv", "z") < key("sv", "å"));
        assert!(key("UNICODE", "å") < key("UNICODE", "o"));
        assert_eq!(key("UNICODE_CI_RTRIM", "a  "), key("UNICODE_CI_RTRIM", "A"));
        assert_ne!(key("UNICODE_CI_RTRIM", " a"), key("UNICODE_CI_RTRIM", "a"));
    }
}
