//! Signing: the keyed HMAC state, and a token written straight into the caller's buffer.
//!
//! The claims JSON is written just after `header.`, slid right by a third of its length and
//! base64url-encoded in place, so signing needs no scratch buffer and one pass over the JSON.

use core::fmt;

use crate::Error;
use crate::base64url::{encode_in_place, encode_mac, encoded_len, store};
use crate::claims::Claims;
use crate::json_writer::{Counter, Out, SliceOut, write_claims, write_middle, write_times};
use crate::kept::{Head, Times};
use crate::mac::{Pads, Prefix};

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

/// The account's secret, keyed into HMAC-SHA256 once: it signs tokens ([`sign`]) and checks
/// them ([`verify`](crate::verify)), cloning the keyed state for each.
///
/// Its `Debug` output never shows key material.
#[derive(Clone)]
pub struct Key {
    pads: Pads,
}

impl Key {
    /// Keys HMAC-SHA256 with the secret's bytes (for a text secret, its UTF-8 bytes, as Node's
    /// `jsonwebtoken` uses a string secret).
    ///
    /// # Errors
    /// [`Error::EmptySecret`] when `secret` is empty.
    pub fn new(secret: &[u8]) -> Result<Self, Error> {
        if secret.is_empty() {
            return Err(Error::EmptySecret);
        }
        Ok(Self {
            pads: Pads::new(secret),
        })
    }

    /// The HMAC of `message`, from the keyed state.
    pub(crate) fn tag(&self, message: &[u8]) -> [u8; 32] {
        self.pads.tag(message)
    }

    /// Checks `tag` against the HMAC of `message` in constant time.
    pub(crate) fn verify_tag(&self, message: &[u8], tag: &[u8; 32]) -> bool {
        use ctutils::CtEq;
        self.pads.tag(message).ct_eq(tag).to_bool()
    }
}

// With the `zeroize` feature, the two SHA-256 states keyed from the secret (HMAC's inner and
// outer pads, all that is kept of it) are wiped when the key is dropped.
#[cfg(feature = "zeroize")]
impl Drop for Key {
    fn drop(&mut self) {
        self.pads.wipe();
    }
}

#[cfg(feature = "zeroize")]
impl zeroize::ZeroizeOnDrop for Key {}

impl fmt::Debug for Key {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Key { ... }")
    }
}

