//! A strict JSON reader for token headers and payloads: RFC 8259 syntax only, strings
//! unescaped in place inside the caller's buffer (an escape never grows when decoded), values
//! of unknown keys skipped without recursion and with a nesting limit.

use core::ops::Range;

use crate::Error;
use crate::json_writer::{clean_prefix_len, needs_escape};

/// Deepest nesting accepted inside a value that is skipped (one bit of the stack each).
pub(crate) const MAX_DEPTH: u32 = 32;

/// Reads one JSON text from `buf`, rewriting string contents in place.
pub(crate) struct Reader<'b> {
    buf: &'b mut [u8],
    pos: usize,
}

impl<'b> Reader<'b> {
    pub(crate) fn new(buf: &'b mut [u8]) -> Self {
        Self { buf, pos: 0 }
    }

    /// The whole text as `&str`, for slicing out the string ranges the reader returned.
    ///
    /// One UTF-8 check covers every string: outside strings the grammar admits only ASCII,
    /// decoded escapes are whole characters, and the bytes an escape leaves behind when its
    /// string shrinks are overwritten with spaces.
    pub(crate) fn into_text(self) -> Result<&'b str, Error> {
        core::str::from_utf8(self.into_buf()).map_err(|_| Error::BadJson)
    }

    /// The whole buffer, to be checked as UTF-8 once (see [`Reader::into_text`]).
    pub(crate) fn into_buf(self) -> &'b [u8] {
        self.buf
    }

    /// The bytes of a range returned by [`Reader::string`].
    pub(crate) fn bytes(&self, range: Range<usize>) -> &[u8] {
        self.buf.get(range).unwrap_or_default()
    }

    /// Moves past `n` bytes. The position never passes the end of the buffer by more than a
    /// token's few bytes, so the saturation never happens; it keeps an overflow impossible
    /// rather than assumed.
    fn advance(&mut self, n: usize) {
        self.pos = self.pos.saturating_add(n);
    }

    fn peek(&self) -> Option<u8> {
        self.buf.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.advance(1);
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), Error> {
        self.skip_ws();
        if self.peek() == Some(byte) {
            self.advance(1);
            Ok(())
        } else {
            Err(Error::BadJson)
        }
    }

    /// Consumes the opening `{` of an object.
    pub(crate) fn begin_object(&mut self) -> Result<(), Error> {
        self.expect(b'{')
    }

    /// The next key of the object being read and its colon, or `None` at its closing `}`.
    /// `first` tracks whether a comma is due.
    pub(crate) fn next_key(&mut self, first: &mut bool) -> Result<Option<Range<usize>>, Error> {
        self.skip_ws();
        match self.peek() {
            Some(b'}') => {
                self.advance(1);
                return Ok(None);
            }
            Some(b',') if !*first => self.advance(1),
            _ if *first => {}
            _ => return Err(Error::BadJson),
        }
        *first = false;
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(Error::BadJson);
        }
        let key = self.string()?;
        self.expect(b':')?;
        Ok(Some(key))
    }

    /// Consumes the opening `[` of an array, or fails with `not_array` when the value is of
    /// another type.
    pub(crate) fn begin_array(&mut self, not_array: Error) -> Result<(), Error> {
        self.skip_ws();
        match self.peek() {
            Some(b'[') => {
                self.advance(1);
                Ok(())
            }
            Some(_) => Err(not_array),
            None => Err(Error::BadJson),
        }
    }

    /// Whether another element follows in the array being read (consuming its comma), or
    /// `false` at its closing `]`.
    pub(crate) fn next_element(&mut self, first: &mut bool) -> Result<bool, Error> {
        self.skip_ws();
        match self.peek() {
            Some(b']') => {
                self.advance(1);
                return Ok(false);
            }
            Some(b',') if !*first => self.advance(1),
            _ if *first => {}
            _ => return Err(Error::BadJson),
        }
        *first = false;
        Ok(true)
    }

    /// A string value, unescaped in place; `not_string` when the value is of another type.
    pub(crate) fn string_value(&mut self, not_string: Error) -> Result<Range<usize>, Error> {
        self.skip_ws();
        match self.peek() {
            Some(b'"') => self.string(),
            Some(_) => Err(not_string),
            None => Err(Error::BadJson),
        }
    }

    /// A plain non-negative integer (`0` or digits without a leading zero, no fraction or
    /// exponent); any other JSON value is `not_integer`.
    pub(crate) fn integer_value(&mut self, not_integer: Error) -> Result<u64, Error> {
        self.skip_ws();
        let rest = self.buf.get(self.pos..).unwrap_or_default();
        let (value, len) = digits(rest);
        match (rest.first(), rest.get(len)) {
            (None, _) => Err(Error::BadJson),
            (Some(b'0'), _) if len > 1 => Err(Error::BadJson), // a leading zero
            // A number too big for 64 bits.
            (_, Some(b'0'..=b'9')) => Err(not_integer),
            _ if len == 0 => Err(not_integer),
            (_, Some(b'.' | b'e' | b'E')) => Err(not_integer),
            _ => {
                self.advance(len);
                Ok(value)
            }
        }
    }

    /// Reads the string starting at the current `"`, decoding escapes in place; returns the
    /// range of the decoded text.
    fn string(&mut self) -> Result<Range<usize>, Error> {
        self.advance(1);
        self.string_after_quote()
    }

    /// [`Reader::string`] with its opening quote already read.
    fn string_after_quote(&mut self) -> Result<Range<usize>, Error> {
        let start = self.pos;
        // Most strings have no escape: one scan finds the closing quote and nothing moves.
        let run = clean_prefix_len(self.buf.get(start..).unwrap_or_default());
        let end = start.saturating_add(run);
        if self.buf.get(end) == Some(&b'"') {
            self.pos = end.saturating_add(1);
            return Ok(start..end);
        }
        self.pos = end;
        self.string_with_escapes(start, end)
    }

    /// The rest of a string from its first escape (or bad byte) at `self.pos`, with the
    /// decoded text so far at `start..write`; `write` never passes the read position, so
    /// each byte is moved left over bytes already read.
    #[cold]
    #[inline(never)]
    #[allow(
        clippy::arithmetic_side_effects,
        reason = "`read` advances only past bytes `get` found in the buffer, and `write` by no \
                  more than `read` (an escape decodes to fewer bytes than it takes)"
    )]
    fn string_with_escapes(
        &mut self,
        start: usize,
        mut write: usize,
    ) -> Result<Range<usize>, Error> {
        let mut read = self.pos;
        loop {
            let next = loop {
                match self.buf.get(read).copied() {
                    Some(byte) if !needs_escape(byte) => {
                        self.put(write, byte);
                        read += 1;
                        write += 1;
                    }
                    other => break other,
                }
            };
            match next {
                Some(b'"') => {
                    // Blank what the escapes left between the decoded end and the quote.
                    if let Some(gap) = self.buf.get_mut(write..read) {
                        gap.fill(b' ');
                    }
                    self.pos = read + 1;
                    return Ok(start..write);
                }
                Some(b'\\') => {
                    let escape = self.buf.get(read + 1).copied().ok_or(Error::BadJson)?;
                    read += 2;
                    let decoded = match escape {
                        b'"' | b'\\' | b'/' => escape,
                        b'b' => 0x08,
                        b'f' => 0x0c,
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'u' => {
                            self.pos = read;
                            let c = self.unicode_escape()?;
                            read = self.pos;
                            let mut utf8 = [0u8; 4];
                            for &b in c.encode_utf8(&mut utf8).as_bytes() {
                                self.put(write, b);
                                write += 1;
                            }
                            continue;
                        }
                        _ => return Err(Error::BadJson),
                    };
                    self.put(write, decoded);
                    write += 1;
                }
                // A raw control character, or the end of the text.
                _ => {
                    self.pos = read;
                    return Err(Error::BadJson);
                }
            }
        }
    }

    fn put(&mut self, at: usize, byte: u8) {
        if let Some(slot) = self.buf.get_mut(at) {
            *slot = byte;
        }
    }

    /// The character of a `\uXXXX` escape (after the `\u`), joining a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, Error> {
        let high = self.hex4()?;
        let code = match high {
            0xd800..=0xdbff => {
                if self.buf.get(self.pos..self.pos.saturating_add(2)) != Some(b"\\u") {
                    return Err(Error::BadJson);
                }
                self.advance(2);
                let low = self.hex4()?;
                if !(0xdc00..=0xdfff).contains(&low) {
                    return Err(Error::BadJson);
                }
                // Both halves are inside the ranges matched above: at most 0x10FFFF.
                let offset = (high.saturating_sub(0xd800) << 10) | low.saturating_sub(0xdc00);
                offset.saturating_add(0x10000)
            }
            0xdc00..=0xdfff => return Err(Error::BadJson),
            _ => high,
        };
        char::from_u32(code).ok_or(Error::BadJson)
    }

    fn hex4(&mut self) -> Result<u32, Error> {
        let digits = self
            .buf
            .get(self.pos..self.pos.saturating_add(4))
            .ok_or(Error::BadJson)?;
        let mut value = 0;
        for &d in digits {
            let nibble = char::from(d).to_digit(16).ok_or(Error::BadJson)?;
            value = (value << 4) | nibble;
        }
        self.advance(4);
        Ok(value)
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), Error> {
        if self.buf.get(self.pos..self.pos.saturating_add(word.len())) == Some(word) {
            self.advance(word.len());
            Ok(())
        } else {
            Err(Error::BadJson)
        }
    }

    /// Any JSON number, checked against RFC 8259's grammar.
    fn number(&mut self) -> Result<(), Error> {
        if self.peek() == Some(b'-') {
            self.advance(1);
        }
        match self.peek() {
            Some(b'0') => self.advance(1),
            Some(b'1'..=b'9') => self.digits(),
            _ => return Err(Error::BadJson),
        }
        if self.peek() == Some(b'.') {
            self.advance(1);
            self.one_or_more_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.advance(1);
            if let Some(b'+' | b'-') = self.peek() {
                self.advance(1);
            }
            self.one_or_more_digits()?;
        }
        Ok(())
    }

    fn digits(&mut self) {
        while let Some(b'0'..=b'9') = self.peek() {
            self.advance(1);
        }
    }

    fn one_or_more_digits(&mut self) -> Result<(), Error> {
        let start = self.pos;
        self.digits();
        if self.pos == start {
            Err(Error::BadJson)
        } else {
            Ok(())
        }
    }

    /// Skips one value of any type, nested at most [`MAX_DEPTH`] deep, without recursion.
    pub(crate) fn skip_value(&mut self) -> Result<(), Error> {
        // Bit `d` of `objects` says whether the container at depth `d + 1` is an object.
        let mut objects: u32 = 0;
        let mut depth: u32 = 0;
        loop {
            self.skip_ws();
            let mut opened = false;
            match self.peek() {
                Some(open @ (b'{' | b'[')) => {
                    if depth >= MAX_DEPTH {
                        return Err(Error::JsonTooDeep);
                    }
                    self.advance(1);
                    let is_object = open == b'{';
                    objects = (objects & !(1 << depth)) | (u32::from(is_object) << depth);
                    depth = depth.saturating_add(1); // below MAX_DEPTH, checked above
                    self.skip_ws();
                    let close = if is_object { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.advance(1);
                        depth = depth.saturating_sub(1);
                    } else {
                        opened = true;
                        if is_object {
                            self.member_key()?;
                        }
                    }
                }
                Some(b'"') => {
                    self.string()?;
                }
                Some(b't') => self.literal(b"true")?,
                Some(b'f') => self.literal(b"false")?,
                Some(b'n') => self.literal(b"null")?,
                Some(b'-' | b'0'..=b'9') => self.number()?,
                _ => return Err(Error::BadJson),
            }
            if opened {
                continue; // the container's first value comes next
            }
            // A value is complete: close every container that ends here.
            loop {
                if depth == 0 {
                    return Ok(());
                }
                let in_object = objects & (1 << depth.saturating_sub(1)) != 0;
                self.skip_ws();
                match self.peek() {
                    Some(b',') => {
                        self.advance(1);
                        if in_object {
                            self.member_key()?;
                        }
                        break;
                    }
                    Some(b'}') if in_object => {
                        self.advance(1);
                        depth = depth.saturating_sub(1);
                    }
                    Some(b']') if !in_object => {
                        self.advance(1);
                        depth = depth.saturating_sub(1);
                    }
                    _ => return Err(Error::BadJson),
                }
            }
        }
    }

    fn member_key(&mut self) -> Result<(), Error> {
        self.skip_ws();
        if self.peek() != Some(b'"') {
            return Err(Error::BadJson);
        }
        self.string()?;
        self.expect(b':')
    }

    /// Checks that only whitespace follows the value read.
    pub(crate) fn end(&mut self) -> Result<(), Error> {
        self.skip_ws();
        if self.pos == self.buf.len() {
            Ok(())
        } else {
            Err(Error::BadJson)
        }
    }
}

