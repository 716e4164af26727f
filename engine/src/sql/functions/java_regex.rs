//! Java (`java.util.regex`) patterns on top of Rust's `regex` crate, shared by `regexp_replace`,
//! `split` and `rlike`.
//!
//! Spark hands user patterns to `java.util.regex.Pattern`. Rust's engine differs in ways that would
//! silently change results, so patterns are translated first: `\d`, `\w`, `\s` are ASCII-only in
//! Java but Unicode in Rust; `.` stops at `\r` and other Java line terminators; POSIX classes are
//! spelled `\p{Alpha}`; `\Q...\E` quotes; `\<`/`\>` are literals in Java but word boundaries in
//! Rust. Constructs Rust cannot run (look-around, back-references, possessive quantifiers, atomic
//! groups) are rejected with an error naming the construct instead of being approximated.
//! Iteration follows `Matcher.find()`: after an empty match the next search starts one character
//! later, and an empty match may directly follow a non-empty one.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use datafusion::common::{DataFusionError, Result};
use regex::Regex;

/// Outside a class: Java's `.` excludes these line terminators (without `(?s)`).
const JAVA_DOT: &str = r"[^\n\r\x{85}\x{2028}\x{2029}]";
const DIGIT: &str = "0-9";
const WORD: &str = "a-zA-Z_0-9";
const SPACE: &str = r" \t\n\x0B\f\r";
const HSPACE: &str = r" \t\xA0\x{1680}\x{180e}\x{2000}-\x{200a}\x{202f}\x{205f}\x{3000}";
const VSPACE: &str = r"\n\x0B\f\r\x{85}\x{2028}\x{2029}";

/// Translates a Java regex into Rust `regex` syntax, or explains which construct is unsupported.
pub fn translate(pattern: &str) -> std::result::Result<String, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let dotall = has_dotall_flag(&chars);
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut class_depth = 0usize;
    let mut i = 0;
    let unsupported = |what: &str| Err(format!("unsupported Java regex construct {what}"));
    while i < chars.len() {
        let c = chars[i];
        let in_class = class_depth > 0;
        match c {
            '\\' => {
                i = translate_escape(&chars, i, in_class, &mut out)?;
                continue;
            }
            '[' => {
                class_depth += 1;
                out.push('[');
                // In Rust `[:` inside a class starts a POSIX class; in Java it is literal.
                if in_class && chars.get(i + 1) == Some(&':') {
                    out.push_str(r"\:");
                    i += 1;
                }
            }
            ']' if in_class => {
                class_depth -= 1;
                out.push(']');
            }
            // Rust treats `--` and `~~` in a class as set operations; Java takes them literally.
            '-' | '~' if in_class && chars.get(i + 1) == Some(&c) => {
                out.push('\\');
                out.push(c);
            }
            '.' if !in_class && !dotall => out.push_str(JAVA_DOT),
            '(' if !in_class && chars.get(i + 1) == Some(&'?') => {
                i = translate_group_open(&chars, i, &mut out)?;
                continue;
            }
            '*' | '+' | '?' if !in_class => {
                out.push(c);
                if chars.get(i + 1) == Some(&'+') {
                    return unsupported(&format!("'{c}+' (possessive quantifier)"));
                }
            }
            '{' if !in_class => {
                // Counted repetition: copy through `}` and check for a possessive `+`.
                let close = chars[i..].iter().position(|&x| x == '}').map(|p| i + p);
                match close {
                    Some(end)
                        if chars[i + 1..end]
                            .iter()
                            .all(|x| x.is_ascii_digit() || *x == ',') =>
                    {
                        out.extend(&chars[i..=end]);
                        if chars.get(end + 1) == Some(&'+') {
                            return unsupported("'{n,m}+' (possessive quantifier)");
                        }
                        i = end + 1;
                        continue;
                    }
                    _ => out.push('{'),
                }
            }
            _ => out.push(c),
        }
        i += 1;
    }
    Ok(out)
}

