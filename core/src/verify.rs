//! Checking tokens offline: strict form, HS256 only, the MAC in constant time, then the
//! claims (decoded into the caller's scratch buffer, or in place) and the time rules, each
//! refusal with its own [`Error`].

use core::ops::Range;

use crate::Error;
use crate::base64url::{DecodeError, decode_in_place, decode_into, decoded_len};
use crate::json_reader::Reader;
use crate::mac::Key;
use crate::rules::Rules;
use crate::sign::HEADER;
use crate::token_claims::{VerifiedClaims, check_times, read_claims};

/// `{"typ":"JWT","alg":"HS256"}`, the header the Rust `jsonwebtoken` crate writes.
const HEADER_TYP_FIRST: &str = "eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9";

/// The three segments of a token, and the signing input they cover.
pub(crate) struct Segments<'t> {
    pub(crate) header: &'t str,
    pub(crate) payload: &'t str,
    signature: &'t str,
    signing_input: &'t str,
}

impl<'t> Segments<'t> {
    /// Splits at the first and last dots; a dot anywhere else is found when the token is
    /// refused (see [`classify`]), so the accepted path scans no segment twice. The header and
    /// payload must be non-empty; an empty signature is refused after the header, so that
    /// `alg: none` tokens are reported as the wrong algorithm rather than as malformed.
    ///
    /// A byte scan and checked splits rather than `split_once`: the string search behind it
    /// keeps a slice-index panic path that the optimiser cannot remove.
    pub(crate) fn split(token: &'t str) -> Result<Self, Error> {
        let bytes = token.as_bytes();
        let first = memchr::memchr(b'.', bytes);
        let last = memchr::memrchr(b'.', bytes);
        let (Some(first), Some(last)) = (first, last) else {
            return Err(Error::Malformed);
        };
        // A dot is one byte and never inside a UTF-8 sequence, so both splits fall on
        // character boundaries; `get` makes that checked rather than assumed.
        let signing_input = token.get(..last).ok_or(Error::Malformed)?;
        let signature = token
            .get(last.saturating_add(1)..)
            .ok_or(Error::Malformed)?;
        let header = signing_input.get(..first).ok_or(Error::Malformed)?;
        let payload = signing_input
            .get(first.saturating_add(1)..)
            .ok_or(Error::Malformed)?;
        if first == last || header.is_empty() || payload.is_empty() {
            return Err(Error::Malformed);
        }
        Ok(Self {
            header,
            payload,
            signature,
            signing_input,
        })
    }
}

/// Whether the token (text or, not yet known to be text, bytes) has exactly two dots.
pub(crate) fn three_segments(token: &[u8]) -> bool {
    token.iter().filter(|&&b| b == b'.').count() == 2
}

/// The error to report for a refused token: a token that is not three segments is malformed,
/// whatever check noticed first.
#[cold]
fn classify(token: &str, error: Error) -> Error {
    if !three_segments(token.as_bytes()) {
        Error::Malformed
    } else {
        error
    }
}

/// Decodes one segment into the front of `scratch`.
pub(crate) fn decode_segment<'s>(
    segment: &str,
    scratch: &'s mut [u8],
) -> Result<&'s mut [u8], Error> {
    let len = decoded_len(segment.len()).ok_or(Error::BadBase64)?;
    let out = scratch
        .get_mut(..len)
        .ok_or(Error::ScratchTooSmall { needed: len })?;
    match decode_into(segment.as_bytes(), out) {
        Ok(_) => Ok(out),
        Err(DecodeError::Invalid) => Err(Error::BadBase64),
        Err(DecodeError::BufferTooSmall) => Err(Error::ScratchTooSmall { needed: len }),
    }
}

/// The header fields that matter.
pub(crate) struct HeaderFields<'s> {
    pub(crate) alg: &'s str,
    pub(crate) typ: Option<&'s str>,
}

/// Reads a header segment; the two HS256 headers that HS256 signers write are recognised
/// without decoding.
pub(crate) fn read_header<'s>(
    segment: &str,
    scratch: &'s mut [u8],
) -> Result<HeaderFields<'s>, Error> {
    if segment == HEADER || segment == HEADER_TYP_FIRST {
        return Ok(HeaderFields {
            alg: "HS256",
            typ: Some("JWT"),
        });
    }
    read_header_json(decode_segment(segment, scratch)?)
}

