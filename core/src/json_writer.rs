//! The fixed-schema JSON writer: the VideoSDK claims in their contract key order, escaped
//! exactly as `JSON.stringify` escapes them, into a caller's slice or a byte counter.

use crate::bytes::store;
use crate::claims::{Claims, Permission, Role};

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Where the writer puts bytes: a slice, or a counter that sizes a token before signing.
pub(crate) trait Out {
    /// Appends `bytes`, or returns `Err(())` when they do not fit.
    fn put(&mut self, bytes: &[u8]) -> Result<(), ()>;

    /// Appends `bytes`, which hold nothing to escape.
    fn put_clean(&mut self, bytes: &[u8]) -> Result<(), ()> {
        self.put(bytes)
    }
}

/// Writes into a slice from its front.
pub(crate) struct SliceOut<'o> {
    buf: &'o mut [u8],
    len: usize,
}

impl<'o> SliceOut<'o> {
    pub(crate) fn new(buf: &'o mut [u8]) -> Self {
        Self { buf, len: 0 }
    }

    /// Bytes written so far.
    pub(crate) fn len(&self) -> usize {
        self.len
    }
}

impl Out for SliceOut<'_> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) -> Result<(), ()> {
        let end = self.len.checked_add(bytes.len()).ok_or(())?;
        let dst = self.buf.get_mut(self.len..end).ok_or(())?;
        // Checked here so that no length check that could panic is left in `copy_from_slice`.
        if dst.len() != bytes.len() {
            return Err(());
        }
        dst.copy_from_slice(bytes);
        self.len = end;
        Ok(())
    }

    /// Eight bytes a step: the strings of a token are short, and a `memcpy` call costs more
    /// than copying them.
    #[inline(always)]
    #[allow(
        clippy::arithmetic_side_effects,
        reason = "`len` grows by the chunks of `bytes` up to `end`, which is checked above"
    )]
    fn put_clean(&mut self, bytes: &[u8]) -> Result<(), ()> {
        let end = self.len.checked_add(bytes.len()).ok_or(())?;
        if end > self.buf.len() {
            return Err(());
        }
        let mut words = bytes.chunks_exact(8);
        for word in &mut words {
            if let Ok(&word) = <&[u8; 8]>::try_from(word) {
                store(self.buf, self.len, word);
            }
            self.len += 8;
        }
        for &byte in words.remainder() {
            store(self.buf, self.len, [byte]);
            self.len += 1;
        }
        Ok(())
    }
}

/// Counts bytes without storing them.
#[derive(Default)]
pub(crate) struct Counter(pub(crate) usize);

impl Out for Counter {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) -> Result<(), ()> {
        self.0 = self.0.checked_add(bytes.len()).ok_or(())?;
        Ok(())
    }
}

/// Writes `claims` as `JSON.stringify` would write the object built in contract key order.
pub(crate) fn write_claims<O: Out>(claims: &Claims<'_>, out: &mut O) -> Result<(), ()> {
    out.put(b"{\"apikey\":")?;
    put_string(out, claims.apikey())?;
    out.put(b",\"permissions\":")?;
    let mut open = b"[".as_slice();
    for permission in claims.permissions() {
        out.put(open)?;
        // One constant per arm: each copy has a fixed length.
        match permission {
            Permission::AllowJoin => out.put(b"\"allow_join\"")?,
            Permission::AskJoin => out.put(b"\"ask_join\"")?,
            Permission::AllowMod => out.put(b"\"allow_mod\"")?,
        }
        open = b",";
    }
    out.put(b"]")?;
    if claims.version().is_some() {
        out.put(b",\"version\":2")?;
    }
    if let Some(room_id) = claims.room_id() {
        out.put(b",\"roomId\":")?;
        put_string(out, room_id)?;
    }
    if let Some(participant_id) = claims.participant_id() {
        out.put(b",\"participantId\":")?;
        put_string(out, participant_id)?;
    }
    if !claims.roles().is_empty() {
        let mut open = b",\"roles\":[".as_slice();
        for role in claims.roles() {
            out.put(open)?;
            match role {
                Role::Crawler => out.put(b"\"crawler\"")?,
                Role::Rtc => out.put(b"\"rtc\"")?,
            }
            open = b",";
        }
        out.put(b"]")?;
    }
    out.put(b",\"iat\":")?;
    put_u64(out, claims.iat())?;
    out.put(b",\"exp\":")?;
    put_u64(out, claims.exp())?;
    out.put(b"}")
}

