//! What a [`Signer`](crate::Signer) keeps of the last claims it signed, so that the next
//! token of the same API key writes and encodes only what differs: the encoded head of the
//! JSON (`apikey`, `permissions`, `version`) and the JSON of its times (`iat`, `exp`).
//!
//! Both are written by the writer that writes every token and kept only with what they were
//! written from, compared in full before use, so a token signed from them is byte for byte
//! the one [`sign`](crate::sign) writes (`tests/signer.rs` and `tests/golden.rs` check it).

use crate::base64url::encode_in_place;
use crate::claims::{Claims, Permission};
use crate::json_writer::{SliceOut, write_head, write_times};
use crate::mac::equal;

/// The longest API key whose head is kept (VideoSDK's are 36 characters).
const KEY: usize = 64;

/// The longest head JSON kept: a 64-byte key, every permission and `version` fit.
const JSON: usize = 192;

/// Room for the head's encoding, with the JSON written after it to be encoded in place.
const ENCODED: usize = JSON / 3 * 4;

/// `,"iat":` and `,"exp":` with 16 digits each, and `}`.
const TIMES: usize = 48;

/// The encoded head of the last claims' JSON, and what it was written from.
#[derive(Clone)]
pub(crate) struct Head {
    /// The API key; `key_len == 0` means nothing is kept (a checked key is never empty).
    key: [u8; KEY],
    key_len: usize,
    permissions: [Permission; 3],
    permissions_len: usize,
    version_2: bool,
    /// base64url of the head's JSON up to its last whole group of three bytes.
    encoded: [u8; ENCODED],
    encoded_len: usize,
    /// The head's last JSON bytes, under three, not in `encoded`.
    rest: [u8; 2],
    rest_len: usize,
}

impl Head {
    pub(crate) const fn new() -> Self {
        Self {
            key: [0; KEY],
            key_len: 0,
            permissions: [Permission::AllowJoin; 3],
            permissions_len: 0,
            version_2: false,
            encoded: [0; ENCODED],
            encoded_len: 0,
            rest: [0; 2],
            rest_len: 0,
        }
    }

    /// The encoded head for `claims` (checked), and the JSON that follows it before the
    /// room: kept from the last claims when they share key, permissions and version, and
    /// written now otherwise. `None` when this head cannot be kept (a key over 64 bytes, or
    /// JSON over 192), and the writer writes it whole.
    #[inline(always)]
    pub(crate) fn for_claims(&mut self, claims: &Claims<'_>) -> Option<(&[u8], &[u8])> {
        if !self.holds(claims) {
            self.learn(claims)?;
        }
        Some((
            self.encoded.get(..self.encoded_len)?,
            self.rest.get(..self.rest_len)?,
        ))
    }

    /// Whether what is kept was written from `claims`' key, permissions and version.
    #[inline(always)]
    fn holds(&self, claims: &Claims<'_>) -> bool {
        let key = claims.apikey().as_bytes();
        let permissions = claims.permissions();
        key.len() == self.key_len
            && self
                .key
                .get(..key.len())
                .is_some_and(|kept| equal(kept, key))
            && self.version_2 == claims.version().is_some()
            && self
                .permissions
                .get(..self.permissions_len)
                .is_some_and(|kept| {
                    // In line: a slice compare calls `memcmp`, which costs more for three.
                    kept.len() == permissions.len()
                        && kept.iter().zip(permissions).all(|(a, b)| a == b)
                })
    }

    /// Writes and encodes `claims`' head, and keeps it; `None`, with nothing kept, when it is
    /// too long to keep.
    #[allow(
        clippy::arithmetic_side_effects,
        reason = "`len <= JSON`, so `len / 3 * 3 <= len` and `ENCODED - JSON + len` stay in \
                  the buffer; `ENCODED - JSON >= ceil(JSON / 3)`, as encoding in place needs"
    )]
    fn learn(&mut self, claims: &Claims<'_>) -> Option<()> {
        self.key_len = 0;
        let key = claims.apikey().as_bytes();
        let permissions = claims.permissions();
        if key.len() > KEY || permissions.len() > self.permissions.len() {
            return None;
        }
        // The JSON is written at the end, where encoding it in place needs it; the writer
        // refuses a head over its `JSON` bytes of room.
        let from = ENCODED - JSON;
        let mut writer = SliceOut::new(self.encoded.get_mut(from..)?);
        write_head(claims, &mut writer).ok()?;
        let len = writer.len();
        let whole = len / 3 * 3;
        let rest = self.encoded.get(from + whole..from + len)?;
        self.rest_len = rest.len();
        self.rest.get_mut(..rest.len())?.copy_from_slice(rest);
        encode_in_place(&mut self.encoded, from, whole);
        self.encoded_len = whole / 3 * 4;
        self.key.get_mut(..key.len())?.copy_from_slice(key);
        self.permissions
            .get_mut(..permissions.len())?
            .copy_from_slice(permissions);
        self.permissions_len = permissions.len();
        self.version_2 = claims.version().is_some();
        self.key_len = key.len();
        Some(())
    }
}

/// The JSON of the last claims' times, and the times.
#[derive(Clone)]
pub(crate) struct Times {
    iat: u64,
    exp: u64,
    /// `,"iat":…,"exp":…}`; empty when nothing is kept.
    json: [u8; TIMES],
    len: usize,
}

impl Times {
    pub(crate) const fn new() -> Self {
        Self {
            iat: 0,
            exp: 0,
            json: [0; TIMES],
            len: 0,
        }
    }

    /// The JSON of `claims`' times: kept from the last claims when they had the same times,
    /// and written now otherwise. `None` when it does not fit (times of 2^53 and over, which
    /// checked claims do not have), and the writer writes it.
    #[inline(always)]
    pub(crate) fn for_claims(&mut self, claims: &Claims<'_>) -> Option<&[u8]> {
        if self.len == 0 || self.iat != claims.iat() || self.exp != claims.exp() {
            let mut writer = SliceOut::new(&mut self.json);
            self.len = match write_times(claims, &mut writer) {
                Ok(()) => writer.len(),
                Err(()) => 0,
            };
            self.iat = claims.iat();
            self.exp = claims.exp();
        }
        self.json.get(..self.len).filter(|json| !json.is_empty())
    }
}
