//! Decoding Spark literal and identifier tokens into their values.

/// The value of one string-literal token (`'..'`, `".."`, `r'..'`), Spark escapes applied.
pub(super) fn string_value(text: &str) -> String {
    let raw = text.starts_with(['r', 'R']);
    let body_start = if raw { 2 } else { 1 };
    let body = text
        .get(body_start..text.len().saturating_sub(1))
        .unwrap_or("");
    if raw {
        body.to_string()
    } else {
        unescape(body)
    }
}

/// The name inside a backticked identifier (a doubled backtick stands for one).
pub(super) fn backtick_value(text: &str) -> String {
    text.get(1..text.len().saturating_sub(1))
        .unwrap_or("")
        .replace("``", "`")
}

/// Spark's `unescapeSQLString`: `\n`-style escapes, `\uXXXX`, 3-digit octal, `\%` and `\_`
/// kept with their backslash (they are LIKE escapes), any other `\x` is `x`.
fn unescape(body: &str) -> String {
    let cs: Vec<char> = body.chars().collect();
    let mut out = String::with_capacity(body.len());
    let mut i = 0;
    while i < cs.len() {
        let c = cs[i];
        let Some(&n) = cs.get(i + 1).filter(|_| c == '\\') else {
            out.push(c);
            i += 1;
            continue;
        };
        if n == 'u' {
            let hex: String = cs.iter().skip(i + 2).take(4).collect();
            if hex.len() == 4 {
                if let Ok(code) = u32::from_str_radix(&hex, 16) {
                    out.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                    i += 6;
                    continue;
                }
            }
        }
        let octal = |k: usize| cs.get(k).is_some_and(|d| ('0'..='7').contains(d));
        if ('0'..='3').contains(&n) && octal(i + 2) && octal(i + 3) {
            let digits: String = cs[i + 1..i + 4].iter().collect();
            if let Some(ch) = u32::from_str_radix(&digits, 8)
                .ok()
                .and_then(char::from_u32)
            {
                out.push(ch);
                i += 4;
                continue;
            }
        }
        match n {
            '0' => out.push('\0'),
            'b' => out.push('\u{8}'),
            'n' => out.push('\n'),
            'r' => out.push('\r'),
            't' => out.push('\t'),
            'Z' => out.push('\u{1A}'),
            '%' | '_' => {
                out.push('\\');
                out.push(n);
            }
            other => out.push(other),
        }
        i += 2;
    }
    out
}