/// Signs `claims` into `out` and returns the token, which borrows `out`.
///
/// The returned `&str` is the only success signal: on any error `out` holds no partial token
/// (whatever was written is zeroed).
///
/// # Errors
/// Only these, the claims' own before anything is written:
/// [`Error::EmptyApiKey`], [`Error::NoPermissions`], [`Error::DuplicatePermission`],
/// [`Error::DuplicateRole`], [`Error::EmptyRoomId`], [`Error::EmptyParticipantId`],
/// [`Error::TimeOutOfRange`], [`Error::LifetimeOverflow`], [`Error::NonPositiveLifetime`];
/// then [`Error::BufferTooSmall`] with the exact length needed.
pub fn sign<'o>(claims: &Claims<'_>, key: &Key, out: &'o mut [u8]) -> Result<&'o str, Error> {
    // With the `simd` feature the JSON is encoded while its MAC is computed (`finish`).
    #[cfg(feature = "simd")]
    {
        claims.check()?;
        match place_claims(claims, out) {
            Some((from, json_len)) => finish(out, from, json_len, key),
            None => {
                out.fill(0);
                Err(Error::BufferTooSmall {
                    needed: token_len(claims)?,
                })
            }
        }
    }
    #[cfg(not(feature = "simd"))]
    {
        let len = signing_input_of(claims, out)?;
        let tag = key.tag(out.get(..len).unwrap_or_default());
        Ok(seal(out, len, &tag))
    }
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

/// Signs `json`, a payload serialized by the caller, as it is: no claim is checked. Reached
/// through [`dangerous::sign_json`](crate::dangerous::sign_json).
pub(crate) fn sign_json<'o>(json: &[u8], key: &Key, out: &'o mut [u8]) -> Result<&'o str, Error> {
    let placed = write_json(out, |room| {
        room.get_mut(..json.len())?.copy_from_slice(json);
        Some(json.len())
    });
    match placed {
        Some((from, json_len)) => finish(out, from, json_len, key),
        None => {
            out.fill(0);
            Err(Error::BufferTooSmall {
                needed: token_len_for_json(json.len()),
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

/// Turns the claims JSON at `payload_room(out)[from..][..json_len]` into the finished token.
fn finish<'o>(
    out: &'o mut [u8],
    from: usize,
    json_len: usize,
    key: &Key,
) -> Result<&'o str, Error> {
    // The `simd` feature's kernel encodes the JSON and computes its MAC in one pass, each
    // block's rounds overlapping the encoding of the blocks after it; where it cannot, it
    // writes nothing, and the JSON is encoded and then MACed below.
    #[cfg(feature = "simd")]
    if out.len() >= token_len_for_json(json_len) {
        store(out, 0, *HEADER_AND_DOT);
        let pads = &key.pads;
        if let Some(tag) = crate::accelerated::encode_and_mac(
            out,
            PAYLOAD_START,
            from,
            json_len,
            &pads.inner,
            &pads.outer,
        ) {
            let input_len = PAYLOAD_START.saturating_add(encoded_len(json_len));
            return Ok(seal(out, input_len, &tag));
        }
    }
    let input_len = signing_input(out, from, json_len)?;
    let tag = key.tag(out.get(..input_len).unwrap_or_default());
    Ok(seal(out, input_len, &tag))
}

/// Encodes the JSON at `payload_room(out)[from..][..json_len]` in place after the header:
/// the signing input, whose length it returns, with room left after it for the signature.
fn signing_input(out: &mut [u8], from: usize, json_len: usize) -> Result<usize, Error> {
    let total = token_len_for_json(json_len);
    let payload_end = PAYLOAD_START.saturating_add(encoded_len(json_len));
    if let Some(room) = out.get_mut(PAYLOAD_START..) {
        encode_in_place(room, from, json_len);
    }
    if out.len() < total {
        out.fill(0);
        return Err(Error::BufferTooSmall { needed: total });
    }
    store(out, 0, *HEADER_AND_DOT);
    Ok(payload_end)
}

/// Writes the dot and `tag` after the signing input of `input_len` bytes, which
/// [`signing_input`] checked has room for them, and returns the token.
fn seal<'o>(out: &'o mut [u8], input_len: usize, tag: &[u8; 32]) -> &'o str {
    match crate::accelerated::seal(out, input_len, tag) {
        Ok(token) => token,
        Err(out) => {
            write_signature(out, input_len, tag);
            token_text(out, input_len)
        }
    }
}

/// Writes the dot and `tag` after the signing input of `input_len` bytes.
fn write_signature(out: &mut [u8], input_len: usize, tag: &[u8; 32]) {
    store(out, input_len, [b'.']);
    store(out, input_len.saturating_add(1), encode_mac(tag));
}

/// The token of a signing input of `input_len` bytes, its signature written.
fn token_text(out: &[u8], input_len: usize) -> &str {
    let total = input_len.saturating_add(1).saturating_add(SIGNATURE_LEN);
    // Every byte written is base64url or a dot, so the text is ASCII: the check cannot fail,
    // and no error variant pretends it could (every golden vector checks the output).
    crate::accelerated::ascii_or_utf8(out.get(..total).unwrap_or_default()).unwrap_or_default()
}

/// How many tokens [`Signer::sign_lanes`] signs at once.
pub const LANES: usize = 4;

