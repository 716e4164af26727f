//! JSON reader options, parsed from Spark's case-insensitive option map (spark-semantics.md 6.2).

use std::collections::HashMap;

use chrono_tz::Tz;

use super::error::JsonError;
use crate::datetime::cast::{parse_zone_id, SparkZone};

/// How bad records are handled (spark-semantics.md 6.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParseMode {
    /// Keep the row: failed fields null, raw text in the corrupt-record column.
    #[default]
    Permissive,
    /// Drop every row of a bad record.
    DropMalformed,
    /// Fail the read on the first bad record.
    FailFast,
}

impl ParseMode {
    /// Parses a mode name case-insensitively; unknown names fall back to PERMISSIVE with a warning, like Spark.
    pub fn from_name(name: &str) -> ParseMode {
        match name.to_ascii_uppercase().as_str() {
            "PERMISSIVE" => ParseMode::Permissive,
            "DROPMALFORMED" => ParseMode::DropMalformed,
            "FAILFAST" => ParseMode::FailFast,
            _ => {
                tracing::warn!("{name} is not a valid parse mode. Using PERMISSIVE.");
                ParseMode::Permissive
            }
        }
    }

    /// Spark's name for the mode.
    pub fn name(self) -> &'static str {
        match self {
            ParseMode::Permissive => "PERMISSIVE",
            ParseMode::DropMalformed => "DROPMALFORMED",
            ParseMode::FailFast => "FAILFAST",
        }
    }
}

/// Options of the JSON reader that change how records decode.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonOptions {
    /// `mode`.
    pub mode: ParseMode,
    /// `columnNameOfCorruptRecord`: filled only if the read schema has such a column.
    pub column_name_of_corrupt_record: String,
    /// `timeZone`: zone of zone-less TIMESTAMP strings.
    pub time_zone: Tz,
    /// `allowNonNumericNumbers`: `NaN`/`Infinity` tokens and strings for FLOAT/DOUBLE.
    pub allow_non_numeric_numbers: bool,
    /// `allowSingleQuotes`: `'...'` names and strings (implemented by the tokenizer).
    pub allow_single_quotes: bool,
    /// `timestampFormat`: a set pattern is refused for now (no java.time pattern parser wired in).
    pub timestamp_format: Option<String>,
    /// `dateFormat`: a set pattern is refused for now (no java.time pattern parser wired in).
    pub date_format: Option<String>,
    /// `multiLine`: the whole input is one JSON document (object or array of objects).
    pub multi_line: bool,
}

impl Default for JsonOptions {
    fn default() -> Self {
        JsonOptions {
            mode: ParseMode::Permissive,
            column_name_of_corrupt_record: "_corrupt_record".to_string(),
            time_zone: Tz::UTC,
            allow_non_numeric_numbers: true,
            allow_single_quotes: true,
            timestamp_format: None,
            date_format: None,
            multi_line: false,
        }
    }
}

/// Parser features Spark exposes that the tokenizer does not implement: (lowercase key, default).
const UNIMPLEMENTED_FLAGS: &[(&str, bool)] = &[
    ("allowcomments", false),
    ("allowunquotedfieldnames", false),
    ("allownumericleadingzeros", false),
    ("allowbackslashescapinganycharacter", false),
    ("allowunquotedcontrolchars", false),
    ("enabledatetimeparsingfallback", true),
];

impl JsonOptions {
    /// Builds options from a Spark option map (keys case-insensitive); unknown keys are ignored like Spark.
    ///
    /// Options Spark accepts but spate cannot honour yet (a `timestampFormat`, `allowComments=true`,
    /// a non-UTF-8 `encoding`, ...) are refused with [`JsonError::UnsupportedOption`] instead of
    /// silently decoding differently. Schema-inference-only and write-only options are ignored.
    pub fn from_options(opts: &HashMap<String, String>) -> Result<Self, JsonError> {
        let mut out = JsonOptions::default();
        for (key, value) in opts {
            let lower = key.to_ascii_lowercase();
            match lower.as_str() {
                "mode" => out.mode = ParseMode::from_name(value),
                "columnnameofcorruptrecord" => out.column_name_of_corrupt_record = value.clone(),
                "timezone" => out.time_zone = time_zone(key, value)?,
                "allownonnumericnumbers" => out.allow_non_numeric_numbers = boolean(key, value)?,
                "allowsinglequotes" => out.allow_single_quotes = boolean(key, value)?,
                "multiline" => out.multi_line = boolean(key, value)?,
                "timestampformat" => out.timestamp_format = Some(value.clone()),
                "dateformat" => out.date_format = Some(value.clone()),
                "timestampntzformat" => {
                    return Err(unsupported(key, value, "custom TIMESTAMP_NTZ patterns are not implemented"))
                }
                "linesep" => line_sep(key, value)?,
                "encoding" | "charset" => {
                    let v = value.to_ascii_lowercase();
                    if v != "utf-8" && v != "utf8" {
                        return Err(unsupported(key, value, "only UTF-8 input is implemented"));
                    }
                }
                "locale" => {
                    if !value.eq_ignore_ascii_case("en-US") {
                        return Err(unsupported(key, value, "only the en-US locale is implemented"));
                    }
                }
                _ => {
                    if let Some((_, default)) = UNIMPLEMENTED_FLAGS.iter().find(|(k, _)| *k == lower) {
                        if boolean(key, value)? != *default {
                            return Err(unsupported(key, value, "this Jackson feature is not implemented"));
                        }
                    }
                }
            }
        }
        out.check_supported()?;
        Ok(out)
    }