/// A JSON string as `JSON.stringify` writes it: only `"`, `\` and controls below 0x20 are
/// escaped (`\b \f \n \r \t` by name, the rest as lowercase `\u00xx`); everything else, `/`,
/// DEL and U+2028 included, is copied as UTF-8.
fn put_string<O: Out>(out: &mut O, text: &str) -> Result<(), ()> {
    out.put(b"\"")?;
    let mut rest = text.as_bytes();
    loop {
        let (run, tail) = rest
            .split_at_checked(clean_prefix_len(rest))
            .unwrap_or((rest, &[]));
        out.put_clean(run)?;
        let Some((&byte, after)) = tail.split_first() else {
            break;
        };
        put_escape(out, byte)?;
        rest = after;
    }
    out.put(b"\"")
}

fn put_escape<O: Out>(out: &mut O, byte: u8) -> Result<(), ()> {
    let named = match byte {
        b'"' => b'"',
        b'\\' => b'\\',
        0x08 => b'b',
        0x0c => b'f',
        b'\n' => b'n',
        b'\r' => b'r',
        b'\t' => b't',
        _ => {
            let hex = |nibble: u8| HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
            return out.put(&[b'\\', b'u', b'0', b'0', hex(byte >> 4), hex(byte & 0x0f)]);
        }
    };
    out.put(&[b'\\', named])
}

pub(crate) const fn needs_escape(byte: u8) -> bool {
    byte < 0x20 || byte == b'"' || byte == b'\\'
}

/// How many leading bytes need no escaping in a JSON string (no `"`, `\` or control
/// character); checks eight bytes per step.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "`clean` only grows by a word that `bytes.get` just found, so it stays within \
              `bytes.len()`, as does `clean` plus a count of bytes after it"
)]
pub(crate) fn clean_prefix_len(bytes: &[u8]) -> usize {
    const WIDTH: usize = size_of::<usize>();
    const ONES: usize = usize::MAX / 0xff;
    const HIGHS: usize = ONES << 7;
    // The high bit of each byte below `n` (n <= 0x80): the classic `hasless` word test. A
    // borrow can also mark bytes above a true match, never below, so the lowest mark is exact.
    const fn less(w: usize, n: u8) -> usize {
        w.wrapping_sub(ONES.wrapping_mul(n as usize)) & !w & HIGHS
    }
    const fn equal(w: usize, b: u8) -> usize {
        less(w ^ ONES.wrapping_mul(b as usize), 1)
    }
    let mut clean = 0;
    while let Some(&word) = bytes
        .get(clean..clean + WIDTH)
        .and_then(|w| <&[u8; WIDTH]>::try_from(w).ok())
    {
        // Little-endian, so the lowest mark is the first byte in memory.
        let w = usize::from_le_bytes(word);
        let marks = less(w, 0x20) | equal(w, b'"') | equal(w, b'\\');
        if marks != 0 {
            return clean + (marks.trailing_zeros() / 8) as usize;
        }
        clean += WIDTH;
    }
    let tail = bytes.get(clean..).unwrap_or_default();
    clean + tail.iter().take_while(|&&b| !needs_escape(b)).count()
}

