//! JSON reader options, parsed from Spark's case-insensitive option map (spark-semantics.md 6.2).

use std::collections::HashMap;

use chrono_tz::Tz;

use super::error::JsonError;
use crate::datetime::cast::{parse_zone_id, SparkZone};
use crate::datetime::pattern::SparkPattern;

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
    /// `timestampFormat`: a Spark datetime pattern for TIMESTAMP strings (no CAST-style fallback).
    pub timestamp_format: Option<String>,
    /// `dateFormat`: a Spark datetime pattern for DATE strings (no CAST-style fallback).
    pub date_format: Option<String>,
    /// `lineSep`: the record separator; unset means `\n`, `\r\n` or `\r`.
    pub line_sep: Option<String>,
    /// `encoding`/`charset`: the input's character set; unset means UTF-8.
    pub encoding: Option<Charset>,
    /// `multiLine`: the whole input is one JSON document (object or array of objects).
    pub multi_line: bool,
    /// `allowComments`: `/* */` and `//` comments between tokens.
    pub allow_comments: bool,
    /// `allowUnquotedFieldNames`: `{a:1}`.
    pub allow_unquoted_field_names: bool,
    /// `allowNumericLeadingZeros`: `007` is 7.
    pub allow_numeric_leading_zeros: bool,
    /// `allowBackslashEscapingAnyCharacter`: `\q` is `q`.
    pub allow_backslash_escaping_any_character: bool,
    /// `allowUnquotedControlChars`: raw control characters inside strings.
    pub allow_unquoted_control_chars: bool,
    /// Conf `spark.sql.json.enablePartialResults` (default true): with it off, a failure inside a
    /// nested struct nulls the top-level field and ends the record there.
    pub partial_results: bool,
    /// Conf `spark.sql.legacy.json.allowEmptyString.enabled` (default false): `""` is NULL, not a
    /// bad value, for types other than STRING, BINARY, FLOAT, DOUBLE, DATE and TIMESTAMP.
    pub allow_empty_string: bool,
    /// Databricks' `rescuedDataColumn` (spark-semantics.md 8.2): when set, values that do not fit
    /// the schema (unknown or case-mismatched keys, type mismatches) no longer make a record
    /// bad; they are kept as JSON text in this column (when the read schema has it). Callers
    /// strip Auto Loader's `cloudFiles.` prefix before passing the key.
    pub rescued_data_column: Option<String>,
    /// Databricks' `readerCaseSensitive` (default true): with a rescued-data column, a key that
    /// matches a field only by case is rescued; with false it fills that field instead.
    pub reader_case_sensitive: bool,
    /// Conf `spark.databricks.sql.rescuedDataColumn.filePath.enabled` (default true): the
    /// rescued JSON ends with `"_file_path"`.
    pub rescued_file_path: bool,
    /// Conf `spark.sql.caseSensitive` (default false): when false, read-schema field names that
    /// differ only by case are refused (COLUMN_ALREADY_EXISTS); when true they are two columns.
    /// JSON keys match field names exactly either way (spark-semantics.md 6.3, checked against
    /// PySpark 4.0.1 by the golden cases `key_case_mismatch_*`).
    pub case_sensitive: bool,
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
            line_sep: None,
            encoding: None,
            multi_line: false,
            allow_comments: false,
            allow_unquoted_field_names: false,
            allow_numeric_leading_zeros: false,
            allow_backslash_escaping_any_character: false,
            allow_unquoted_control_chars: false,
            partial_results: true,
            allow_empty_string: false,
            rescued_data_column: None,
            reader_case_sensitive: true,
            rescued_file_path: true,
            case_sensitive: false,
        }
    }
}

/// Parser features Spark exposes that the tokenizer does not implement: (lowercase key, default).
const UNIMPLEMENTED_FLAGS: &[(&str, bool)] = &[("enabledatetimeparsingfallback", true)];

