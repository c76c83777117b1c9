//! The fixed-schema reader for `batch` lines: the simple form a generated batch file has (an
//! object of string and whole-number fields, no escapes, no arrays, no nulls) read in one
//! pass without serde, on the thread that reads the input. Any other line is declined, and
//! serde reads it with its precise messages; a line read here is the request serde would
//! read from it (the tests compare the two on lines of every shape).

use std::borrow::Cow;
use std::ops::Range;

use crate::request::{Lifetime, TokenRequest};

/// A line in the simple form, as offsets into its text: made where the input is read, and
/// turned into the request where it is signed.
#[derive(Debug, Clone, Default)]
pub struct Simple {
    room_id: Option<Range<usize>>,
    participant_id: Option<Range<usize>>,
    expires_in: Option<Expiry>,
    iat: Option<u64>,
    version: Option<u8>,
}

#[derive(Debug, Clone)]
enum Expiry {
    Seconds(u64),
    Text(Range<usize>),
}

impl Simple {
    /// The request serde would read from `text`, the line this was read from.
    pub fn request<'t>(&self, text: &'t str) -> TokenRequest<'t> {
        let part =
            |range: &Range<usize>| Cow::Borrowed(text.get(range.clone()).unwrap_or_default());
        TokenRequest {
            room_id: self.room_id.as_ref().map(part),
            participant_id: self.participant_id.as_ref().map(part),
            expires_in: self.expires_in.as_ref().map(|e| match e {
                Expiry::Seconds(n) => Lifetime::Seconds(*n),
                Expiry::Text(range) => Lifetime::Text(part(range)),
            }),
            iat: self.iat,
            version: self.version,
            ..TokenRequest::default()
        }
    }
}

/// Reads `text` if it is in the simple form; `None` sends it to serde.
pub fn read(text: &str) -> Option<Simple> {
    let mut reader = Reader { text, at: 0 };
    let mut line = Simple::default();
    reader.blank();
    reader.byte(b'{')?;
    reader.blank();
    if reader.peek() == Some(b'}') {
        reader.at += 1;
    } else {
        loop {
            let key = reader.string()?;
            reader.blank();
            reader.byte(b':')?;
            reader.blank();
            match text.get(key)? {
                "roomId" => once(&mut line.room_id, reader.string()?)?,
                "participantId" | "peerId" => once(&mut line.participant_id, reader.string()?)?,
                "expiresIn" => {
                    let expiry = if reader.peek() == Some(b'"') {
                        Expiry::Text(reader.string()?)
                    } else {
                        Expiry::Seconds(reader.whole()?)
                    };
                    once(&mut line.expires_in, expiry)?;
                }
                "iat" => once(&mut line.iat, reader.whole()?)?,
                "version" => once(&mut line.version, u8::try_from(reader.whole()?).ok()?)?,
                _ => return None,
            }
            reader.blank();
            match reader.peek()? {
                b',' => {
                    reader.at += 1;
                    reader.blank();
                }
                b'}' => {
                    reader.at += 1;
                    break;
                }
                _ => return None,
            }
        }
    }
    reader.blank();
    (reader.at == text.len()).then_some(line)
}

/// Sets a field once: a repeated field is serde's to refuse.
fn once<T>(slot: &mut Option<T>, value: T) -> Option<()> {
    if slot.is_some() {
        return None;
    }
    *slot = Some(value);
    Some(())
}