/// Decimal digits of `value`, as JavaScript prints an integer below 2^53; two digits a step.
fn put_u64<O: Out>(out: &mut O, value: u64) -> Result<(), ()> {
    let mut digits = [0u8; 20];
    let start = match u32::try_from(value) {
        Ok(small) => write_u32(&mut digits, 20, small),
        Err(_) => {
            // 32-bit arithmetic only, so that small CPUs need no 64-bit division per digit:
            // the low eight digits, then the rest (below 2^32 for every value we write).
            let high = value / 100_000_000;
            let low = u32::try_from(value % 100_000_000).unwrap_or(0);
            let split = write_u32(&mut digits, 20, low);
            // Zero-pad the low part to eight digits.
            for slot in digits.iter_mut().take(split).skip(12) {
                *slot = b'0';
            }
            match u32::try_from(high) {
                Ok(high) => write_u32(&mut digits, 12, high),
                Err(_) => return put_u64_slow(out, value),
            }
        }
    };
    out.put(digits.get(start..).unwrap_or_default())
}

/// Writes the digits of `value` so that they end at `end`; returns where they start.
#[allow(
    clippy::arithmetic_side_effects,
    reason = "callers pass `end` 12 or 20 with room for the at most 10 digits of a u32 (8 for \
              end 12, whose value is below 10^8), so `start` never passes zero; `n % 100 * 2` is \
              below 200"
)]
fn write_u32(digits: &mut [u8; 20], end: usize, mut value: u32) -> usize {
    const PAIRS: &[u8; 200] = b"00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899";
    let pair = |n: u32| {
        let at = (n % 100) as usize * 2;
        match PAIRS.get(at..at + 2) {
            Some(&[a, b]) => [a, b],
            _ => *b"00",
        }
    };
    let mut start = end;
    while value >= 100 {
        start -= 2;
        store(digits, start, pair(value));
        value /= 100;
    }
    // One or two leading digits remain.
    let [tens, ones] = pair(value);
    if value >= 10 {
        start -= 2;
        store(digits, start, [tens, ones]);
    } else {
        start -= 1;
        store(digits, start, [ones]);
    }
    start
}