/// Signs many tokens with one key, faster than [`sign`] one by one, with exactly its results.
///
/// - It remembers the inner hash's state after the leading 64-byte blocks of the last
///   signing input, and resumes from it when the next one starts with the same blocks: tokens
///   of one API key and permissions share their first two blocks or so, a third of a short
///   token's compressions.
/// - It keeps the base64url of the last claims' JSON up to the room (`apikey`,
///   `permissions`, `version`), and the JSON of their `iat` and `exp`: the next claims with
///   the same key, permissions, version and times write and encode only their room,
///   participant and roles. What follows a token in its buffer is scratch, and is not what
///   [`sign`] leaves there.
/// - [`Signer::sign_lanes`] signs [`LANES`] tokens at once: with the `simd` feature, on a
///   CPU with SHA-NI, their compressions are interleaved, which costs less than one after
///   another.
///
/// ```
/// use videosdk_token_core::{Claims, Key, LANES, Permission, Signer, sign};
///
/// let key = Key::new(b"demo-secret-0123456789abcdef-0123456789")?;
/// let mut signer = Signer::new(&key);
/// let rooms = ["a", "bb", "ccc", "dddd"];
/// let claims = rooms.map(|room| {
///     Claims::new("demo-api-key", &[Permission::AllowJoin], 1_700_000_000, 1_700_007_200)
///         .with_room_id(room)
/// });
/// let mut bufs = [[0u8; 256]; LANES];
/// let [a, b, c, d] = &mut bufs;
/// let tokens = signer.sign_lanes([&claims[0], &claims[1], &claims[2], &claims[3]], [a, b, c, d]);
/// let mut one = [0u8; 256];
/// assert_eq!(tokens[2].as_deref(), Ok(sign(&claims[2], &key, &mut one)?));
/// # Ok::<(), videosdk_token_core::Error>(())
/// ```
#[derive(Clone)]
pub struct Signer<'k> {
    key: &'k Key,
    prefix: Prefix,
    head: Head,
    times: Times,
}

impl fmt::Debug for Signer<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Signer { ... }")
    }
}

// The remembered blocks and states are message bytes and states derived from the key.
#[cfg(feature = "zeroize")]
impl Drop for Signer<'_> {
    fn drop(&mut self) {
        self.prefix.wipe();
    }
}

#[cfg(feature = "zeroize")]
impl zeroize::ZeroizeOnDrop for Signer<'_> {}

impl<'k> Signer<'k> {
    /// A signer with `key` that remembers nothing yet.
    #[must_use]
    pub const fn new(key: &'k Key) -> Self {
        Self {
            key,
            prefix: Prefix::new(),
            head: Head::new(),
            times: Times::new(),
        }
    }

    /// Signs `claims` into `out`, as [`sign`] does.
    ///
    /// # Errors
    /// As [`sign`].
    pub fn sign<'o>(&mut self, claims: &Claims<'_>, out: &'o mut [u8]) -> Result<&'o str, Error> {
        let len = self.signing_input(claims, out)?;
        let tag = self
            .key
            .pads
            .tag_prefixed(&mut self.prefix, out.get(..len).unwrap_or_default());
        Ok(seal(out, len, &tag))
    }

