//! The fixed-schema JSON writer: the VideoSDK claims in their contract key order, escaped
//! exactly as `JSON.stringify` escapes them, into a caller's slice or a byte counter.

use crate::claims::Claims;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Where the writer puts bytes: a slice, or a counter that sizes a token before signing.
pub(crate) trait Out {
    /// Appends `bytes`, or returns `Err(())` when they do not fit.
    fn put(&mut self, bytes: &[u8]) -> Result<(), ()>;
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
        self.buf
            .get_mut(self.len..end)
            .ok_or(())?
            .copy_from_slice(bytes);
        self.len = end;
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
        put_name(out, permission.as_str())?;
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
            put_name(out, role.as_str())?;
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

/// A fixed name that needs no escaping (permission and role names).
fn put_name<O: Out>(out: &mut O, name: &str) -> Result<(), ()> {
    out.put(b"\"")?;
    out.put(name.as_bytes())?;
    out.put(b"\"")
}

/// A JSON string as `JSON.stringify` writes it: only `"`, `\` and controls below 0x20 are
/// escaped (`\b \f \n \r \t` by name, the rest as lowercase `\u00xx`); everything else, `/`,
/// DEL and U+2028 included, is copied as UTF-8.
pub(crate) fn put_string<O: Out>(out: &mut O, text: &str) -> Result<(), ()> {
    out.put(b"\"")?;
    let bytes = text.as_bytes();
    let mut run_start = 0;
    for (i, &byte) in bytes.iter().enumerate() {
        if byte >= 0x20 && byte != b'"' && byte != b'\\' {
            continue;
        }
        out.put(bytes.get(run_start..i).unwrap_or_default())?;
        run_start = i + 1;
        let named = match byte {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x0c => b'f',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            _ => 0,
        };
        if named != 0 {
            out.put(&[b'\\', named])?;
        } else {
            let hex = |nibble: u8| HEX.get(usize::from(nibble)).copied().unwrap_or(b'0');
            out.put(&[b'\\', b'u', b'0', b'0', hex(byte >> 4), hex(byte & 0x0f)])?;
        }
    }
    out.put(bytes.get(run_start..).unwrap_or_default())?;
    out.put(b"\"")
}

/// Decimal digits of `value`, as JavaScript prints an integer below 2^53.
fn put_u64<O: Out>(out: &mut O, mut value: u64) -> Result<(), ()> {
    let mut digits = [0u8; 20];
    let mut start = digits.len();
    for slot in digits.iter_mut().rev() {
        // `value % 10` is below 10, so the narrowing is exact.
        #[allow(clippy::cast_possible_truncation)]
        let digit = (value % 10) as u8;
        *slot = b'0' + digit;
        value /= 10;
        start -= 1;
        if value == 0 {
            break;
        }
    }
    out.put(digits.get(start..).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Permission, Role};

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
    fn slice_out_refuses_overflow() {
        let c = Claims::new("key", &[Permission::AllowJoin], 1, 2);
        for len in 0..60 {
            let mut buf = [0u8; 60];
            let mut out = SliceOut::new(&mut buf[..len]);
            assert_eq!(write_claims(&c, &mut out), Err(()));
        }
    }
}