/// True when an inline flag group turns on DOTALL (then `.` keeps Rust's `(?s)` meaning).
fn has_dotall_flag(chars: &[char]) -> bool {
    let mut i = 0;
    while i + 1 < chars.len() {
        if chars[i] == '\\' {
            i += 2;
            continue;
        }
        if chars[i] == '(' && chars[i + 1] == '?' {
            let flags: String = chars[i + 2..]
                .iter()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            if flags.contains('s') {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// Handles `(?...`: non-capturing and named groups and flags pass, look-around/atomic are rejected.
fn translate_group_open(
    chars: &[char],
    i: usize,
    out: &mut String,
) -> std::result::Result<usize, String> {
    let rest: String = chars[i + 2..].iter().take(3).collect();
    let reject = |what: &str| {
        Err(format!("unsupported Java regex construct '{what}' (Rust's regex engine has no look-around, atomic groups or back-references)"))
    };
    if rest.starts_with('=') {
        return reject("(?=");
    }
    if rest.starts_with('!') {
        return reject("(?!");
    }
    if rest.starts_with("<=") {
        return reject("(?<=");
    }
    if rest.starts_with("<!") {
        return reject("(?<!");
    }
    if rest.starts_with('>') {
        return reject("(?>");
    }
    if rest.starts_with('<') || rest.starts_with(':') {
        // Named group `(?<name>` and non-capturing `(?:` have the same syntax in Rust.
        out.push_str("(?");
        return Ok(i + 2);
    }
    // Inline flags: `(?idmsux-idmsux)` or `(?flags:X)`.
    let mut j = i + 2;
    let mut flags = String::new();
    while let Some(&f) = chars.get(j) {
        match f {
            'i' | 'm' | 's' | 'x' | '-' => flags.push(f),
            // UNICODE_CASE and UNIX_LINES: Rust's case folding is already Unicode-aware; the
            // remaining difference (which characters end a line for `.`) is accepted.
            'u' | 'd' => {}
            'U' => {
                return Err("unsupported Java regex flag '(?U)' (UNICODE_CHARACTER_CLASS)".into())
            }
            ':' | ')' => break,
            other => return Err(format!("unknown inline flag '{other}' in Java regex")),
        }
        j += 1;
    }
    let end = *chars
        .get(j)
        .ok_or("unclosed inline flag group in Java regex")?;
    let flags = flags.trim_end_matches('-');
    if flags.is_empty() || flags.chars().all(|c| c == '-') {
        if end == ':' {
            out.push_str("(?:");
        }
        // `(?u)`-style groups with nothing left to say are dropped.
    } else {
        out.push_str("(?");
        out.push_str(flags);
        out.push(end);
    }
    Ok(j + 1)
}

/// Emits an ASCII class either standalone (`[0-9]`) or, inside a class, as its contents.
fn push_class(out: &mut String, body: &str, negated: bool, in_class: bool) {
    match (in_class, negated) {
        (true, false) => out.push_str(body),
        _ => {
            out.push('[');
            if negated {
                out.push('^');
            }
            out.push_str(body);
            out.push(']');
        }
    }
}

/// Translates the escape starting at `chars[i] == '\\'`; returns the index after it.
fn translate_escape(
    chars: &[char],
    i: usize,
    in_class: bool,
    out: &mut String,
) -> std::result::Result<usize, String> {
    let Some(&e) = chars.get(i + 1) else {
        return Err("Java regex ends with an unescaped backslash".into());
    };
    let unsupported = |what: &str| Err(format!("unsupported Java regex construct '{what}'"));
    let mut next = i + 2;
    match e {
        'd' | 'D' => push_class(out, DIGIT, e == 'D', in_class),
        'w' | 'W' => push_class(out, WORD, e == 'W', in_class),
        's' | 'S' => push_class(out, SPACE, e == 'S', in_class),
        'h' | 'H' => push_class(out, HSPACE, e == 'H', in_class),
        'v' | 'V' => push_class(out, VSPACE, e == 'V', in_class),
        'R' if !in_class => out.push_str(r"(?:\r\n|[\n\x0B\f\r\x{85}\x{2028}\x{2029}])"),
        '1'..='9' => {
            return Err(format!(
                "unsupported Java regex construct '\\{e}' (back-reference)"
            ))
        }
        'k' => {
            return Err(
                "unsupported Java regex construct '\\k<name>' (named back-reference)".into(),
            )
        }
        'G' | 'X' | 'Z' | 'N' | 'R' => return unsupported(&format!("\\{e}")),
        'e' => out.push_str(r"\x1B"),
        'a' => out.push_str(r"\x07"),
        '0' => {
            // Octal `\0n`, `\0nn`, `\0mnn` (m <= 3).
            let digits: String = chars[next..]
                .iter()
                .take(3)
                .take_while(|c| ('0'..='7').contains(*c))
                .collect();
            let mut digits = digits;
            if digits.len() == 3 && digits.as_bytes()[0] > b'3' {
                digits.truncate(2);
            }
            if digits.is_empty() {
                return Err("illegal octal escape sequence in Java regex".into());
            }
            let value = u32::from_str_radix(&digits, 8).map_err(|e| e.to_string())?;
            out.push_str(&format!(r"\x{{{value:X}}}"));
            next += digits.len();
        }
        'c' => {
            let ctrl = chars
                .get(next)
                .ok_or("illegal control escape sequence in Java regex")?;
            out.push_str(&format!(r"\x{{{:X}}}", (*ctrl as u32) ^ 64));
            next += 1;
        }
        'Q' => {
            // Quote everything up to `\E` (or the end).
            let mut j = next;
            while j < chars.len() && !(chars[j] == '\\' && chars.get(j + 1) == Some(&'E')) {
                out.push_str(&regex::escape(chars[j].encode_utf8(&mut [0u8; 4])));
                j += 1;
            }
            next = if j < chars.len() { j + 2 } else { j };
        }
        'E' => {} // a stray `\E` is ignored by Java
        'p' | 'P' => {
            let (name, after) = if chars.get(next) == Some(&'{') {
                let close = chars[next..]
                    .iter()
                    .position(|&c| c == '}')
                    .ok_or("unclosed \\p{...} in Java regex")?;
                (
                    chars[next + 1..next + close].iter().collect::<String>(),
                    next + close + 1,
                )
            } else {
                let c = chars.get(next).ok_or("incomplete \\p in Java regex")?;
                (c.to_string(), next + 1)
            };
            translate_property(&name, e == 'P', in_class, out)?;
            next = after;
        }
        // `\<` and `\>` are word boundaries in Rust but plain characters in Java.
        '<' | '>' => out.push(e),
        c if c.is_ascii_alphanumeric() => {
            // \t \n \r \f \x \u \b \B \A \z and errors Rust reports itself.
            out.push('\\');
            out.push(c);
        }
        other => out.push_str(&regex::escape(other.encode_utf8(&mut [0u8; 4]))),
    }
    Ok(next)
}

/// `\p{Alpha}`-style POSIX and `java.lang.Character` classes, `Is`/`In` prefixes, categories.
fn translate_property(
    name: &str,
    negated: bool,
    in_class: bool,
    out: &mut String,
) -> std::result::Result<(), String> {
    // Java's POSIX classes are US-ASCII only (without UNICODE_CHARACTER_CLASS).
    let posix = match name {
        "Lower" => Some("a-z"),
        "Upper" => Some("A-Z"),
        "ASCII" => Some(r"\x00-\x7F"),
        "Alpha" => Some("a-zA-Z"),
        "Digit" => Some("0-9"),
        "Alnum" => Some("a-zA-Z0-9"),
        "Punct" => Some(r"!-/:-@\[-`{-~"),
        "Graph" => Some(r"!-~"),
        "Print" => Some(r" -~"),
        "Blank" => Some(r" \t"),
        "Cntrl" => Some(r"\x00-\x1F\x7F"),
        "XDigit" => Some("0-9a-fA-F"),
        "Space" => Some(SPACE),
        _ => None,
    };
    if let Some(body) = posix {
        push_class(out, body, negated, in_class);
        return Ok(());
    }
    if name.starts_with("java") {
        return Err(format!(
            "unsupported Java regex construct '\\p{{{name}}}' (java.lang.Character class)"
        ));
    }
    if let Some(block) = name.strip_prefix("In") {
        return Err(format!(
            "unsupported Java regex construct '\\p{{In{block}}}' (Unicode block)"
        ));
    }
    // `IsLatin`, `IsAlphabetic`, `IsLu` -> the script/property/category name Rust understands.
    let name = name.strip_prefix("Is").unwrap_or(name);
    out.push_str(if negated { r"\P{" } else { r"\p{" });
    out.push_str(name);
    out.push('}');
    Ok(())
}

/// Compiles a Java regex (translated), caching compiled programs across batches.
pub fn compile(pattern: &str, function: &str) -> Result<Arc<Regex>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Regex>>>> = OnceLock::new();
    const MAX_CACHED: usize = 256;
    let cache = CACHE.get_or_init(Default::default);
    if let Some(re) = cache.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return Ok(re);
    }
    let invalid = |reason: String| {
        DataFusionError::Execution(format!(
            "[INVALID_PARAMETER_VALUE.PATTERN] The value of parameter(s) `regexp` in `{function}` is invalid: \
             '{pattern}': {reason}"
        ))
    };
    let translated = translate(pattern).map_err(invalid)?;
    let re = Arc::new(Regex::new(&translated).map_err(|e| invalid(e.to_string()))?);
    if let Ok(mut c) = cache.lock() {
        if c.len() >= MAX_CACHED {
            c.clear();
        }
        c.insert(pattern.to_string(), Arc::clone(&re));
    }
    Ok(re)
}

/// Matches in `Matcher.find()` order, starting the search at byte `start`.
pub fn find_iter<'r, 'h>(re: &'r Regex, haystack: &'h str, start: usize) -> JavaMatches<'r, 'h> {
    JavaMatches {
        re,
        haystack,
        from: start,
    }
}

/// Iterator returned by [`find_iter`].
pub struct JavaMatches<'r, 'h> {
    re: &'r Regex,
    haystack: &'h str,
    from: usize,
}

impl<'h> Iterator for JavaMatches<'_, 'h> {
    type Item = regex::Match<'h>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.from > self.haystack.len() {
            return None;
        }
        let m = self.re.find_at(self.haystack, self.from)?;
        self.from = if m.is_empty() {
            // Java advances one character past an empty match.
            m.end()
                + self.haystack[m.end()..]
                    .chars()
                    .next()
                    .map_or(1, char::len_utf8)
        } else {
            m.end()
        };
        Some(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(p: &str) -> String {
        translate(p).expect("translates")
    }

    #[test]
    fn ascii_shorthand_classes() {
        assert_eq!(t(r"\d+"), "[0-9]+");
        assert_eq!(t(r"[\d.]"), "[0-9.]");
        assert_eq!(t(r"\W"), "[^a-zA-Z_0-9]");
        let re = Regex::new(&t(r"^\d+$")).expect("compiles");
        assert!(re.is_match("123"));
        assert!(
            !re.is_match("١٢٣"),
            "Arabic-Indic digits are not \\d in Java"
        );
    }

    #[test]
    fn posix_properties() {
        let re = Regex::new(&t(r"^\p{Alpha}+[\p{Digit}_]$")).expect("compiles");
        assert!(re.is_match("abc_"));
        assert!(re.is_match("abc1"));
        assert!(!re.is_match("éa1"));
        assert!(Regex::new(&t(r"\p{IsLatin}\p{Lu}\P{L}")).is_ok());
        assert!(translate(r"\p{InGreek}").unwrap_err().contains("block"));
        assert!(translate(r"\p{javaLowerCase}")
            .unwrap_err()
            .contains("java.lang.Character"));
    }

    #[test]
    fn rejects_what_rust_cannot_run() {
        for (p, what) in [
            ("a++", "possessive"),
            ("a{2}+", "possessive"),
            ("(?=a)", "(?="),
            ("(?<!a)b", "(?<!"),
            ("(?>ab)", "(?>"),
            (r"(a)\1", "back-reference"),
            (r"\k<x>", "back-reference"),
        ] {
            let err = translate(p).unwrap_err();
            assert!(err.contains(what), "{p}: {err}");
        }
        assert_eq!(t("a+?b*?"), "a+?b*?", "lazy quantifiers are fine");
    }

    #[test]
    fn quoting_escapes_and_groups() {
        assert_eq!(t(r"\Qa.b\E."), format!(r"a\.b{JAVA_DOT}"));
        assert_eq!(t(r"\<a\>"), "<a>");
        assert_eq!(t(r"(?<year>\d{4})"), "(?<year>[0-9]{4})");
        assert_eq!(t("(?i)abc"), "(?i)abc");
        assert_eq!(t("(?iu)abc"), "(?i)abc");
        assert_eq!(t("(?s).").as_str(), "(?s).");
        assert_eq!(t(r"\011\cA"), r"\x{9}\x{1}");
        let re = Regex::new(&t(r"a.b")).expect("compiles");
        assert!(!re.is_match("a\rb"), "Java's dot excludes \\r");
    }

    #[test]
    fn java_find_iteration() {
        let re = Regex::new("a*").expect("compiles");
        let found: Vec<(usize, usize)> = find_iter(&re, "baaac", 0)
            .map(|m| (m.start(), m.end()))
            .collect();
        assert_eq!(found, vec![(0, 0), (1, 4), (4, 4), (5, 5)]);
    }
}
