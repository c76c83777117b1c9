//! Signing, one pipeline: the claims are checked, their JSON written into the caller's
//! buffer, base64url-encoded in place after the header, MACed, and the token sealed with the
//! signature. The JSON is written a quarter of the way into the payload's room, far enough
//! ahead that encoding it in place never overtakes it, so signing needs no scratch buffer.
//! With the `simd` feature an AVX2 kernel encodes a prefix of the JSON (the encoding step);
//! nothing else changes.

use crate::Error;
use crate::base64url::{encode_in_place, encode_mac, encoded_len};
use crate::bytes::store;
use crate::claims::Claims;
use crate::json_writer::{Counter, SliceOut, write_claims};
use crate::mac::Key;

/// `{"alg":"HS256","typ":"JWT"}` in base64url: the header of every token made here.
pub const HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// Length of an HMAC-SHA256 signature in base64url.
pub const SIGNATURE_LEN: usize = encoded_len(32);

/// Bytes before the payload: the header and its dot.
const PAYLOAD_START: usize = HEADER.len() + 1;

const HEADER_AND_DOT: &[u8; PAYLOAD_START] = b"eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.";

/// The longest claims JSON with empty strings: every permission, both roles, `version`, and
/// 16-digit `iat` and `exp` (2^53 - 1 has 16 digits).
const MAX_JSON_WITHOUT_STRINGS: usize = r#"{"apikey":"","permissions":["allow_join","ask_join","allow_mod"],"version":2,"roomId":"","participantId":"","roles":["crawler","rtc"],"iat":9007199254740991,"exp":9007199254740991}"#.len();

/// Signs `claims` into `out` and returns the token, which borrows `out`.
///
/// The returned `&str` is the only success signal: on any error `out` holds no partial token
/// (whatever was written is zeroed). On success `out` holds the token and, after it, only
/// what it held before or zeros: the claims' JSON, written there on the way, is cleared.
///
/// # Errors
/// Only these, the claims' own before anything is written:
/// [`Error::EmptyApiKey`], [`Error::NoPermissions`], [`Error::DuplicatePermission`],
/// [`Error::DuplicateRole`], [`Error::EmptyRoomId`], [`Error::EmptyParticipantId`],
/// [`Error::TimeOutOfRange`], [`Error::LifetimeOverflow`], [`Error::NonPositiveLifetime`];
/// then [`Error::BufferTooSmall`] with the exact length needed. (The token is checked to be
/// text before it is returned, [`Error::Malformed`] if not; it always is.)
pub fn sign<'o>(claims: &Claims<'_>, key: &Key, out: &'o mut [u8]) -> Result<&'o str, Error> {
    claims.check()?;
    let written = |room: &mut [u8]| {
        let mut writer = SliceOut::new(room);
        write_claims(claims, &mut writer)
            .ok()
            .map(|()| writer.len())
    };
    let too_small = || match token_len(claims) {
        Ok(needed) => Error::BufferTooSmall { needed },
        Err(e) => e,
    };
    sign_written(out, key, written, too_small)
}

/// The pipeline after the claims are checked, for every way of writing them: `write` puts
/// the JSON where [`write_json`] says, then it is encoded in place, MACed and sealed. When it
/// does not fit, `out` is zeroed and `too_small` gives the error.
fn sign_written<'o>(
    out: &'o mut [u8],
    key: &Key,
    write: impl FnOnce(&mut [u8]) -> Option<usize>,
    too_small: impl FnOnce() -> Error,
) -> Result<&'o str, Error> {
    let Some((from, json_len)) = write_json(out, write) else {
        out.fill(0);
        return Err(too_small());
    };
    let len = encode(out, from, json_len)?;
    seal(out, len, &key.tag(input(out, len)))
}

/// Room for the payload: `out` less the header, its dot, the second dot and the signature.
fn payload_room(out: &mut [u8]) -> Option<&mut [u8]> {
    let end = out.len().checked_sub(1 + SIGNATURE_LEN)?;
    out.get_mut(PAYLOAD_START..end)
}

/// Lets `write` put the JSON a quarter of the way into the payload room, far enough ahead for
/// in-place encoding (which needs `ceil(n / 3)`), and returns where it starts and its length.
///
/// If the JSON does not fit there, no buffer this size holds the token: with room `r`, the
/// encoding of `n` bytes fits only if `n <= r - ceil(r / 4)`, exactly the space left.
fn write_json(
    out: &mut [u8],
    write: impl FnOnce(&mut [u8]) -> Option<usize>,
) -> Option<(usize, usize)> {
    let room = payload_room(out)?;
    let from = room.len().div_ceil(4);
    let json_len = write(room.get_mut(from..)?)?;
    Some((from, json_len))
}

