//! Number parsing with Jackson / java.math.BigDecimal semantics (spark-semantics.md 6.4).

/// A JSON integer token (`-?digits`) as i64; `None` when out of range (Jackson's getLongValue fails).
#[inline]
pub(crate) fn parse_i64(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() {
        return None;
    }
    // Accumulate negatively so i64::MIN is representable.
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v.checked_mul(10)?.checked_sub(i64::from(d - b'0'))?;
    }
    if neg {
        Some(v)
    } else {
        v.checked_neg()
    }
}

/// Java's `Integer.parseInt` (ASCII digits, optional sign): Spark's last-resort DATE fallback.
pub(crate) fn java_parse_int(text: &str) -> Option<i32> {
    let b = text.as_bytes();
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        Some(b'+') => (false, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        v = v * 10 + i64::from(d - b'0');
        if v > i64::from(i32::MAX) + 1 {
            return None;
        }
    }
    i32::try_from(if neg { -v } else { v }).ok()
}

/// Largest DECIMAL precision Spark (and Decimal128) supports.
const MAX_PRECISION: usize = 38;

/// `new java.math.BigDecimal(text)` rounded HALF_UP to `scale`, as the unscaled i128, or `None`
/// if the text is not a BigDecimal literal or the result needs more than `precision` digits
/// (Spark's `Decimal.set(BigDecimal, precision, scale)`).
pub(crate) fn parse_decimal(text: &str, precision: u8, scale: i8) -> Option<i128> {
    let b = text.as_bytes();
    let mut i = 0;
    let neg = match b.first() {
        Some(b'-') => {
            i = 1;
            true
        }
        Some(b'+') => {
            i = 1;
            false
        }
        _ => false,
    };
    let int_start = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    let int_digits = &b[int_start..i];
    let mut frac_digits: &[u8] = &[];
    if b.get(i) == Some(&b'.') {
        let f = i + 1;
        i = f;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        frac_digits = &b[f..i];
    }
    if int_digits.is_empty() && frac_digits.is_empty() {
        return None;
    }
    let mut exp: i64 = 0;
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        let exp_neg = match b.get(i) {
            Some(b'-') => {
                i += 1;
                true
            }
            Some(b'+') => {
                i += 1;
                false
            }
            _ => false,
        };
        let e = i;
        while i < b.len() && b[i].is_ascii_digit() {
            // BigDecimal rejects exponents outside the int range; saturate then check below.
            exp = (exp * 10 + i64::from(b[i] - b'0')).min(i64::from(u32::MAX));
            i += 1;
        }
        if i == e {
            return None;
        }
        if exp_neg {
            exp = -exp;
        }
        if exp > i64::from(i32::MAX) || exp < i64::from(i32::MIN) {
            return None;
        }
    }
    if i != b.len() {
        return None;
    }
    round_to_scale(int_digits, frac_digits, exp, neg, precision, scale)
}

/// Spark's en-US DECIMAL-from-string parser: drop every `,`, then BigDecimal (errata: `"1,234.5"`
/// is accepted, `" 7"` is not).
pub(crate) fn parse_decimal_string(text: &str, precision: u8, scale: i8) -> Option<i128> {
    if text.contains(',') {
        parse_decimal(&text.replace(',', ""), precision, scale)
    } else {
        parse_decimal(text, precision, scale)
    }
}

/// value = digits(int ++ frac) * 10^(exp - frac.len()); returns it at `scale`, rounded HALF_UP.
fn round_to_scale(
    int: &[u8],
    frac: &[u8],
    exp: i64,
    neg: bool,
    precision: u8,
    scale: i8,
) -> Option<i128> {
    // The digit string int ++ frac, addressed without concatenating it.
    let digit = |k: usize| {
        if k < int.len() {
            int[k]
        } else {
            frac[k - int.len()]
        }
    };
    let total = int.len() + frac.len();
    let zeros = (0..total).take_while(|&k| digit(k) == b'0').count();
    let sig_len = total - zeros;
    if sig_len == 0 {
        return Some(0);
    }
    let shift = exp - frac.len() as i64 + i64::from(scale);
    let (keep, round_up) = if shift >= 0 {
        if sig_len as i64 + shift > i64::from(precision) {
            return None;
        }
        (sig_len, false)
    } else {
        let drop = -shift;
        if drop > sig_len as i64 {
            // Every significant digit is below half a unit of the last place: rounds to zero.
            return Some(0);
        }
        let keep = sig_len - drop as usize;
        (keep, digit(zeros + keep) >= b'5')
    };
    if keep > MAX_PRECISION + 1 {
        return None;
    }
    let mut v: i128 = 0;
    for k in zeros..zeros + keep {
        v = v
            .checked_mul(10)?
            .checked_add(i128::from(digit(k) - b'0'))?;
    }
    if shift > 0 {
        v = v.checked_mul(10i128.checked_pow(u32::try_from(shift).ok()?)?)?;
    }
    if round_up {
        v = v.checked_add(1)?;
    }
    if v != 0 && digit_count(v) > usize::from(precision) {
        return None;
    }
    Some(if neg { -v } else { v })
}