impl JsonOptions {
    /// Builds options from a Spark option map (keys case-insensitive); unknown keys are ignored like Spark.
    ///
    /// Options Spark accepts but spate cannot honour yet (`timestampNTZFormat`, a non-en-US
    /// `locale`, `enableDateTimeParsingFallback=false`) are refused with
    /// [`JsonError::UnsupportedOption`] instead of silently decoding differently.
    /// Schema-inference-only and write-only options are ignored. Use
    /// [`JsonOptions::from_options_and_conf`] to also apply the session's Spark confs.
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
                "allowcomments" => out.allow_comments = boolean(key, value)?,
                "allowunquotedfieldnames" => out.allow_unquoted_field_names = boolean(key, value)?,
                "allownumericleadingzeros" => {
                    out.allow_numeric_leading_zeros = boolean(key, value)?
                }
                "allowbackslashescapinganycharacter" => {
                    out.allow_backslash_escaping_any_character = boolean(key, value)?
                }
                "allowunquotedcontrolchars" => {
                    out.allow_unquoted_control_chars = boolean(key, value)?
                }
                "timestampformat" => out.timestamp_format = Some(value.clone()),
                "dateformat" => out.date_format = Some(value.clone()),
                "timestampntzformat" => {
                    return Err(unsupported(
                        key,
                        value,
                        "custom TIMESTAMP_NTZ patterns are not implemented",
                    ))
                }
                "rescueddatacolumn" => out.rescued_data_column = Some(value.clone()),
                "readercasesensitive" => out.reader_case_sensitive = boolean(key, value)?,
                "linesep" => out.line_sep = Some(line_sep(key, value)?),
                "encoding" | "charset" => out.encoding = Some(Charset::from_name(key, value)?),
                "locale" => {
                    if !value.eq_ignore_ascii_case("en-US") {
                        return Err(unsupported(
                            key,
                            value,
                            "only the en-US locale is implemented",
                        ));
                    }
                }
                _ => {
                    if let Some((_, default)) =
                        UNIMPLEMENTED_FLAGS.iter().find(|(k, _)| *k == lower)
                    {
                        if boolean(key, value)? != *default {
                            return Err(unsupported(
                                key,
                                value,
                                "this Jackson feature is not implemented",
                            ));
                        }
                    }
                }
            }
        }
        out.check_supported()?;
        Ok(out)
    }

    /// Options from a reader option map plus the session's Spark confs, as Spark's JSONOptions
    /// sees them: `spark.sql.session.timeZone` (unless the `timeZone` option is set),
    /// `spark.sql.columnNameOfCorruptRecord` (unless the option is set),
    /// `spark.sql.json.enablePartialResults`, `spark.sql.legacy.json.allowEmptyString.enabled`,
    /// `spark.sql.caseSensitive` and Databricks'
    /// `spark.databricks.sql.rescuedDataColumn.filePath.enabled`. Other confs are ignored.
    pub fn from_options_and_conf(
        opts: &HashMap<String, String>,
        conf: &HashMap<String, String>,
    ) -> Result<Self, JsonError> {
        let has = |k: &str| opts.keys().any(|o| o.eq_ignore_ascii_case(k));
        let mut with_conf = opts.clone();
        if let (Some(tz), false) = (conf.get("spark.sql.session.timeZone"), has("timeZone")) {
            with_conf.insert("timeZone".to_string(), tz.clone());
        }
        if let (Some(name), false) = (
            conf.get("spark.sql.columnNameOfCorruptRecord"),
            has("columnNameOfCorruptRecord"),
        ) {
            with_conf.insert("columnNameOfCorruptRecord".to_string(), name.clone());
        }
        let mut out = Self::from_options(&with_conf)?;
        if let Some(v) = conf.get("spark.sql.json.enablePartialResults") {
            out.partial_results = boolean("spark.sql.json.enablePartialResults", v)?;
        }
        if let Some(v) = conf.get("spark.sql.legacy.json.allowEmptyString.enabled") {
            out.allow_empty_string = boolean("spark.sql.legacy.json.allowEmptyString.enabled", v)?;
        }
        if let Some(v) = conf.get("spark.sql.caseSensitive") {
            out.case_sensitive = boolean("spark.sql.caseSensitive", v)?;
        }
        let file_path = "spark.databricks.sql.rescuedDataColumn.filePath.enabled";
        if let Some(v) = conf.get(file_path) {
            out.rescued_file_path = boolean(file_path, v)?;
        }
        Ok(out)
    }

    /// Checks option combinations the way Spark's JSONOptions does.
    pub fn check_supported(&self) -> Result<(), JsonError> {
        if let Some(cs) = self.encoding {
            // JSONOptions.checkedEncoding: UTF-16/UTF-32 with a BOM cannot be split into lines,
            // and any other non-UTF-8 charset needs an explicit lineSep in per-line mode.
            if !self.multi_line && matches!(cs, Charset::Utf16 | Charset::Utf32 | Charset::Utf32Le)
            {
                return Err(invalid(
                    "encoding",
                    cs.name(),
                    &format!("The {} encoding must not be included in the denyList when multiLine is disabled: denylist: UTF-16, UTF-32", cs.name()),
                ));
            }
            if !self.multi_line && cs != Charset::Utf8 && self.line_sep.is_none() {
                return Err(invalid(
                    "encoding",
                    cs.name(),
                    &format!(
                        "The lineSep option must be specified for the {} encoding",
                        cs.name()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The compiled `timestampFormat` and `dateFormat` patterns: `Some(None)` for a pattern that
    /// does not compile, which Spark only notices per value (every such value is then bad).
    pub(crate) fn patterns(&self) -> (Option<Option<SparkPattern>>, Option<Option<SparkPattern>>) {
        let compile = |p: &Option<String>| {
            p.as_deref()
                .map(|p| SparkPattern::compile_for_parsing(p).ok())
        };
        (compile(&self.timestamp_format), compile(&self.date_format))
    }
}

/// The character sets Spark 4's JSON reader accepts (`CharsetProvider`'s list; `latin1` and
/// `utf8` are INVALID_PARAMETER_VALUE.CHARSET).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charset {
    /// `utf-8`.
    Utf8,
    /// `us-ascii`: bytes above 0x7F become U+FFFD.
    UsAscii,
    /// `iso-8859-1`.
    Iso8859_1,
    /// `utf-16`: byte order from the BOM, big-endian without one.
    Utf16,
    /// `utf-16be`.
    Utf16Be,
    /// `utf-16le`.
    Utf16Le,
    /// `utf-32`: byte order from the BOM, big-endian without one.
    Utf32,
    /// Little-endian UTF-32 (only detected in multiLine documents; not a name Spark accepts).
    Utf32Le,
}

impl Charset {
    fn from_name(key: &str, value: &str) -> Result<Charset, JsonError> {
        Ok(match value.to_ascii_lowercase().as_str() {
            "utf-8" => Charset::Utf8,
            "us-ascii" => Charset::UsAscii,
            "iso-8859-1" => Charset::Iso8859_1,
            "utf-16" => Charset::Utf16,
            "utf-16be" => Charset::Utf16Be,
            "utf-16le" => Charset::Utf16Le,
            "utf-32" => Charset::Utf32,
            _ => {
                return Err(invalid(
                    key,
                    value,
                    "INVALID_PARAMETER_VALUE.CHARSET: expects one of the iso-8859-1, us-ascii, utf-16, utf-16be, \
                     utf-16le, utf-32, utf-8",
                ))
            }
        })
    }

    /// The canonical name, as Spark prints it.
    pub fn name(self) -> &'static str {
        match self {
            Charset::Utf8 => "UTF-8",
            Charset::UsAscii => "US-ASCII",
            Charset::Iso8859_1 => "ISO-8859-1",
            Charset::Utf16 => "UTF-16",
            Charset::Utf16Be => "UTF-16BE",
            Charset::Utf16Le => "UTF-16LE",
            Charset::Utf32 => "UTF-32",
            Charset::Utf32Le => "UTF-32LE",
        }
    }

    /// Jackson's encoding detection for a document without a declared charset: a UTF-16/UTF-32
    /// byte-order mark, or the zero bytes around the first ASCII character. None means UTF-8.
    pub fn detect_json(data: &[u8]) -> Option<Charset> {
        match data {
            [0xFE, 0xFF, ..] => Some(Charset::Utf16Be),
            [0xFF, 0xFE, 0, 0, ..] => Some(Charset::Utf32),
            [0xFF, 0xFE, ..] => Some(Charset::Utf16Le),
            [0, 0, 0xFE, 0xFF, ..] => Some(Charset::Utf32),
            [0, 0, 0, b, ..] if *b != 0 => Some(Charset::Utf32),
            [a, 0, 0, 0, ..] if *a != 0 => Some(Charset::Utf32Le),
            [0, b, ..] if *b != 0 => Some(Charset::Utf16Be),
            [a, 0, ..] if *a != 0 => Some(Charset::Utf16Le),
            _ => None,
        }
    }

    /// The bytes of `s` in this charset (for the lineSep).
    pub fn encode(self, s: &str) -> Vec<u8> {
        match self {
            Charset::Utf8 => s.as_bytes().to_vec(),
            Charset::UsAscii | Charset::Iso8859_1 => s
                .chars()
                .map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?'))
                .collect(),
            Charset::Utf16 | Charset::Utf16Be => {
                s.encode_utf16().flat_map(u16::to_be_bytes).collect()
            }
            Charset::Utf16Le => s.encode_utf16().flat_map(u16::to_le_bytes).collect(),
            Charset::Utf32 => s.chars().flat_map(|c| u32::from(c).to_be_bytes()).collect(),
            Charset::Utf32Le => s.chars().flat_map(|c| u32::from(c).to_le_bytes()).collect(),
        }
    }

    /// Decodes `data`, or None when it is malformed in this charset.
    pub fn decode_strict(self, data: &[u8]) -> Option<String> {
        match self {
            Charset::Utf8 => std::str::from_utf8(data).ok().map(str::to_string),
            Charset::UsAscii => data
                .is_ascii()
                .then(|| data.iter().map(|&b| char::from(b)).collect()),
            Charset::Iso8859_1 => Some(data.iter().map(|&b| char::from(b)).collect()),
            Charset::Utf16 | Charset::Utf16Be | Charset::Utf16Le => {
                if !data.len().is_multiple_of(2) {
                    return None;
                }
                let (little, body) = self.utf16_order(data);
                let units: Vec<u16> = body
                    .chunks(2)
                    .map(|c| {
                        if little {
                            u16::from_le_bytes([c[0], c[1]])
                        } else {
                            u16::from_be_bytes([c[0], c[1]])
                        }
                    })
                    .collect();
                String::from_utf16(&units).ok()
            }
            Charset::Utf32 | Charset::Utf32Le => {
                if !data.len().is_multiple_of(4) {
                    return None;
                }
                let (little, body) = self.utf32_order(data);
                body.chunks(4)
                    .map(|c| {
                        let b = [c[0], c[1], c[2], c[3]];
                        char::from_u32(if little {
                            u32::from_le_bytes(b)
                        } else {
                            u32::from_be_bytes(b)
                        })
                    })
                    .collect()
            }
        }
    }

    /// Byte order and body of UTF-16 input (a BOM decides for `utf-16`; big-endian without one).
    fn utf16_order(self, data: &[u8]) -> (bool, &[u8]) {
        match (self, data) {
            (Charset::Utf16Le, _) => (true, data),
            (Charset::Utf16Be, _) => (false, data),
            (_, [0xFF, 0xFE, rest @ ..]) => (true, rest),
            (_, [0xFE, 0xFF, rest @ ..]) => (false, rest),
            _ => (false, data),
        }
    }

    /// Byte order and body of UTF-32 input.
    fn utf32_order(self, data: &[u8]) -> (bool, &[u8]) {
        match (self, data) {
            (Charset::Utf32Le, _) => (true, data),
            (_, [0xFF, 0xFE, 0, 0, rest @ ..]) => (true, rest),
            (_, [0, 0, 0xFE, 0xFF, rest @ ..]) => (false, rest),
            _ => (false, data),
        }
    }

    /// Decodes `data` to UTF-8 text (malformed sequences become U+FFFD, as Java's decoders do).
    pub fn decode(self, data: &[u8]) -> String {
        match self {
            Charset::Utf8 => String::from_utf8_lossy(data).into_owned(),
            Charset::UsAscii => data
                .iter()
                .map(|&b| if b < 0x80 { char::from(b) } else { '\u{FFFD}' })
                .collect(),
            Charset::Iso8859_1 => data.iter().map(|&b| char::from(b)).collect(),
            Charset::Utf16 | Charset::Utf16Be | Charset::Utf16Le => {
                let (little, body) = self.utf16_order(data);
                let units: Vec<u16> = body
                    .chunks(2)
                    .map(|c| match c {
                        [a, b] if little => u16::from_le_bytes([*a, *b]),
                        [a, b] => u16::from_be_bytes([*a, *b]),
                        _ => 0xFFFD,
                    })
                    .collect();
                String::from_utf16_lossy(&units)
            }
            Charset::Utf32 | Charset::Utf32Le => {
                let (little, body) = self.utf32_order(data);
                body.chunks(4)
                    .map(|c| match c {
                        [a, b, c2, d] => {
                            let v = if little {
                                u32::from_le_bytes([*a, *b, *c2, *d])
                            } else {
                                u32::from_be_bytes([*a, *b, *c2, *d])
                            };
                            char::from_u32(v).unwrap_or('\u{FFFD}')
                        }
                        _ => '\u{FFFD}',
                    })
                    .collect()
            }
        }
    }
}

fn invalid(key: &str, value: &str, reason: &str) -> JsonError {
    JsonError::InvalidOption {
        key: key.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
}

fn unsupported(key: &str, value: &str, reason: &str) -> JsonError {
    JsonError::UnsupportedOption {
        key: key.to_string(),
        value: value.to_string(),
        reason: reason.to_string(),
    }
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

/// `lineSep`: any non-empty string; records are split on exactly it.
fn line_sep(key: &str, value: &str) -> Result<String, JsonError> {
    if value.is_empty() {
        return Err(invalid(key, value, "'lineSep' cannot be an empty string"));
    }
    Ok(value.to_string())
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
            name.parse::<Tz>()
                .map_err(|_| invalid("offset out of the Etc/GMT range"))
        }
        Some(SparkZone::Fixed(_)) => Err(unsupported(
            key,
            value,
            "fixed offsets that are not whole hours are not implemented; use a region id",
        )),
        None => Err(invalid("not a valid time zone id")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
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
        assert_eq!(
            ParseMode::from_name("DropMalformed"),
            ParseMode::DropMalformed
        );
        // Unknown mode: warning + PERMISSIVE.
        assert_eq!(ParseMode::from_name("lenient"), ParseMode::Permissive);
    }

    #[test]
    fn session_confs() {
        let conf = map(&[
            ("spark.sql.session.timeZone", "Europe/Paris"),
            ("spark.sql.json.enablePartialResults", "false"),
            ("spark.sql.legacy.json.allowEmptyString.enabled", "true"),
            ("spark.sql.columnNameOfCorruptRecord", "bad"),
        ]);
        let o = JsonOptions::from_options_and_conf(&HashMap::new(), &conf).unwrap();
        assert_eq!(o.time_zone, chrono_tz::Europe::Paris);
        assert!(!o.partial_results && o.allow_empty_string);
        assert_eq!(o.column_name_of_corrupt_record, "bad");
        // Reader options win over the session's confs.
        let o = JsonOptions::from_options_and_conf(
            &map(&[("TIMEZONE", "UTC"), ("columnNameOfCorruptRecord", "x")]),
            &conf,
        )
        .unwrap();
        assert_eq!(o.time_zone, Tz::UTC);
        assert_eq!(o.column_name_of_corrupt_record, "x");
    }

    #[test]
    fn time_zone_forms() {
        let tz = |v: &str| JsonOptions::from_options(&map(&[("timeZone", v)])).map(|o| o.time_zone);
        assert_eq!(tz("UTC").unwrap(), Tz::UTC);
        assert_eq!(tz("+02:00").unwrap(), chrono_tz::Etc::GMTMinus2);
        assert_eq!(tz("PST").unwrap(), chrono_tz::America::Los_Angeles);
        assert!(matches!(
            tz("Nowhere/City"),
            Err(JsonError::InvalidOption { .. })
        ));
        assert!(matches!(
            tz("+05:30"),
            Err(JsonError::UnsupportedOption { .. })
        ));
    }

    #[test]
    fn invalid_and_unsupported() {
        let r = |k: &str, v: &str| JsonOptions::from_options(&map(&[(k, v)]));
        assert!(matches!(
            r("multiLine", "yes"),
            Err(JsonError::InvalidOption { .. })
        ));
        assert!(matches!(
            r("lineSep", ""),
            Err(JsonError::InvalidOption { .. })
        ));
        assert_eq!(r("lineSep", "|").unwrap().line_sep.as_deref(), Some("|"));
        assert!(r("lineSep", "\n").is_ok());
        assert!(r("timestampFormat", "yyyy-MM-dd").is_ok());
        assert!(
            r("dateFormat", "yyyy-MM-dd bb").is_ok(),
            "Spark fails each value, not the read"
        );
        assert!(r("allowComments", "true").is_ok_and(|o| o.allow_comments));
        assert!(matches!(
            r("allowComments", "maybe"),
            Err(JsonError::InvalidOption { .. })
        ));
        assert!(matches!(
            r("enableDateTimeParsingFallback", "false"),
            Err(JsonError::UnsupportedOption { .. })
        ));
        assert!(matches!(
            r("encoding", "latin1"),
            Err(JsonError::InvalidOption { .. })
        ));
        assert!(matches!(
            r("encoding", "utf8"),
            Err(JsonError::InvalidOption { .. })
        ));
        assert!(r("charset", "UTF-8").is_ok());
        let two = |a: (&str, &str), b: (&str, &str)| JsonOptions::from_options(&map(&[a, b]));
        assert!(matches!(
            r("encoding", "ISO-8859-1"),
            Err(JsonError::InvalidOption { .. })
        ));
        assert!(two(("encoding", "ISO-8859-1"), ("lineSep", "\n")).is_ok());
        assert!(matches!(
            two(("encoding", "UTF-16"), ("lineSep", "\n")),
            Err(JsonError::InvalidOption { .. })
        ));
        assert!(two(("encoding", "UTF-16"), ("multiLine", "true")).is_ok());
        assert!(matches!(
            r("locale", "de-DE"),
            Err(JsonError::UnsupportedOption { .. })
        ));
    }
}