/// Encodes the JSON at `payload_room(out)[from..][..json_len]` in place after the header,
/// clears what the encoding left of the JSON, and returns the signing input's length.
fn encode(out: &mut [u8], from: usize, json_len: usize) -> Result<usize, Error> {
    let total = token_len_for_json(json_len);
    if out.len() < total {
        out.fill(0);
        return Err(Error::BufferTooSmall { needed: total });
    }
    let json_end = PAYLOAD_START.saturating_add(from).saturating_add(json_len);
    if let Some(room) = out.get_mut(PAYLOAD_START..) {
        encode_in_place(room, from, json_len);
    }
    store(out, 0, *HEADER_AND_DOT);
    if let Some(rest) = out.get_mut(total..json_end) {
        rest.fill(0);
    }
    Ok(PAYLOAD_START.saturating_add(encoded_len(json_len)))
}

/// The signing input, the first `len` bytes of `out`, which [`encode`] checked are there.
/// Were they not, the empty input MACed here would not escape: [`seal`] refuses a token that
/// does not fit `out`.
fn input(out: &[u8], len: usize) -> &[u8] {
    out.get(..len).unwrap_or_default()
}

/// Writes the dot and `tag` after the signing input of `len` bytes, which [`encode`]
/// checked has room for them, and returns the token.
///
/// # Errors
/// [`Error::Malformed`] when the token is not text. It always is (every byte written is
/// base64url or a dot), so no token can reach that error, but a plausible empty token would
/// hide a broken encoder where an error names it; the unit test below reaches it.
fn seal<'o>(out: &'o mut [u8], len: usize, tag: &[u8; 32]) -> Result<&'o str, Error> {
    store(out, len, [b'.']);
    store(out, len.saturating_add(1), encode_mac(tag));
    let total = len.saturating_add(1).saturating_add(SIGNATURE_LEN);
    let token = out.get(..total).ok_or(Error::Malformed)?;
    core::str::from_utf8(token).map_err(|_| Error::Malformed)
}

/// Signs `json`, a payload serialized by the caller, as it is: no claim is checked. Reached
/// through [`dangerous::sign_json`](crate::dangerous::sign_json).
pub(crate) fn sign_json<'o>(json: &[u8], key: &Key, out: &'o mut [u8]) -> Result<&'o str, Error> {
    let written = |room: &mut [u8]| {
        room.get_mut(..json.len())?.copy_from_slice(json);
        Some(json.len())
    };
    let too_small = || Error::BufferTooSmall {
        needed: token_len_for_json(json.len()),
    };
    sign_written(out, key, written, too_small)
}

/// The exact length of the token [`sign`] makes for `claims`.
///
/// # Errors
/// The claims' own errors, as [`sign`] returns them.
pub fn token_len(claims: &Claims<'_>) -> Result<usize, Error> {
    claims.check()?;
    let mut counter = Counter::default();
    write_claims(claims, &mut counter)
        .map_err(|()| Error::BufferTooSmall { needed: usize::MAX })?;
    Ok(token_len_for_json(counter.0))
}

/// An upper bound on the token length for claims whose `apikey`, `roomId` and
/// `participantId` are at most the given lengths in bytes, whatever their content: sizes a
/// static buffer at compile time.
///
/// ```
/// use videosdk_token_core::{Claims, Permission, Key, max_token_len, sign, token_len};
///
/// // apikey <= 36 bytes, roomId <= 16, participantId <= 32.
/// let mut buf = [0u8; max_token_len(36, 16, 32)];
/// let worst = "\u{1}".repeat(36);
/// let claims = Claims::new(&worst, &[Permission::AllowJoin], 1, 2).with_room_id("ROOM");
/// let key = Key::new(b"secret")?;
/// assert!(token_len(&claims)? <= buf.len());
/// sign(&claims, &key, &mut buf)?;
/// # Ok::<(), videosdk_token_core::Error>(())
/// ```
#[must_use]
pub const fn max_token_len(
    max_apikey: usize,
    max_room_id: usize,
    max_participant_id: usize,
) -> usize {
    // A control character, the worst case, is escaped as six bytes (`\u001f`).
    let strings = max_apikey
        .saturating_add(max_room_id)
        .saturating_add(max_participant_id);
    token_len_for_json(MAX_JSON_WITHOUT_STRINGS.saturating_add(strings.saturating_mul(6)))
}