struct Reader<'t> {
    text: &'t str,
    at: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    /// JSON's white space.
    fn blank(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn byte(&mut self, byte: u8) -> Option<()> {
        (self.peek()? == byte).then(|| self.at += 1)
    }

    /// A string with nothing escaped and no control character in it: where its text is.
    fn string(&mut self) -> Option<Range<usize>> {
        self.byte(b'"')?;
        let start = self.at;
        let rest = self.text.as_bytes().get(start..)?;
        let len = memchr::memchr2(b'"', b'\\', rest)?;
        if rest.get(len) != Some(&b'"') || rest.get(..len)?.iter().any(|&b| b < 0x20) {
            return None;
        }
        self.at = start + len + 1;
        // Both ends are at an ASCII quote, so on character boundaries.
        Some(start..start + len)
    }

    /// A whole number as JSON writes it: no sign, fraction, exponent or leading zero.
    fn whole(&mut self) -> Option<u64> {
        let digits = self.text.as_bytes().get(self.at..)?;
        let len = digits.iter().take_while(|b| b.is_ascii_digit()).count();
        let (number, after) = digits.split_at_checked(len)?;
        if len == 0
            || (len > 1 && number.first() == Some(&b'0'))
            || matches!(after.first(), Some(b'.' | b'e' | b'E'))
        {
            return None;
        }
        let value = number.iter().try_fold(0u64, |value, &d| {
            value.checked_mul(10)?.checked_add(u64::from(d - b'0'))
        })?;
        self.at += len;
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::read;
    use crate::request::TokenRequest;

    /// A member of a line: a key (known, aliased, unknown or differently cased) and a value
    /// of any JSON type, simple or not.
    fn member() -> impl Strategy<Value = String> {
        let key = prop_oneof![
            Just("roomId"),
            Just("participantId"),
            Just("peerId"),
            Just("expiresIn"),
            Just("iat"),
            Just("version"),
            Just("roles"),
            Just("permissions"),
            Just("roomid"),
            Just("other"),
        ];
        let value = prop_oneof![
            4 => "[a-zA-Z0-9 ._-]{0,12}".prop_map(|s| format!("\"{s}\"")),
            1 => "[a-z\"\\\\/\u{0}-\u{1f}é😀]{0,6}".prop_map(|s| serde_json::to_string(&s).unwrap()),
            1 => Just(r#""a\u0062c""#.to_owned()),
            3 => prop_oneof![Just(0u64), 0u64..300, any::<u64>()].prop_map(|n| n.to_string()),
            1 => prop_oneof![
                Just("01"), Just("-1"), Just("1.5"), Just("1e3"), Just("18446744073709551616"),
                Just("null"), Just("true"), Just("[]"), Just(r#"["rtc"]"#), Just("{}"),
            ].prop_map(str::to_owned),
        ];
        let space = prop_oneof![Just(""), Just(" "), Just("\t"), Just(" \r\n ")];
        (key, space.clone(), space.clone(), value, space)
            .prop_map(|(k, a, b, v, c)| format!("\"{k}\"{a}:{b}{v}{c}"))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]

        /// Whatever the line, a request read here is the one serde reads.
        #[test]
        fn a_line_read_here_is_what_serde_reads(
            members in proptest::collection::vec(member(), 0..6),
            before in prop_oneof![Just(""), Just(" "), Just("\t")],
            after in prop_oneof![Just(""), Just(" "), Just(" x"), Just(",")],
        ) {
            let line = format!("{before}{{{}}}{after}", members.join(","));
            if let Some(fast) = read(&line).map(|simple| simple.request(&line)) {
                let slow = serde_json::from_str::<TokenRequest<'_>>(&line);
                prop_assert!(slow.is_ok(), "serde refuses {line:?}: {slow:?}");
                prop_assert_eq!(format!("{fast:?}"), format!("{:?}", slow.unwrap()));
            }
        }
    }

    /// The lines a generated batch file holds are read here, not declined.
    #[test]
    fn simple_lines_are_read() {
        for line in [
            r#"{"roomId":"room-1","participantId":"user-1"}"#,
            r#"{ "peerId" : "p", "expiresIn" : "2h", "iat" : 1700000000, "version" : 2 }"#,
            r#"{"expiresIn":3600}"#,
            "{}",
            " {} ",
        ] {
            let fast = read(line)
                .unwrap_or_else(|| panic!("declined {line}"))
                .request(line);
            let slow: TokenRequest<'_> = serde_json::from_str(line).unwrap();
            assert_eq!(format!("{fast:?}"), format!("{slow:?}"), "{line}");
        }
        for line in [
            r#"{"roomId":"a\"b"}"#,
            r#"{"roles":["rtc"]}"#,
            r#"{"roomId":"a","roomId":"b"}"#,
            r#"{"iat":01}"#,
            r#"{"roomId":null}"#,
            r#"{"roomId":"a"} x"#,
        ] {
            assert!(read(line).is_none(), "read {line}");
        }
    }
}