    /// Signs [`LANES`] tokens, each into its own buffer, with the results [`sign`] gives each
    /// (a lane's error leaves the others signed).
    pub fn sign_lanes<'o>(
        &mut self,
        claims: [&Claims<'_>; LANES],
        outs: [&'o mut [u8]; LANES],
    ) -> [Result<&'o str, Error>; LANES] {
        let mut outs = outs;
        let mut inputs = [Err(Error::NoPermissions); LANES];
        for ((input, claims), out) in inputs.iter_mut().zip(claims).zip(outs.iter_mut()) {
            *input = self.signing_input(claims, out);
        }
        let messages: [&[u8]; LANES] =
            core::array::from_fn(|l| match (inputs.get(l), outs.get(l)) {
                (Some(Ok(len)), Some(out)) => out.get(..*len).unwrap_or_default(),
                _ => &[],
            });
        let tags = self.key.pads.tags_prefixed(&mut self.prefix, messages);
        // Every signature is written before any token is read back as text: reading a
        // signature just written waits for its stores, and by then the first lanes' are
        // done. (This beats `seal`'s kernel here: four scalar encodings overlap.)
        for ((out, input), tag) in outs.iter_mut().zip(&inputs).zip(&tags) {
            if let Ok(len) = input {
                write_signature(out, *len, tag);
            }
        }
        let mut inputs = inputs.into_iter();
        outs.map(|out| {
            inputs
                .next()
                .unwrap_or(Err(Error::NoPermissions))
                .map(|len| token_text(out, len))
        })
    }
}

impl Signer<'_> {
    /// As [`signing_input_of`], from the head's encoding and the times' JSON this signer
    /// keeps: only the JSON between them is written and encoded.
    #[allow(
        clippy::arithmetic_side_effects,
        reason = "`skip` is within `out` (the slice after it was taken), and the signing input \
                  that follows it too"
    )]
    fn signing_input(&mut self, claims: &Claims<'_>, out: &mut [u8]) -> Result<usize, Error> {
        claims.check()?;
        let times = self.times.for_claims(claims);
        let Some((head, rest)) = self.head.for_claims(claims) else {
            return signing_input_of(claims, out);
        };
        let skip = head.len();
        // The token after the head's encoding is the token of the JSON after it, header
        // included, written into `out[skip..]`: its header is then overwritten by the head.
        let placed = out.get_mut(skip..).and_then(|shifted| {
            let (from, json_len) = write_json(shifted, |room| {
                let mut writer = SliceOut::new(room);
                writer.put(rest).ok()?;
                write_middle(claims, &mut writer).ok()?;
                match times {
                    Some(times) => writer.put(times),
                    None => write_times(claims, &mut writer),
                }
                .ok()?;
                Some(writer.len())
            })?;
            Some(signing_input(shifted, from, json_len))
        });
        match placed {
            Some(Ok(len)) => {
                store(out, 0, *HEADER_AND_DOT);
                if let Some(slot) = out.get_mut(PAYLOAD_START..PAYLOAD_START + skip) {
                    slot.copy_from_slice(head);
                }
                Ok(skip + len)
            }
            Some(Err(_)) | None => {
                out.fill(0);
                Err(Error::BufferTooSmall {
                    needed: token_len(claims)?,
                })
            }
        }
    }
}

/// Writes the claims' JSON where [`write_json`] puts it, returning where and how long.
#[inline(always)]
fn place_claims(claims: &Claims<'_>, out: &mut [u8]) -> Option<(usize, usize)> {
    write_json(out, |rest| {
        let mut writer = SliceOut::new(rest);
        write_claims(claims, &mut writer)
            .ok()
            .map(|()| writer.len())
    })
}

/// Checks `claims` and writes their signing input into `out`, returning its length, with
/// room left for the signature; on error `out` holds nothing of a token.
fn signing_input_of(claims: &Claims<'_>, out: &mut [u8]) -> Result<usize, Error> {
    claims.check()?;
    match place_claims(claims, out) {
        Some((from, json_len)) => signing_input(out, from, json_len),
        None => {
            out.fill(0);
            Err(Error::BufferTooSmall {
                needed: token_len(claims)?,
            })
        }
    }
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
    // `sign` wrote ASCII, so this cannot fail (and would give an empty string, not an error).
    Ok(heapless::String::from_utf8(bytes).unwrap_or_default())
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
    let mut failure = Error::BufferTooSmall {
        needed: out.len().saturating_add(1).max(token_len_for_json(2)),
    };
    let placed = write_json(out, |rest| match serde_json_core::to_slice(claims, rest) {
        Ok(len) => Some(len),
        Err(serde_json_core::ser::Error::BufferFull) => None,
        Err(_) => {
            failure = Error::Serialize;
            None
        }
    });
    let Some((from, json_len)) = placed else {
        out.fill(0);
        return Err(failure);
    };
    finish(out, from, json_len, key)
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