/// The value of the ASCII digits `bytes` starts with, and how many there are; a run of
/// digits whose value does not fit in 64 bits stops short, before a digit.
fn digits(bytes: &[u8]) -> (u64, usize) {
    let mut value: u64 = 0;
    let mut len: usize = 0;
    while let Some(&byte @ b'0'..=b'9') = bytes.get(len) {
        match value
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(byte.saturating_sub(b'0'))))
        {
            Some(v) => value = v,
            None => break,
        }
        len = len.saturating_add(1);
    }
    (value, len)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn skip(text: &str) -> Result<usize, Error> {
        let mut buf = [0u8; 512];
        buf[..text.len()].copy_from_slice(text.as_bytes());
        let mut reader = Reader::new(&mut buf[..text.len()]);
        reader.skip_value()?;
        reader.end()?;
        Ok(reader.pos)
    }

    #[test]
    fn skips_every_kind_of_value() {
        for ok in [
            "0",
            "-0",
            "12",
            "-1.5e+10",
            "1E3",
            "0.25",
            "true",
            "false",
            "null",
            "\"x\"",
            "[]",
            "{}",
            " [ 1 , { \"a\" : [ null , { } ] } , \"\\u00e9\" ] ",
            "{\"a\":{\"b\":{\"c\":[1,2,[3]]}}}",
        ] {
            assert!(skip(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            "",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "tru",
            "nul",
            "[1,]",
            "[,1]",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{1:2}",
            "[1 2]",
            "\"abc",
            "\"\\x\"",
            "\"\\ud800\"",
            "\"\\udc00x\"",
            "\"a\u{1}\"",
            "[}",
            "{]",
            "1 2",
            "NaN",
            "Infinity",
        ] {
            assert_eq!(skip(bad), Err(Error::BadJson), "{bad:?}");
        }
    }

    #[test]
    fn nesting_limit() {
        let mut deep = [0u8; 80];
        let depth = MAX_DEPTH as usize;
        deep[..depth].fill(b'[');
        deep[depth..2 * depth].fill(b']');
        let text = core::str::from_utf8(&deep[..2 * depth]).unwrap();
        assert!(skip(text).is_ok());
        deep[..depth + 1].fill(b'[');
        deep[depth + 1..2 * depth + 2].fill(b']');
        let text = core::str::from_utf8(&deep[..2 * depth + 2]).unwrap();
        assert_eq!(skip(text), Err(Error::JsonTooDeep));
    }

    #[test]
    /// Strings with every kind of escape, anywhere and in runs of any length, decode to the
    /// text they escape, and the bytes the escapes leave behind are spaces.
    fn escaped_strings_decode_to_their_text() {
        extern crate std;
        use proptest::prelude::*;
        use std::string::String;
        use std::vec::Vec;

        let piece = prop_oneof![
            "[a-z0-9 ]{0,12}".prop_map(|s| (s.clone(), s)),
            "\\PC".prop_map(|c| {
                let escaped = c
                    .encode_utf16()
                    .map(|unit| std::format!("\\u{unit:04X}"))
                    .collect::<String>();
                (c, escaped)
            }),
            prop::sample::select(std::vec![
                ("\"", "\\\""),
                ("\\", "\\\\"),
                ("/", "\\/"),
                ("\u{8}", "\\b"),
                ("\u{c}", "\\f"),
                ("\n", "\\n"),
                ("\r", "\\r"),
                ("\t", "\\t"),
                ("\u{0}", "\\u0000"),
            ])
            .prop_map(|(c, e)| (String::from(c), String::from(e))),
        ];
        proptest!(ProptestConfig::with_cases(3000), |(pieces in proptest::collection::vec(piece, 0..40))| {
            let text: String = pieces.iter().map(|(t, _)| t.as_str()).collect();
            let json: String = pieces.iter().map(|(_, e)| e.as_str()).collect();
            let mut buf: Vec<u8> = std::format!("\"{json}\"").into_bytes();
            let len = buf.len();
            let mut reader = Reader::new(&mut buf);
            let range = reader.string_value(Error::WrongClaimType).unwrap();
            prop_assert_eq!(reader.pos, len);
            let end = range.end;
            prop_assert_eq!(reader.bytes(range), text.as_bytes());
            prop_assert!(buf[end..len - 1].iter().all(|&b| b == b' '));
        });
    }

    #[test]
    fn strings_decode_in_place() {
        let text = br#""a\"b\\c\/d\b\f\n\r\t\u00e9\u2028\ud83d\ude00z""#;
        let mut buf = *text;
        let mut reader = Reader::new(&mut buf);
        let range = reader.string_value(Error::WrongClaimType).unwrap();
        assert_eq!(
            reader.bytes(range),
            "a\"b\\c/d\u{8}\u{c}\n\r\té\u{2028}😀z".as_bytes()
        );
    }

    #[test]
    fn text_stays_utf8_after_escapes_shrink_strings() {
        let text = "{\"a\":\"\\n\u{1f600}\",\"b\":\"\\u00e9\u{e9}\\ud83d\\ude00\u{2028}\"}";
        let mut buf = [0u8; 64];
        buf[..text.len()].copy_from_slice(text.as_bytes());
        let mut reader = Reader::new(&mut buf[..text.len()]);
        reader.begin_object().unwrap();
        let mut first = true;
        let mut ranges = [0..0, 0..0];
        for slot in &mut ranges {
            reader.next_key(&mut first).unwrap().unwrap();
            *slot = reader.string_value(Error::WrongClaimType).unwrap();
        }
        assert_eq!(reader.next_key(&mut first), Ok(None));
        reader.end().unwrap();
        let json = reader.into_text().unwrap();
        assert_eq!(json.get(ranges[0].clone()), Some("\n\u{1f600}"));
        assert_eq!(
            json.get(ranges[1].clone()),
            Some("\u{e9}\u{e9}\u{1f600}\u{2028}")
        );
    }

    #[test]
    fn invalid_utf8_inside_a_string_is_refused() {
        let mut buf = *b"\"a\xff\\nb\"";
        let mut reader = Reader::new(&mut buf);
        assert!(reader.string_value(Error::WrongClaimType).is_ok());
        assert_eq!(reader.into_text(), Err(Error::BadJson));
    }

    #[test]
    fn integers_are_plain() {
        // Every value of 1 to 20 digits and every byte after them, against `str::parse`.
        for len in 1..=20 {
            for first in [b'0', b'1', b'5', b'9'] {
                let mut text = [b'7'; 24];
                text[0] = first;
                for next in 0..=255u8 {
                    text[len] = next;
                    let (value, n) = digits(&text[..len + 1]);
                    let run = text[..len + 1]
                        .iter()
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                    let want = core::str::from_utf8(&text[..run]).unwrap().parse::<u64>();
                    match want {
                        Ok(v) => assert_eq!((value, n), (v, run), "{:?}", &text[..=len]),
                        Err(_) => assert!(n < run, "{:?}", &text[..=len]),
                    }
                }
            }
        }
        for (text, want) in [
            ("0", Ok(0)),
            ("1700000000", Ok(1_700_000_000)),
            ("18446744073709551615", Ok(u64::MAX)),
            ("18446744073709551616", Err(Error::WrongClaimType)),
            ("1.5", Err(Error::WrongClaimType)),
            ("1e3", Err(Error::WrongClaimType)),
            ("-1", Err(Error::WrongClaimType)),
            ("\"1\"", Err(Error::WrongClaimType)),
            ("012", Err(Error::BadJson)),
            ("00", Err(Error::BadJson)),
            ("", Err(Error::BadJson)),
            ("x", Err(Error::WrongClaimType)),
            ("12345678", Ok(12_345_678)),
            ("123456789", Ok(123_456_789)),
            ("1234567812345678", Ok(1_234_567_812_345_678)),
            ("99999999999999999999", Err(Error::WrongClaimType)),
            ("1234567:", Ok(1_234_567)),
            ("12345678/", Ok(12_345_678)),
            ("123456789e", Err(Error::WrongClaimType)),
        ] {
            let mut buf = [0u8; 32];
            buf[..text.len()].copy_from_slice(text.as_bytes());
            let mut reader = Reader::new(&mut buf[..text.len()]);
            assert_eq!(reader.integer_value(Error::WrongClaimType), want, "{text}");
        }
    }
}