/// Values past 10^8 * 2^32 (never a JavaScript-safe time), one digit at a time.
#[cold]
#[allow(
    clippy::arithmetic_side_effects,
    reason = "a u64 has at most 20 digits, one per step down from 20, and each digit is below 10"
)]
fn put_u64_slow<O: Out>(out: &mut O, mut value: u64) -> Result<(), ()> {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    loop {
        start -= 1;
        let digit = u8::try_from(value % 10).unwrap_or(0);
        store(&mut digits, start, [b'0' + digit]);
        value /= 10;
        if value == 0 {
            break;
        }
    }
    out.put(digits.get(start..).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written<'b>(claims: &Claims<'_>, buf: &'b mut [u8]) -> &'b str {
        let mut out = SliceOut::new(buf);
        assert_eq!(write_claims(claims, &mut out), Ok(()));
        let len = out.len();
        let mut counter = Counter::default();
        assert_eq!(write_claims(claims, &mut counter), Ok(()));
        assert_eq!(counter.0, len, "counter and writer disagree");
        core::str::from_utf8(&buf[..len]).unwrap_or("<not utf-8>")
    }

    #[test]
    fn minimal_and_full_key_order() {
        let mut buf = [0u8; 512];
        let c = Claims::new("key", &[Permission::AllowJoin], 1, 2);
        assert_eq!(
            written(&c, &mut buf),
            r#"{"apikey":"key","permissions":["allow_join"],"iat":1,"exp":2}"#
        );
        let c = Claims::new(
            "key",
            &[Permission::AllowMod, Permission::AskJoin],
            0,
            18_446_744_073_709_551_615,
        )
        .with_roles(&[Role::Rtc, Role::Crawler])
        .with_participant_id("p")
        .with_room_id("r");
        assert_eq!(
            written(&c, &mut buf),
            r#"{"apikey":"key","permissions":["allow_mod","ask_join"],"version":2,"roomId":"r","participantId":"p","roles":["rtc","crawler"],"iat":0,"exp":18446744073709551615}"#
        );
    }

    #[test]
    fn escapes_like_json_stringify() {
        let mut buf = [0u8; 512];
        let text = "a\"b\\c/d\u{7f}e\u{2028}f\u{0}\u{1f}\u{8}\u{c}\n\r\t\u{b}é😀";
        let c = Claims::new(text, &[Permission::AllowJoin], 1, 2);
        assert_eq!(
            written(&c, &mut buf),
            "{\"apikey\":\"a\\\"b\\\\c/d\u{7f}e\u{2028}f\\u0000\\u001f\\b\\f\\n\\r\\t\\u000bé😀\",\"permissions\":[\"allow_join\"],\"iat\":1,\"exp\":2}"
        );
    }

    #[test]
    fn numbers_print_like_javascript() {
        let mut buf = [0u8; 32];
        for value in [
            0,
            1,
            9,
            10,
            99,
            100,
            101,
            999,
            1000,
            12_345,
            1_700_000_000,
            4_294_967_295,
            4_294_967_296,
            100_000_000,
            100_000_007,
            1_000_000_000_000,
            (1 << 53) - 1,
            429_496_729_600_000_000,
            u64::MAX,
        ] {
            let mut out = SliceOut::new(&mut buf);
            assert_eq!(put_u64(&mut out, value), Ok(()));
            let len = out.len();
            let mut expected = heapless::String::<24>::new();
            core::fmt::write(&mut expected, format_args!("{value}")).ok();
            assert_eq!(&buf[..len], expected.as_bytes());
        }
    }

    #[test]
    fn clean_prefix_stops_at_first_escape_anywhere_in_a_word() {
        let base = *b"abcdefghijklmnopqrstuvwx";
        assert_eq!(clean_prefix_len(&base), base.len());
        for special in [0u8, 0x1f, b'"', b'\\'] {
            for at in 0..base.len() {
                let mut text = base;
                text[at] = special;
                assert_eq!(clean_prefix_len(&text), at, "{special:#x} at {at}");
            }
        }
        // Every position of every special after every prefix, borrows included.
        for special in [0u8, 0x1f, b'"', b'\\'] {
            for at in 0..16 {
                for before in [0x00u8, 0x01, 0x1f, 0x21, 0x22, 0x5c, 0x7f, 0x80, 0xff] {
                    let mut text = [b'a'; 16];
                    text[..at].fill(before);
                    text[at] = special;
                    let want = if needs_escape(before) && at > 0 {
                        0
                    } else {
                        at
                    };
                    assert_eq!(
                        clean_prefix_len(&text),
                        want,
                        "{special:#x} at {at} after {before:#x}"
                    );
                }
            }
        }
        // Bytes at or above 0x80 and just above the specials are clean.
        let high = [
            0x80u8, 0xff, 0x20, 0x21, 0x23, 0x5b, 0x5d, 0x7f, 0xe2, 0x80, 0xa8,
        ];
        assert_eq!(clean_prefix_len(&high), high.len());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Strings are escaped as serde_json escapes them, which is `JSON.stringify`'s rule
        /// for these bytes, and the counter agrees with the bytes written.
        #[test]
        fn strings_are_escaped_like_json_stringify(text in "(\\PC|[\\x00-\\x1f\"\\\\])*") {
            let mut counter = Counter::default();
            put_string(&mut counter, &text).unwrap();
            let mut buf = [0u8; 2048];
            let mut out = SliceOut::new(&mut buf[..counter.0]);
            put_string(&mut out, &text).unwrap();
            proptest::prop_assert_eq!(out.len(), counter.0);
            let want = serde_json::to_string(&text).unwrap();
            proptest::prop_assert_eq!(&buf[..counter.0], want.as_bytes());
        }
    }

    #[test]
    fn slice_out_refuses_overflow() {
        let c = Claims::new("key", &[Permission::AllowJoin], 1, 2);
        for len in 0..60 {
            let mut buf = [0u8; 60];
            let mut out = SliceOut::new(&mut buf[..len]);
            assert_eq!(write_claims(&c, &mut out), Err(()));
        }
    }
}