const fn token_len_for_json(json_len: usize) -> usize {
    PAYLOAD_START
        .saturating_add(encoded_len(json_len))
        .saturating_add(1)
        .saturating_add(SIGNATURE_LEN)
}

/// Signs `claims` into a `heapless::String` of capacity `N` (see [`max_token_len`]).
/// Needs the `heapless` feature.
///
/// # Errors
/// As [`sign`].
#[cfg(feature = "heapless")]
pub fn sign_to_string<const N: usize>(
    claims: &Claims<'_>,
    key: &Key,
) -> Result<heapless::String<N>, Error> {
    let mut bytes = heapless::Vec::<u8, N>::new();
    // Capacity is N, so this fills it exactly and cannot fail.
    bytes
        .resize(N, 0)
        .map_err(|_| Error::BufferTooSmall { needed: N })?;
    let len = sign(claims, key, &mut bytes)?.len();
    bytes.truncate(len);
    // `sign` returned text, so this cannot fail; if it did, the error says so.
    heapless::String::from_utf8(bytes).map_err(|_| Error::Malformed)
}

/// Signs any serializable claims (serialized by serde-json-core) with the same header and
/// key, for payloads that are not VideoSDK's. Needs the `serde` feature.
///
/// serde-json-core, not `JSON.stringify`, decides the JSON text: floats and escapes may be
/// written differently from Node's, while every JSON reader sees the same values.
///
/// # Errors
/// [`Error::BufferTooSmall`] (with a lower bound, as serde-json-core cannot size its output
/// before writing it) or [`Error::Serialize`].
#[cfg(feature = "serde")]
pub fn sign_claims<'o, T: serde::Serialize + ?Sized>(
    claims: &T,
    key: &Key,
    out: &'o mut [u8],
) -> Result<&'o str, Error> {
    // serde-json-core says why it stopped only inside the writing; kept here for the refusal.
    let failure = core::cell::Cell::new(Error::BufferTooSmall {
        needed: out.len().saturating_add(1).max(token_len_for_json(2)),
    });
    let written = |room: &mut [u8]| match serde_json_core::to_slice(claims, room) {
        Ok(len) => Some(len),
        Err(serde_json_core::ser::Error::BufferFull) => None,
        Err(_) => {
            failure.set(Error::Serialize);
            None
        }
    };
    sign_written(out, key, written, || failure.get())
}

#[cfg(test)]
mod tests {
    extern crate std;
    use std::string::String;

    use super::*;
    use crate::{Permission, Role};

    #[test]
    fn header_constants_agree() {
        assert_eq!(&HEADER_AND_DOT[..HEADER.len()], HEADER.as_bytes());
        assert_eq!(HEADER_AND_DOT[HEADER.len()], b'.');
        let mut decoded = [0u8; 32];
        let json = crate::base64url::decode_into(HEADER.as_bytes(), &mut decoded).unwrap();
        assert_eq!(json, br#"{"alg":"HS256","typ":"JWT"}"#);
    }

    /// The only way `seal` refuses: a signing input that is not text, which `sign` never
    /// writes; and a token cut short by the buffer.
    #[test]
    fn seal_refuses_what_is_not_a_token() {
        let tag = [7u8; 32];
        let mut out = [b'a'; 100];
        let token = seal(&mut out, 10, &tag).map(str::len);
        assert_eq!(token, Ok(10 + 1 + SIGNATURE_LEN));
        out[3] = 0xff;
        assert_eq!(seal(&mut out, 10, &tag), Err(Error::Malformed));
        let mut short = [b'a'; 40];
        assert_eq!(seal(&mut short, 10, &tag), Err(Error::Malformed));
    }

    #[test]
    fn max_token_len_bounds_the_worst_case_exactly() {
        let worst: String = core::iter::repeat_n('\u{1f}', 40).collect();
        let all = [
            Permission::AllowJoin,
            Permission::AskJoin,
            Permission::AllowMod,
        ];
        let claims = Claims::new(&worst, &all, (1 << 53) - 2, (1 << 53) - 1)
            .with_room_id(&worst[..20])
            .with_participant_id(&worst[..30])
            .with_roles(&[Role::Crawler, Role::Rtc]);
        assert_eq!(token_len(&claims), Ok(max_token_len(40, 20, 30)));
    }
}
