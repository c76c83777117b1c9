//! Signing: the keyed HMAC state, and a token written straight into the caller's buffer.
//!
//! The claims JSON is written just after `header.`, slid right by a third of its length and
//! base64url-encoded in place, so signing needs no scratch buffer and one pass over the JSON.

use core::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::Error;
use crate::base64url::{encode_into, encode_tail_in_place, encoded_len};
use crate::claims::Claims;
use crate::json::{Counter, SliceOut, write_claims};

/// `{"alg":"HS256","typ":"JWT"}` in base64url: the header of every token made here.
pub const HEADER: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9";

/// Length of an HMAC-SHA256 signature in base64url.
pub const SIGNATURE_LEN: usize = encoded_len(32);

/// Bytes before the payload: the header and its dot.
const PAYLOAD_START: usize = HEADER.len() + 1;

/// The longest claims JSON with empty strings: every permission, both roles, `version`, and
/// 16-digit `iat` and `exp` (2^53 - 1 has 16 digits).
const MAX_JSON_WITHOUT_STRINGS: usize = r#"{"apikey":"","permissions":["allow_join","ask_join","allow_mod"],"version":2,"roomId":"","participantId":"","roles":["crawler","rtc"],"iat":9007199254740991,"exp":9007199254740991}"#.len();

/// An HMAC-SHA256 key, keyed once from the secret and cloned for each token.
///
/// Its `Debug` output never shows key material.
#[derive(Clone)]
pub struct SigningKey {
    mac: Hmac<Sha256>,
}

impl SigningKey {
    /// Keys HMAC-SHA256 with the secret's bytes (for a text secret, its UTF-8 bytes, as Node's
    /// `jsonwebtoken` uses a string secret).
    ///
    /// # Errors
    /// [`Error::EmptySecret`] when `secret` is empty.
    pub fn new(secret: &[u8]) -> Result<Self, Error> {
        if secret.is_empty() {
            return Err(Error::EmptySecret);
        }
        let mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| Error::EmptySecret)?;
        Ok(Self { mac })
    }

    /// The HMAC of `message`, from a clone of the keyed state.
    pub(crate) fn tag(&self, message: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(message);
        mac.finalize().into_bytes().into()
    }
}

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SigningKey { ... }")
    }
}

/// Signs `claims` into `out` and returns the token, which borrows `out`.
///
/// The returned `&str` is the only success signal: on any error `out` holds no partial token
/// (whatever was written is zeroed).
///
/// # Errors
/// The claims' own errors ([`Error::EmptyApiKey`], [`Error::NoPermissions`],
/// [`Error::NonPositiveLifetime`], …) before anything is written, or
/// [`Error::BufferTooSmall`] with the exact length needed.
pub fn sign<'o>(
    claims: &Claims<'_>,
    key: &SigningKey,
    out: &'o mut [u8],
) -> Result<&'o str, Error> {
    claims.check()?;
    let json_len = out.get_mut(PAYLOAD_START..).and_then(|rest| {
        let mut writer = SliceOut::new(rest);
        write_claims(claims, &mut writer)
            .ok()
            .map(|()| writer.len())
    });
    match json_len {
        Some(json_len) => finish(out, json_len, key),
        None => {
            out.fill(0);
            Err(Error::BufferTooSmall {
                needed: token_len(claims)?,
            })
        }
    }
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
/// use videosdk_token_core::{Claims, Permission, SigningKey, max_token_len, sign, token_len};
///
/// // apikey <= 36 bytes, roomId <= 16, participantId <= 32.
/// let mut buf = [0u8; max_token_len(36, 16, 32)];
/// let worst = "\u{1}".repeat(36);
/// let claims = Claims::new(&worst, &[Permission::AllowJoin], 1, 2).with_room_id("ROOM");
/// let key = SigningKey::new(b"secret")?;
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

/// Turns the claims JSON at `out[PAYLOAD_START..][..json_len]` into the finished token.
fn finish<'o>(out: &'o mut [u8], json_len: usize, key: &SigningKey) -> Result<&'o str, Error> {
    let total = token_len_for_json(json_len);
    let payload_end = PAYLOAD_START.saturating_add(encoded_len(json_len));
    if total > out.len() || total == usize::MAX {
        out.fill(0);
        return Err(Error::BufferTooSmall { needed: total });
    }
    let Some(token) = out.get_mut(..total) else {
        return Err(Error::BufferTooSmall { needed: total });
    };
    let (signing_input, signature) = token.split_at_mut(payload_end);
    let (head, payload) = signing_input.split_at_mut(PAYLOAD_START);
    // Slide the JSON to the end of its base64 region, then encode front to back.
    let shift = payload.len().saturating_sub(json_len);
    payload.copy_within(..json_len, shift);
    encode_tail_in_place(payload, json_len);
    let (header, dot) = head.split_at_mut(HEADER.len());
    header.copy_from_slice(HEADER.as_bytes());
    dot.fill(b'.');

    let tag = key.tag(signing_input);
    let (dot, signature) = signature.split_at_mut(1);
    dot.fill(b'.');
    encode_into(&tag, signature);
    // Every byte written is base64url or a dot, so this check cannot fail.
    core::str::from_utf8(token).map_err(|_| Error::Serialize)
}

/// Signs `claims` into a `heapless::String` of capacity `N` (see [`max_token_len`]).
///
/// # Errors
/// As [`sign`].
pub fn sign_to_string<const N: usize>(
    claims: &Claims<'_>,
    key: &SigningKey,
) -> Result<heapless::String<N>, Error> {
    let mut bytes = heapless::Vec::<u8, N>::new();
    // Capacity is N, so this fills it exactly and cannot fail.
    bytes
        .resize(N, 0)
        .map_err(|_| Error::BufferTooSmall { needed: N })?;
    let len = sign(claims, key, &mut bytes)?.len();
    bytes.truncate(len);
    heapless::String::from_utf8(bytes).map_err(|_| Error::Serialize)
}

/// Signs any serializable claims (serialized by serde-json-core) with the same header and
/// key, for payloads that are not VideoSDK's.
///
/// serde-json-core, not `JSON.stringify`, decides the JSON text: floats and escapes may be
/// written differently from Node's, while every JSON reader sees the same values.
///
/// # Errors
/// [`Error::BufferTooSmall`] (with a lower bound, as serde-json-core cannot size its output
/// before writing it) or [`Error::Serialize`].
pub fn sign_claims<'o, T: serde::Serialize + ?Sized>(
    claims: &T,
    key: &SigningKey,
    out: &'o mut [u8],
) -> Result<&'o str, Error> {
    let too_small = Error::BufferTooSmall {
        needed: out.len().saturating_add(1).max(token_len_for_json(2)),
    };
    let json_len = match out
        .get_mut(PAYLOAD_START..)
        .map(|rest| serde_json_core::to_slice(claims, rest))
    {
        Some(Ok(len)) => len,
        Some(Err(serde_json_core::ser::Error::BufferFull)) | None => {
            out.fill(0);
            return Err(too_small);
        }
        Some(Err(_)) => {
            out.fill(0);
            return Err(Error::Serialize);
        }
    };
    finish(out, json_len, key)
}