fn digit_count(mut v: i128) -> usize {
    let mut n = 0;
    while v != 0 {
        v /= 10;
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn i64_tokens() {
        assert_eq!(parse_i64("0"), Some(0));
        assert_eq!(parse_i64("-0"), Some(0));
        assert_eq!(parse_i64("9223372036854775807"), Some(i64::MAX));
        assert_eq!(parse_i64("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(parse_i64("9223372036854775808"), None);
        assert_eq!(parse_i64("99999999999999999999999"), None);
        assert_eq!(parse_i64("-"), None);
    }

    #[test]
    fn java_int() {
        assert_eq!(java_parse_int("19000"), Some(19000));
        assert_eq!(java_parse_int("+5"), Some(5));
        assert_eq!(java_parse_int("-2147483648"), Some(i32::MIN));
        assert_eq!(java_parse_int("2147483648"), None);
        assert_eq!(java_parse_int(" 5"), None);
        assert_eq!(java_parse_int("5.0"), None);
        assert_eq!(java_parse_int(""), None);
    }

    #[test]
    fn decimals_round_half_up() {
        assert_eq!(parse_decimal("1.25", 10, 1), Some(13));
        assert_eq!(parse_decimal("-1.25", 10, 1), Some(-13));
        assert_eq!(parse_decimal("1.24999", 10, 1), Some(12));
        assert_eq!(parse_decimal("0.05", 10, 1), Some(1));
        assert_eq!(parse_decimal("0.04", 10, 1), Some(0));
        assert_eq!(parse_decimal("0.005", 10, 1), Some(0));
        assert_eq!(parse_decimal("123", 5, 2), Some(12300));
        assert_eq!(parse_decimal("1e3", 6, 2), Some(100000));
        assert_eq!(parse_decimal("1.5E-1", 5, 2), Some(15));
        assert_eq!(parse_decimal("+.5", 5, 2), Some(50));
        assert_eq!(parse_decimal("5.", 5, 2), Some(500));
        assert_eq!(parse_decimal("-0", 5, 2), Some(0));
        assert_eq!(parse_decimal("0e999999", 5, 2), Some(0));
        assert_eq!(parse_decimal("1e-99999", 5, 2), Some(0));
    }

    #[test]
    fn decimal_precision_limits() {
        // DECIMAL(5,2): at most 999.99.
        assert_eq!(parse_decimal("999.99", 5, 2), Some(99999));
        assert_eq!(parse_decimal("999.994", 5, 2), Some(99999));
        assert_eq!(parse_decimal("999.995", 5, 2), None);
        assert_eq!(parse_decimal("1000", 5, 2), None);
        assert_eq!(parse_decimal("1e10", 5, 2), None);
        assert_eq!(parse_decimal("1e2147483648", 5, 2), None);
        assert_eq!(
            parse_decimal(&"9".repeat(38), 38, 0),
            Some(10i128.pow(38) - 1)
        );
        assert_eq!(parse_decimal(&"9".repeat(39), 38, 0), None);
        assert_eq!(parse_decimal("0.99", 2, 2), Some(99));
    }

    #[test]
    fn decimal_syntax() {
        for bad in [
            "", "-", ".", "1e", "1e+", "abc", " 7", "7 ", "1_000", "NaN", "Infinity", "0x10",
            "1.2.3",
        ] {
            assert_eq!(parse_decimal(bad, 10, 2), None, "{bad:?}");
        }
        assert_eq!(parse_decimal_string("1,234.5", 10, 1), Some(12345));
        assert_eq!(parse_decimal_string(",", 10, 1), None);
        assert_eq!(parse_decimal_string(" 7", 10, 1), None);
    }
}