/// Reads a decoded header's `alg` and `typ`, refusing `crit` and repeated keys.
fn read_header_json(json: &mut [u8]) -> Result<HeaderFields<'_>, Error> {
    let mut reader = Reader::new(json);
    reader.begin_object()?;
    let (mut alg, mut typ): (Option<Range<usize>>, Option<Range<usize>>) = (None, None);
    let mut first = true;
    while let Some(key) = reader.next_key(&mut first)? {
        let slot = match reader.bytes(key) {
            b"alg" => &mut alg,
            b"typ" => &mut typ,
            b"crit" => return Err(Error::BadHeader),
            _ => {
                reader.skip_value()?;
                continue;
            }
        };
        if slot.is_some() {
            return Err(Error::BadHeader);
        }
        *slot = Some(reader.string_value(Error::BadHeader)?);
    }
    reader.end()?;
    let json = reader.into_text()?;
    let text = |range: Range<usize>| json.get(range).ok_or(Error::BadJson);
    let alg = text(alg.ok_or(Error::BadHeader)?)?;
    let typ = typ.map(text).transpose()?;
    if typ.is_some_and(|typ| !typ.eq_ignore_ascii_case("JWT")) {
        return Err(Error::BadHeader);
    }
    Ok(HeaderFields { alg, typ })
}

/// Verifies `token` with `key` under `rules`, decoding its payload into `scratch`
/// (a buffer as long as the token always suffices).
///
/// Checks, in order: size and form; the header (`alg` must be HS256 — `none` and every other
/// algorithm are refused before the signature is looked at); the signature, in constant time;
/// the claims; then `exp` (required; expired when `now >= exp + leeway`) and `nbf`.
///
/// # Errors
/// The first check that fails, in the order above, and only these:
/// - size and form: [`Error::TokenTooLong`], [`Error::Malformed`], [`Error::BadBase64`],
///   [`Error::ScratchTooSmall`];
/// - header: [`Error::BadJson`], [`Error::JsonTooDeep`], [`Error::BadHeader`],
///   [`Error::WrongAlgorithm`];
/// - signature: [`Error::BadSignature`];
/// - claims: [`Error::BadJson`], [`Error::JsonTooDeep`], [`Error::MissingClaim`],
///   [`Error::WrongClaimType`], [`Error::DuplicateClaim`], [`Error::DuplicatePermission`],
///   [`Error::DuplicateRole`], [`Error::TooManyUnknownNames`], [`Error::EmptyApiKey`],
///   [`Error::NoPermissions`], [`Error::EmptyRoomId`], [`Error::EmptyParticipantId`],
///   [`Error::VersionRequired`], and with [`Rules::refusing_unknown_names`]
///   [`Error::UnknownPermission`], [`Error::UnknownRole`];
/// - time: [`Error::MissingClaim`] (no `exp`), [`Error::Expired`], [`Error::NotYetValid`].
pub fn verify<'s>(
    token: &str,
    key: &Key,
    rules: &Rules,
    scratch: &'s mut [u8],
) -> Result<VerifiedClaims<'s>, Error> {
    if token.len() > rules.max_token_len {
        return Err(Error::TokenTooLong);
    }
    check(token, key, rules, scratch).map_err(|e| classify(token, e))
}

#[inline(always)]
fn check<'s>(
    token: &str,
    key: &Key,
    rules: &Rules,
    scratch: &'s mut [u8],
) -> Result<VerifiedClaims<'s>, Error> {
    let segments = Segments::split(token)?;
    if read_header(segments.header, scratch)?.alg != "HS256" {
        return Err(Error::WrongAlgorithm);
    }
    check_signature(&segments, key)?;
    let claims = read_claims(decode_segment(segments.payload, scratch)?)?;
    check_times(claims, rules)
}

