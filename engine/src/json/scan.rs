//! Word-at-a-time byte scanning for the hot loops (line ends, string bodies).
//!
//! Eight bytes are tested per step with the classic "has zero byte" bit trick; only the lowest
//! flagged byte is trusted (borrows can flag bytes above a real hit, never below one).

const LO: u64 = 0x0101_0101_0101_0101;
const HI: u64 = 0x8080_8080_8080_8080;

/// Flags (in the high bit of each byte) the bytes of `w` equal to `b`.
#[inline(always)]
fn eq_mask(w: u64, b: u8) -> u64 {
    let x = w ^ (LO * u64::from(b));
    x.wrapping_sub(LO) & !x & HI
}

/// Flags the bytes of `w` below `n` (valid for n <= 128).
#[inline(always)]
fn lt_mask(w: u64, n: u8) -> u64 {
    w.wrapping_sub(LO * u64::from(n)) & !w & HI
}

#[inline(always)]
fn word(s: &[u8], i: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&s[i..i + 8]);
    u64::from_le_bytes(a)
}

/// Index of the first `\n` or `\r` in `s` (spark-semantics.md 6.1 record separators).
#[inline]
pub(crate) fn find_eol(s: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i + 8 <= s.len() {
        let w = word(s, i);
        let m = eq_mask(w, b'\n') | eq_mask(w, b'\r');
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    s[i..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map(|p| i + p)
}

/// Index (from `i`) of the first byte in `s` that ends a plain run inside a string body:
/// the closing `quote`, a backslash, or a control character. Returns `s.len()` if none.
#[inline]
pub(crate) fn find_string_special(s: &[u8], mut i: usize, quote: u8) -> usize {
    while i + 8 <= s.len() {
        let w = word(s, i);
        let m = eq_mask(w, quote) | eq_mask(w, b'\\') | lt_mask(w, 0x20);
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < s.len() {
        let b = s[i];
        if b == quote || b == b'\\' || b < 0x20 {
            return i;
        }
        i += 1;
    }
    s.len()
}

/// Jackson's insignificant whitespace: space, tab, LF, CR (any other control byte is an error).
#[inline(always)]
pub(crate) fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// First index at or after `i` that is not whitespace (or `s.len()`).
#[inline(always)]
pub(crate) fn skip_ws(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_ws(s[i]) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eol_at_every_position() {
        for len in 0..40 {
            for pos in 0..len {
                for sep in [b'\n', b'\r'] {
                    let mut v = vec![b'x'; len];
                    v[pos] = sep;
                    assert_eq!(find_eol(&v), Some(pos), "len {len} pos {pos}");
                }
            }
            assert_eq!(find_eol(&vec![b'y'; len]), None);
        }
        // Bytes just above/below the separators must not match.
        assert_eq!(find_eol(b"\x0b\x0c\x0e\x09\x8a\x8dabcdefgh\r"), Some(14));
    }

    #[test]
    fn string_specials() {
        assert_eq!(find_string_special(b"abcdefghijkl\"", 0, b'"'), 12);
        assert_eq!(find_string_special(b"abcdefghij\\kl\"", 0, b'"'), 10);
        assert_eq!(find_string_special(b"abcdefghijk\tl", 0, b'"'), 11);
        assert_eq!(find_string_special(b"ab\"cd'", 0, b'\''), 5);
        assert_eq!(
            find_string_special("h\u{e9}llo w\u{f6}rld \u{1F600}!".as_bytes(), 0, b'"'),
            19
        );
        assert_eq!(find_string_special(b"x\x1f", 0, b'"'), 1);
        assert_eq!(find_string_special(b" !#~\x7f\x80\xff", 0, b'"'), 7);
    }
}
