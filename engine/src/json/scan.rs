//! Byte scanning for the hot loops (line ends, string bodies).
//!
//! Long runs use memchr's SIMD search; the first bytes of a string are tested eight at a time
//! with the classic "has zero byte" bit trick, where only the lowest flagged byte is trusted
//! (borrows can flag bytes above a real hit, never below one).

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
    memchr::memchr2(b'\n', b'\r', s)
}

/// Index of the first byte below 0x20 in `s`: a line end, or a control character that a string
/// may not hold raw (knowing a line has none lets strings skip that check, see `Tape::parse`).
#[inline]
pub(crate) fn find_control(s: &[u8]) -> Option<usize> {
    // Two words per step: about half an instruction per byte, with no call or SIMD setup.
    let mut i = 0;
    while i + 16 <= s.len() {
        let m0 = lt_mask(word(s, i), 0x20);
        let m1 = lt_mask(word(s, i + 8), 0x20);
        if m0 | m1 != 0 {
            let (base, m) = if m0 != 0 { (i, m0) } else { (i + 8, m1) };
            return Some(base + (m.trailing_zeros() / 8) as usize);
        }
        i += 16;
    }
    s[i..].iter().position(|&b| b < 0x20).map(|p| i + p)
}

/// Index (from `i`) of the first `quote` or backslash in `s` (or `s.len()`): the end of a plain
/// run in a string body when the record is known to hold no control characters.
#[inline]
pub(crate) fn find_quote_or_backslash(s: &[u8], mut i: usize, quote: u8) -> usize {
    // Short strings (most keys) end within two words; memchr's SIMD setup does not pay there.
    for _ in 0..2 {
        if i + 8 > s.len() {
            break;
        }
        let w = word(s, i);
        let m = eq_mask(w, quote) | eq_mask(w, b'\\');
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    let rest = s.get(i..).unwrap_or_default();
    i + memchr::memchr2(quote, b'\\', rest).unwrap_or(rest.len())
}

/// Index (from `i`) of the first byte in `s` that ends a plain run inside a string body:
/// the closing `quote`, a backslash, or a control character. Returns `s.len()` if none.
#[inline]
pub(crate) fn find_string_special(s: &[u8], mut i: usize, quote: u8) -> usize {
    // Short strings (most keys) end within two words; memchr's SIMD setup does not pay there.
    for _ in 0..2 {
        if i + 8 > s.len() {
            break;
        }
        let w = word(s, i);
        let m = eq_mask(w, quote) | eq_mask(w, b'\\') | lt_mask(w, 0x20);
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    if i + 8 > s.len() {
        return tail_special(s, i, quote);
    }
    // Longer runs: SIMD search for the quote or a backslash, then one branch-free pass over the
    // run for control characters (which Jackson refuses unescaped).
    let rest = &s[i..];
    let end = memchr::memchr2(quote, b'\\', rest).unwrap_or(rest.len());
    let run = &rest[..end];
    if run.iter().fold(false, |acc, &b| acc | (b < 0x20)) {
        return i + run.iter().position(|&b| b < 0x20).unwrap_or(end);
    }
    i + end
}

/// `find_string_special` over the last few bytes, one at a time.
#[inline]
fn tail_special(s: &[u8], mut i: usize, quote: u8) -> usize {
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

    #[test]
    fn controls_and_quotes_at_every_position() {
        for len in 0..100 {
            for pos in 0..len {
                for b in [b'\n', b'\r', b'\t', 0x00, 0x1f] {
                    let mut v = vec![b' '; len];
                    v[pos] = b;
                    if pos + 1 < len {
                        v[len - 1] = b'\n';
                    }
                    assert_eq!(find_control(&v), Some(pos), "len {len} pos {pos}");
                }
                for q in [b'"', b'\\'] {
                    for start in 0..=pos.min(3) {
                        let mut v = vec![b'\t'; len];
                        v[pos] = q;
                        assert_eq!(find_quote_or_backslash(&v, start, b'"'), pos);
                    }
                }
            }
            assert_eq!(find_control(&vec![0x20; len]), None);
            assert_eq!(find_quote_or_backslash(&vec![b'\''; len], 0, b'"'), len);
        }
    }

    #[test]
    fn string_specials_at_every_position_and_start() {
        for len in 0..90 {
            for start in 0..len.min(5) {
                for special in [b'"', b'\\', b'\n', 0x1f, 0x00] {
                    for pos in start..len {
                        let mut v = vec![b'a'; len];
                        v[pos] = special;
                        // A later quote must not hide the earlier special byte.
                        if pos + 1 < len {
                            v[len - 1] = b'"';
                        }
                        assert_eq!(
                            find_string_special(&v, start, b'"'),
                            pos,
                            "len {len} start {start} pos {pos} byte {special}"
                        );
                    }
                }
                assert_eq!(find_string_special(&vec![b'y'; len], start, b'"'), len);
                assert_eq!(find_string_special(&vec![b'"'; len], start, b'\''), len);
            }
        }
    }
}