/// Verifies a token held in `token`, decoding its header and payload in place, so that a
/// device needs one buffer: the token's own. Checks and refusals are exactly those of
/// [`verify`]; on return (either way) the buffer no longer holds the token.
///
/// ```
/// use videosdk_token_core::{Claims, Permission, Rules, Key, sign, verify_in_place};
///
/// let key = Key::new(b"demo-secret-0123456789abcdef-0123456789")?;
/// let claims = Claims::new("demo-api-key", &[Permission::AllowJoin], 1_700_000_000, 1_700_007_200);
/// // A token as it arrives, say from a radio, into the one buffer the device keeps.
/// let mut buf = [0u8; 256];
/// let len = sign(&claims, &key, &mut buf)?.len();
/// let token = buf.get_mut(..len).ok_or("fits")?;
/// let verified = verify_in_place(token, &key, &Rules::at(1_700_000_060))?;
/// assert_eq!(verified.apikey(), "demo-api-key");
/// # Ok::<(), Box<dyn core::error::Error>>(())
/// ```
///
/// # Errors
/// As [`verify`], but never [`Error::ScratchTooSmall`]; a buffer that is not UTF-8 is
/// [`Error::BadBase64`] (or [`Error::Malformed`] when it is not three segments).
pub fn verify_in_place<'b>(
    token: &'b mut [u8],
    key: &Key,
    rules: &Rules,
) -> Result<VerifiedClaims<'b>, Error> {
    if token.len() > rules.max_token_len {
        return Err(Error::TokenTooLong);
    }
    let Ok(text) = core::str::from_utf8(token) else {
        return Err(if three_segments(token) {
            Error::BadBase64
        } else {
            Error::Malformed
        });
    };
    // Everything that reads the token as written happens before any of it is overwritten:
    // the split, the standard-header shortcut, the MAC over the signing input, and whether it
    // is three segments (more would put a dot in the payload, between the first dot and the
    // last: one memchr over the payload, where `verify` counts dots only once refused).
    let (header_end, payload_end, standard_header, three, signature) = match Segments::split(text) {
        Ok(segments) => (
            segments.header.len(),
            segments.signing_input.len(),
            segments.header == HEADER || segments.header == HEADER_TYP_FIRST,
            !segments.payload.as_bytes().contains(&b'.'),
            check_signature(&segments, key),
        ),
        Err(e) => return Err(classify(text, e)),
    };
    let refuse = |e: Error| if three { e } else { Error::Malformed };
    let (header, rest) = token
        .split_at_mut_checked(header_end)
        .ok_or(Error::Malformed)?;
    if !standard_header {
        let json = decode_in_place(header).map_err(|_| refuse(Error::BadBase64))?;
        if read_header_json(json).map_err(refuse)?.alg != "HS256" {
            return Err(refuse(Error::WrongAlgorithm));
        }
    }
    signature.map_err(refuse)?;
    let payload = rest
        .get_mut(1..payload_end.saturating_sub(header_end))
        .ok_or(Error::Malformed)?;
    let json = decode_in_place(payload).map_err(|_| refuse(Error::BadBase64))?;
    read_claims(json)
        .and_then(|claims| check_times(claims, rules))
        .map_err(refuse)
}

/// The signature's verdict: present, canonical base64url, and the MAC of the signing input.
fn check_signature(segments: &Segments<'_>, key: &Key) -> Result<(), Error> {
    if segments.signature.is_empty() {
        return Err(Error::Malformed);
    }
    // Room for a few bytes more than a MAC, so that padding or stray characters on a
    // slightly long signature are reported as bad base64 rather than a bad signature.
    let mut decoded = [0u8; 40];
    let mac = match decode_into(segments.signature.as_bytes(), &mut decoded) {
        Ok(mac) => <&[u8; 32]>::try_from(mac).map_err(|_| Error::BadSignature)?,
        Err(DecodeError::Invalid) => return Err(Error::BadBase64),
        Err(DecodeError::BufferTooSmall) => return Err(Error::BadSignature),
    };
    if key.verify_tag(segments.signing_input.as_bytes(), mac) {
        Ok(())
    } else {
        Err(Error::BadSignature)
    }
}

/// The length of scratch buffer [`verify`] needs for any token of up to `max_token_len`
/// bytes: the decoded payload is never longer than the token (the header is decoded into the
/// same space first). [`verify_in_place`] needs none.
#[must_use]
pub const fn scratch_len(max_token_len: usize) -> usize {
    // A segment of n <= max_token_len characters decodes to at most floor(3n / 4) bytes.
    (max_token_len / 4).saturating_mul(3).saturating_add(2)
}