    /// Refuses settings the decoder cannot honour yet (custom datetime patterns).
    pub fn check_supported(&self) -> Result<(), JsonError> {
        if let Some(f) = &self.timestamp_format {
            return Err(unsupported("timestampFormat", f, "custom datetime patterns are not implemented; leave it unset for CAST-style parsing"));
        }
        if let Some(f) = &self.date_format {
            return Err(unsupported("dateFormat", f, "custom datetime patterns are not implemented; leave it unset for CAST-style parsing"));
        }
        Ok(())
    }
}

fn unsupported(key: &str, value: &str, reason: &str) -> JsonError {
    JsonError::UnsupportedOption { key: key.to_string(), value: value.to_string(), reason: reason.to_string() }
}

/// Scala's `String.toBoolean`: `true`/`false`, any case.
fn boolean(key: &str, value: &str) -> Result<bool, JsonError> {
    if value.eq_ignore_ascii_case("true") {
        Ok(true)
    } else if value.eq_ignore_ascii_case("false") {
        Ok(false)
    } else {
        Err(JsonError::InvalidOption {
            key: key.to_string(),
            value: value.to_string(),
            reason: "expected true or false".to_string(),
        })
    }
}

/// `lineSep`: must be non-empty; `\n` and `\r\n` are what the default framing already splits on.
fn line_sep(key: &str, value: &str) -> Result<(), JsonError> {
    match value {
        "" => Err(JsonError::InvalidOption {
            key: key.to_string(),
            value: value.to_string(),
            reason: "'lineSep' cannot be an empty string".to_string(),
        }),
        "\n" | "\r\n" => Ok(()),
        _ => Err(unsupported(key, value, "only the default \\n / \\r\\n / \\r framing is implemented")),
    }
}

/// `timeZone`: a Spark zone id mapped onto a tz-database zone.
fn time_zone(key: &str, value: &str) -> Result<Tz, JsonError> {
    let invalid = |reason: &str| JsonError::InvalidOption {
        key: key.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    };
    match parse_zone_id(value) {
        Some(SparkZone::Region(tz)) => Ok(tz),
        Some(SparkZone::Fixed(0)) => Ok(Tz::UTC),
        Some(SparkZone::Fixed(secs)) if secs % 3600 == 0 => {
            // Etc/GMT-h is UTC+h (POSIX sign convention).
            let name = format!("Etc/GMT{:+}", -secs / 3600);
            name.parse::<Tz>().map_err(|_| invalid("offset out of the Etc/GMT range"))
        }
        Some(SparkZone::Fixed(_)) => Err(unsupported(key, value, "fixed offsets that are not whole hours are not implemented; use a region id")),
        None => Err(invalid("not a valid time zone id")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn defaults() {
        let o = JsonOptions::from_options(&HashMap::new()).unwrap();
        assert_eq!(o, JsonOptions::default());
        assert_eq!(o.mode, ParseMode::Permissive);
        assert_eq!(o.column_name_of_corrupt_record, "_corrupt_record");
        assert!(o.allow_non_numeric_numbers && o.allow_single_quotes && !o.multi_line);
    }

    #[test]
    fn case_insensitive_keys_and_modes() {
        let o = JsonOptions::from_options(&map(&[
            ("MODE", "failfast"),
            ("ColumnNameOfCorruptRecord", "bad"),
            ("timezone", "Europe/Paris"),
            ("ALLOWSINGLEQUOTES", "FALSE"),
            ("multiLine", "True"),
            ("maxFilesPerTrigger", "10"),
            ("primitivesAsString", "true"),
        ]))
        .unwrap();
        assert_eq!(o.mode, ParseMode::FailFast);
        assert_eq!(o.column_name_of_corrupt_record, "bad");
        assert_eq!(o.time_zone, chrono_tz::Europe::Paris);
        assert!(!o.allow_single_quotes);
        assert!(o.multi_line);
        assert_eq!(ParseMode::from_name("DropMalformed"), ParseMode::DropMalformed);
        // Unknown mode: warning + PERMISSIVE.
        assert_eq!(ParseMode::from_name("lenient"), ParseMode::Permissive);
    }

    #[test]
    fn time_zone_forms() {
        let tz = |v: &str| JsonOptions::from_options(&map(&[("timeZone", v)])).map(|o| o.time_zone);
        assert_eq!(tz("UTC").unwrap(), Tz::UTC);
        assert_eq!(tz("+02:00").unwrap(), chrono_tz::Etc::GMTMinus2);
        assert_eq!(tz("PST").unwrap(), chrono_tz::America::Los_Angeles);
        assert!(matches!(tz("Nowhere/City"), Err(JsonError::InvalidOption { .. })));
        assert!(matches!(tz("+05:30"), Err(JsonError::UnsupportedOption { .. })));
    }

    #[test]
    fn invalid_and_unsupported() {
        let r = |k: &str, v: &str| JsonOptions::from_options(&map(&[(k, v)]));
        assert!(matches!(r("multiLine", "yes"), Err(JsonError::InvalidOption { .. })));
        assert!(matches!(r("lineSep", ""), Err(JsonError::InvalidOption { .. })));
        assert!(matches!(r("lineSep", "|"), Err(JsonError::UnsupportedOption { .. })));
        assert!(r("lineSep", "\n").is_ok());
        assert!(matches!(r("timestampFormat", "yyyy-MM-dd"), Err(JsonError::UnsupportedOption { .. })));
        assert!(matches!(r("dateFormat", "yyyy-MM-dd"), Err(JsonError::UnsupportedOption { .. })));
        assert!(matches!(r("allowComments", "true"), Err(JsonError::UnsupportedOption { .. })));
        assert!(r("allowComments", "false").is_ok());
        assert!(matches!(r("encoding", "latin1"), Err(JsonError::UnsupportedOption { .. })));
        assert!(r("charset", "UTF-8").is_ok());
        assert!(matches!(r("locale", "de-DE"), Err(JsonError::UnsupportedOption { .. })));
    }
}
