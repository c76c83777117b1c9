//! Reading a token without checking it, and signing a payload without checking it. Named so
//! that it is never used by accident: nothing here says a token is genuine, current, or a
//! VideoSDK token.

use crate::base64url::decoded_len;
use crate::rules::DEFAULT_MAX_TOKEN_LEN;
use crate::token_claims::{TokenClaims, read_claims};
use crate::verify::{Segments, decode_segment, read_header, three_segments};
use crate::{Error, Key};

/// Signs `json` as the token's payload byte for byte, unchecked: not parsed, not checked as
/// VideoSDK claims. For a caller that serializes the payload itself, as the WebAssembly
/// package does with `JSON.stringify` to keep the key order of a JavaScript object (and so
/// the token Node's `jsonwebtoken` makes of it). Prefer [`sign`](crate::sign), which checks
/// the claims and writes them as Node would.
///
/// ```
/// use videosdk_token_core::{Claims, Key, Permission, dangerous, sign};
///
/// let key = Key::new(b"demo-secret-0123456789abcdef-0123456789")?;
/// let claims = Claims::new("demo-api-key", &[Permission::AllowJoin], 1_700_000_000, 1_700_007_200);
/// let json = br#"{"apikey":"demo-api-key","permissions":["allow_join"],"iat":1700000000,"exp":1700007200}"#;
/// let (mut a, mut b) = ([0u8; 256], [0u8; 256]);
/// assert_eq!(dangerous::sign_json(json, &key, &mut a)?, sign(&claims, &key, &mut b)?);
/// # Ok::<(), videosdk_token_core::Error>(())
/// ```
///
/// # Errors
/// Only [`Error::BufferTooSmall`], with the exact length needed; `out` then holds nothing.
pub fn sign_json<'o>(json: &[u8], key: &Key, out: &'o mut [u8]) -> Result<&'o str, Error> {
    crate::sign::sign_json(json, key, out)
}

/// A token's header fields and claims, NOT verified: neither the signature nor the times
/// were checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unverified<'s> {
    alg: &'s str,
    typ: Option<&'s str>,
    claims: TokenClaims<'s>,
}

impl<'s> Unverified<'s> {
    /// The header's `alg`, whatever it names.
    #[must_use]
    pub const fn alg(&self) -> &'s str {
        self.alg
    }

    /// The header's `typ`, if present.
    #[must_use]
    pub const fn typ(&self) -> Option<&'s str> {
        self.typ
    }

    /// The payload's claims, as read and not checked.
    #[must_use]
    pub const fn claims(&self) -> &TokenClaims<'s> {
        &self.claims
    }
}

/// Decodes `token` for inspection without checking its signature or times; the header and
/// payload are decoded into `scratch` (a buffer as long as the token always suffices).
///
/// # Errors
/// Form, base64, JSON and claim errors as [`verify`](super::verify) reports them;
/// [`Error::ScratchTooSmall`] when `scratch` cannot hold the header and payload.
pub fn decode_unverified<'s>(token: &str, scratch: &'s mut [u8]) -> Result<Unverified<'s>, Error> {
    if token.len() > DEFAULT_MAX_TOKEN_LEN {
        return Err(Error::TokenTooLong);
    }
    let segments = Segments::split(token)?;
    if !three_segments(token.as_bytes()) {
        return Err(Error::Malformed);
    }
    let header_len = decoded_len(segments.header.len()).ok_or(Error::BadBase64)?;
    let payload_len = decoded_len(segments.payload.len()).ok_or(Error::BadBase64)?;
    let needed = header_len.saturating_add(payload_len);
    let (header_scratch, payload_scratch) = scratch
        .split_at_mut_checked(header_len)
        .ok_or(Error::ScratchTooSmall { needed })?;
    let header = read_header(segments.header, header_scratch)?;
    let payload = decode_segment(segments.payload, payload_scratch).map_err(|e| match e {
        Error::ScratchTooSmall { .. } => Error::ScratchTooSmall { needed },
        other => other,
    })?;
    let claims = read_claims(payload)?;
    Ok(Unverified {
        alg: header.alg,
        typ: header.typ,
        claims,
    })
}
