//! A C ABI over [`videosdk_token_core`]: key set-up into caller storage, signing from a C
//! struct of claims, verifying a token in its own buffer, reading the claims back, and the
//! access checks. No function allocates, none can unwind into C, and every one returns a
//! [`videosdk_token_status`].
//!
//! The C header, `include/videosdk_token.h`, is generated from this file by cbindgen; its
//! comments are the doc comments below.
#![cfg_attr(not(any(test, feature = "std")), no_std)]
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int};
use core::mem::{align_of, size_of};
use core::ptr;

use videosdk_token_core::{
    Claims, Error, ExpiresIn, Join, Key, Permission, Role, Rules, VerifiedClaims, sign, token_len,
    verify_in_place,
};

mod status;
pub use status::videosdk_token_status;
use status::videosdk_token_status as S;

/// Words of storage (`uint64_t`) in a [`videosdk_token_key`].
pub const VIDEOSDK_TOKEN_KEY_WORDS: usize = 32;

/// Words of private storage (`uint64_t`) in a [`videosdk_token_verified`].
pub const VIDEOSDK_TOKEN_VERIFIED_WORDS: usize = 48;

/// Characters of an HS256 signature in base64url.
pub const VIDEOSDK_TOKEN_SIGNATURE_LEN: usize = 43;

/// The longest token [`videosdk_token_verify`] accepts when the rules give no limit (0).
pub const VIDEOSDK_TOKEN_DEFAULT_MAX_TOKEN_LEN: usize = 8192;

/// `allow_join`: join a meeting directly.
pub const VIDEOSDK_TOKEN_ALLOW_JOIN: u8 = 1;
/// `ask_join`: ask to join a meeting.
pub const VIDEOSDK_TOKEN_ASK_JOIN: u8 = 2;
/// `allow_mod`: moderate a meeting.
pub const VIDEOSDK_TOKEN_ALLOW_MOD: u8 = 3;

/// `crawler`: the v2 server API.
pub const VIDEOSDK_TOKEN_CRAWLER: u8 = 1;
/// `rtc`: meetings.
pub const VIDEOSDK_TOKEN_RTC: u8 = 2;

/// [`videosdk_token_join`]'s answer: straight in (`allow_join`).
pub const VIDEOSDK_TOKEN_JOIN_DIRECTLY: u8 = 1;
/// [`videosdk_token_join`]'s answer: must ask and be let in (`ask_join` alone).
pub const VIDEOSDK_TOKEN_JOIN_AFTER_ASKING: u8 = 2;

/// Marks storage that [`videosdk_token_key_init`] filled (and [`videosdk_token_key_clear`]
/// wiped), so that uninitialised storage is refused rather than read.
const KEY_SET: u64 = 0x6b65_795f_7673_646b;
/// Marks a [`videosdk_token_verified`] that [`videosdk_token_verify`] filled.
const VERIFIED_SET: u64 = 0x7672_6664_7673_646b;

const _: () = {
    assert!(size_of::<Key>() <= (VIDEOSDK_TOKEN_KEY_WORDS - 1) * 8);
    assert!(align_of::<Key>() <= 8);
    assert!(size_of::<VerifiedClaims<'static>>() <= (VIDEOSDK_TOKEN_VERIFIED_WORDS - 1) * 8);
    assert!(align_of::<VerifiedClaims<'static>>() <= 8);
    assert!(VIDEOSDK_TOKEN_SIGNATURE_LEN == videosdk_token_core::SIGNATURE_LEN);
    assert!(VIDEOSDK_TOKEN_DEFAULT_MAX_TOKEN_LEN == videosdk_token_core::DEFAULT_MAX_TOKEN_LEN);
};

/// Storage for a signing key: the secret keyed into HMAC-SHA256 once, then used by any number
/// of [`videosdk_token_sign`] and [`videosdk_token_verify`] calls.
///
/// Declare it anywhere (static, stack, inside your own struct); it needs no heap and no
/// destructor beyond [`videosdk_token_key_clear`]. Its contents are private.
///
/// What the library can tell about storage: storage that [`videosdk_token_key_init`] never
/// set up is recognised by a marker word, so zeroed storage (a `static`, `= {0}`, or storage
/// passed to [`videosdk_token_key_clear`]) gets `VIDEOSDK_TOKEN_KEY_NOT_SET`. Storage that
/// was never zeroed (on the stack, say) may still hold the marker and an earlier key, which
/// no check can tell from a live key: it is then used as that key. Zero storage you declare
/// before any other use, or set it up first. Once set up it is
/// only read, so one key may be shared by threads and tasks that sign or verify concurrently;
/// setting it up or clearing it while another thread uses it is a data race.
#[repr(C)]
pub struct videosdk_token_key {
    _private: [u64; VIDEOSDK_TOKEN_KEY_WORDS],
}

/// The claims to sign. Strings are UTF-8, given as a pointer and a length in bytes (no NUL
/// needed); they are read only during the call.
///
/// Names are the `VIDEOSDK_TOKEN_ALLOW_JOIN`… and `VIDEOSDK_TOKEN_CRAWLER`… values, written
/// into the token in the order given, as Node's `jsonwebtoken` keeps the order of an array.
#[repr(C)]
pub struct videosdk_token_claims {
    /// `apikey`, required and non-empty.
    pub apikey: *const u8,
    /// Bytes of `apikey`.
    pub apikey_len: usize,
    /// `permissions`: at least one, none twice.
    pub permissions: *const u8,
    /// How many `permissions`.
    pub permissions_len: usize,
    /// Adds `"version":2`, which `room_id`, `participant_id` and `roles` need for VideoSDK.
    pub version_2: bool,
    /// `roomId`, or NULL for none (the length is then ignored).
    pub room_id: *const u8,
    /// Bytes of `room_id`.
    pub room_id_len: usize,
    /// `participantId`, or NULL for none (the length is then ignored).
    pub participant_id: *const u8,
    /// Bytes of `participant_id`.
    pub participant_id_len: usize,
    /// `roles`, or NULL for none: none twice.
    pub roles: *const u8,
    /// How many `roles`.
    pub roles_len: usize,
    /// Issued at, unix seconds.
    pub iat: u64,
    /// Expires at, unix seconds; later than `iat` (see [`videosdk_token_exp_after`]).
    pub exp: u64,
}

/// How to check a token.
#[repr(C)]
pub struct videosdk_token_rules {
    /// The time now, unix seconds (the library has no clock).
    pub now: u64,
    /// Seconds of clock skew allowed on `exp` and `nbf`.
    pub leeway: u64,
    /// The longest token accepted, in bytes; 0 for
    /// `VIDEOSDK_TOKEN_DEFAULT_MAX_TOKEN_LEN`.
    pub max_token_len: usize,
    /// Refuse permission and role names the library does not know, rather than report them.
    pub refuse_unknown_names: bool,
}

/// The claims of a verified token. Strings point into the token buffer given to
/// [`videosdk_token_verify`] and are not NUL-terminated: they are valid while that buffer is,
/// and unchanged. The struct may be copied.
#[repr(C)]
pub struct videosdk_token_verified {
    /// `apikey`.
    pub apikey: *const u8,
    /// Bytes of `apikey`.
    pub apikey_len: usize,
    /// `roomId`, or NULL when absent.
    pub room_id: *const u8,
    /// Bytes of `room_id`.
    pub room_id_len: usize,
    /// `participantId`, or NULL when absent.
    pub participant_id: *const u8,
    /// Bytes of `participant_id`.
    pub participant_id_len: usize,
    /// `iat`, when `has_iat`.
    pub iat: u64,
    /// `exp` (always present in a verified token).
    pub exp: u64,
    /// `nbf`, when `has_nbf`.
    pub nbf: u64,
    /// `version`, when `has_version`.
    pub version: u64,
    /// The known permissions, in token order (`VIDEOSDK_TOKEN_ALLOW_JOIN`…).
    pub permissions: [u8; 3],
    /// How many of `permissions` are set.
    pub permissions_len: u8,
    /// The known roles, in token order (`VIDEOSDK_TOKEN_CRAWLER`…).
    pub roles: [u8; 2],
    /// How many of `roles` are set.
    pub roles_len: u8,
    /// How many permission names the library does not know (they grant nothing).
    pub unknown_permissions: u8,
    /// How many role names the library does not know (they grant nothing).
    pub unknown_roles: u8,
    /// Whether `iat` is present.
    pub has_iat: bool,
    /// Whether `nbf` is present.
    pub has_nbf: bool,
    /// Whether `version` is present.
    pub has_version: bool,
    _private: [u64; VIDEOSDK_TOKEN_VERIFIED_WORDS],
}

/// Sets up `key` from the account's secret (its bytes, as Node's `jsonwebtoken` uses a string
/// secret's UTF-8 bytes).
///
/// Returns `VIDEOSDK_TOKEN_OK`, `VIDEOSDK_TOKEN_NULL_POINTER` (no `key`, or no `secret` with a
/// length) or `VIDEOSDK_TOKEN_EMPTY_SECRET`; on error `key` is zeroed and refused by every
/// other function.
///
/// # Safety
/// `key` is NULL or points to writable storage; `secret` is NULL or points to `secret_len`
/// readable bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn videosdk_token_key_init(
    key: *mut videosdk_token_key,
    secret: *const u8,
    secret_len: usize,
) -> videosdk_token_status {
    if key.is_null() {
        return S::VIDEOSDK_TOKEN_NULL_POINTER;
    }
    // SAFETY: the contract on `secret`.
    let made = match unsafe { bytes(secret, secret_len) } {
        Some(secret) => Key::new(secret).map_err(status::of_error),
        None => Err(S::VIDEOSDK_TOKEN_NULL_POINTER),
    };
    match made {
        Ok(made) => {
            // SAFETY: `key` is writable storage of VIDEOSDK_TOKEN_KEY_WORDS words, 8-aligned;
            // word 1 onwards holds a `Key` (size and alignment asserted above). Words past the
            // `Key` are never written, so they hold nothing of any secret.
            unsafe {
                let words = ptr::addr_of_mut!((*key)._private).cast::<u64>();
                ptr::write(words.add(1).cast::<Key>(), made);
                ptr::write_volatile(words, KEY_SET);
            }
            S::VIDEOSDK_TOKEN_OK
        }
        Err(s) => {
            // SAFETY: `key` is non-null and writable, by the contract.
            unsafe { wipe_key(key) };
            s
        }
    }
}

/// Wipes `key` (the keyed HMAC state derived from the secret) so that it holds nothing of the
/// secret; it must be set up again before use. A NULL `key` is ignored.
///
/// # Safety
/// `key` is NULL or points to writable storage.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn videosdk_token_key_clear(key: *mut videosdk_token_key) {
    if !key.is_null() {
        // SAFETY: non-null and writable, by the contract.
        unsafe { wipe_key(key) };
    }
}

/// Zeroes every word of `key`, with writes the compiler may not drop.
///
/// # Safety
/// `key` is non-null and writable.
unsafe fn wipe_key(key: *mut videosdk_token_key) {
    // SAFETY: by the contract; the storage is plain words (`Key` has no destructor that
    // must run: what it holds is its own bytes).
    unsafe {
        let words = ptr::addr_of_mut!((*key)._private).cast::<u64>();
        for i in 0..VIDEOSDK_TOKEN_KEY_WORDS {
            ptr::write_volatile(words.add(i), 0);
        }
    }
}

/// The key in `key`, if it was set up.
///
/// # Safety
/// `key` is NULL or points to readable storage that only these functions write.
unsafe fn key_of<'k>(key: *const videosdk_token_key) -> Option<&'k Key> {
    if key.is_null() {
        return None;
    }
    // SAFETY: non-null and readable by the contract; when word 0 holds KEY_SET,
    // `videosdk_token_key_init` wrote a `Key` from word 1.
    unsafe {
        let words = ptr::addr_of!((*key)._private).cast::<u64>();
        (ptr::read_volatile(words) == KEY_SET).then(|| &*words.add(1).cast::<Key>())
    }
}

/// The exact length of the token `claims` make, in bytes, without a terminating NUL.
///
/// Returns `VIDEOSDK_TOKEN_OK` and sets `*len`, or the claims' error (see
/// [`videosdk_token_sign`]); on error `*len` is 0.
///
/// # Safety
/// `claims` is NULL or points to a `videosdk_token_claims` whose pointers follow its
/// contract; `len` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn videosdk_token_len(
    claims: *const videosdk_token_claims,
    len: *mut usize,
) -> videosdk_token_status {
    if len.is_null() {
        return S::VIDEOSDK_TOKEN_NULL_POINTER;
    }
    // SAFETY: `len` is non-null and writable.
    unsafe { len.write(0) };
    // SAFETY: the contract on `claims`.
    let result = unsafe { with_claims(claims, token_len) };
    match result.and_then(|n| n.map_err(status::of_error)) {
        Ok(n) => {
            // SAFETY: as above.
            unsafe { len.write(n) };
            S::VIDEOSDK_TOKEN_OK
        }
        Err(s) => s,
    }
}

/// Signs `claims` with `key` into `out`, NUL-terminated, byte for byte the token Node's
/// `jsonwebtoken` makes of the same payload and secret.
///
/// `out` needs [`videosdk_token_len`] + 1 bytes. On `VIDEOSDK_TOKEN_OK`, `*len` is the token's
/// length (without the NUL). On `VIDEOSDK_TOKEN_BUFFER_TOO_SMALL`, `*len` is the size `out`
/// needs (with the NUL). On any error every byte of `out` is zeroed.
///
/// Errors: `VIDEOSDK_TOKEN_OVERLAPPING_BUFFERS` (nothing written),
/// `VIDEOSDK_TOKEN_NULL_POINTER`, `VIDEOSDK_TOKEN_KEY_NOT_SET`,
/// `VIDEOSDK_TOKEN_NOT_UTF8`, `VIDEOSDK_TOKEN_BAD_PERMISSION_VALUE`,
/// `VIDEOSDK_TOKEN_BAD_ROLE_VALUE`, the claims' own (`VIDEOSDK_TOKEN_EMPTY_API_KEY`,
/// `VIDEOSDK_TOKEN_NO_PERMISSIONS`, `VIDEOSDK_TOKEN_DUPLICATE_PERMISSION`,
/// `VIDEOSDK_TOKEN_DUPLICATE_ROLE`, `VIDEOSDK_TOKEN_EMPTY_ROOM_ID`,
/// `VIDEOSDK_TOKEN_EMPTY_PARTICIPANT_ID`, `VIDEOSDK_TOKEN_TIME_OUT_OF_RANGE`,
/// `VIDEOSDK_TOKEN_LIFETIME_OVERFLOW`, `VIDEOSDK_TOKEN_NON_POSITIVE_LIFETIME`), then
/// `VIDEOSDK_TOKEN_BUFFER_TOO_SMALL`.
///
/// # Safety
/// `key` is NULL or storage given to [`videosdk_token_key_init`]; `claims` as for
/// [`videosdk_token_len`]; `out` is NULL or points to `out_len` writable bytes; `len` is NULL
/// or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn videosdk_token_sign(
    key: *const videosdk_token_key,
    claims: *const videosdk_token_claims,
    out: *mut u8,
    out_len: usize,
    len: *mut usize,
) -> videosdk_token_status {
    // Before any reference to `out` exists: it must share no byte with what is read.
    // SAFETY: the contract on `claims`.
    if unsafe { sign_inputs_overlap(key, claims, out, out_len, len) } {
        return S::VIDEOSDK_TOKEN_OVERLAPPING_BUFFERS;
    }
    // SAFETY: the contract on `out`.
    let Some(out) = (unsafe { bytes_mut(out, out_len) }) else {
        return S::VIDEOSDK_TOKEN_NULL_POINTER;
    };
    // SAFETY: the contracts on `key`, `claims` and `len`.
    let result = unsafe { sign_into(key, claims, out, len) };
    if result != S::VIDEOSDK_TOKEN_OK {
        out.fill(0);
    }
    result
}

/// Whether `a_len` bytes at `a` and `b_len` bytes at `b` share a byte: the addresses compared
/// as numbers, nothing read; a NULL or empty range shares none. Out of line, so that each
/// check costs a call (the sign-only firmware image has a flash budget).
#[inline(never)]
fn overlap(a: *const u8, a_len: usize, b: *const u8, b_len: usize) -> bool {
    let (a, b) = (a as usize, b as usize);
    a != 0
        && b != 0
        && a_len != 0
        && b_len != 0
        && a < b.wrapping_add(b_len)
        && b < a.wrapping_add(a_len)
}

/// Whether the `out_len` bytes at `out` overlap the key storage, the claims, the strings and
/// name arrays they point to, or `*len`.
///
/// # Safety
/// `claims` is NULL or readable.
unsafe fn sign_inputs_overlap(
    key: *const videosdk_token_key,
    claims: *const videosdk_token_claims,
    out: *mut u8,
    out_len: usize,
    len: *mut usize,
) -> bool {
    let out = out.cast_const();
    if overlap(out, out_len, key.cast(), size_of::<videosdk_token_key>())
        || overlap(
            out,
            out_len,
            claims.cast(),
            size_of::<videosdk_token_claims>(),
        )
        || overlap(out, out_len, len.cast_const().cast(), size_of::<usize>())
    {
        return true;
    }
    if claims.is_null() {
        return false;
    }
    // SAFETY: non-null and readable by the contract; it does not overlap `out` (above).
    let c = unsafe { &*claims };
    [
        (c.apikey, c.apikey_len),
        (c.permissions, c.permissions_len),
        (c.room_id, c.room_id_len),
        (c.participant_id, c.participant_id_len),
        (c.roles, c.roles_len),
    ]
    .into_iter()
    .any(|(p, n)| overlap(out, out_len, p, n))
}

/// [`videosdk_token_sign`] once `out` is known; the caller zeroes `out` on error.
///
/// # Safety
/// As for [`videosdk_token_sign`].
unsafe fn sign_into(
    key: *const videosdk_token_key,
    claims: *const videosdk_token_claims,
    out: &mut [u8],
    len: *mut usize,
) -> videosdk_token_status {
    if len.is_null() {
        return S::VIDEOSDK_TOKEN_NULL_POINTER;
    }
    // SAFETY: `len` is non-null and writable.
    unsafe { len.write(0) };
    // SAFETY: the contract on `key`.
    let Some(key) = (unsafe { key_of(key) }) else {
        return if key.is_null() {
            S::VIDEOSDK_TOKEN_NULL_POINTER
        } else {
            S::VIDEOSDK_TOKEN_KEY_NOT_SET
        };
    };
    // The token, then its NUL: sign into all but the last byte.
    let Some((body, _)) = out.split_at_mut_checked(out.len().saturating_sub(1)) else {
        return S::VIDEOSDK_TOKEN_BUFFER_TOO_SMALL;
    };
    // SAFETY: the contract on `claims`.
    let result = unsafe { with_claims(claims, |claims| sign(claims, key, body).map(str::len)) };
    match result {
        Ok(Ok(n)) => {
            // `sign` wrote n bytes into `body`; the NUL is written here, as `body` may be the
            // whole of a buffer the caller did not zero.
            if let Some(nul) = out.get_mut(n) {
                *nul = 0;
            }
            // SAFETY: as above.
            unsafe { len.write(n) };
            S::VIDEOSDK_TOKEN_OK
        }
        Ok(Err(e)) => {
            if let Error::BufferTooSmall { needed } = e {
                // SAFETY: as above.
                unsafe { len.write(needed.saturating_add(1)) };
            }
            status::of_error(e)
        }
        Err(s) => s,
    }
}

/// `exp` for a lifetime written as Node's `jsonwebtoken` takes `expiresIn` as a string (the
/// grammar of the `ms` package: `"2h"`, `"90m"`, `"1.5 days"`, `"3600"`), starting at `iat`.
///
/// Returns `VIDEOSDK_TOKEN_OK`, `VIDEOSDK_TOKEN_NULL_POINTER`, `VIDEOSDK_TOKEN_NOT_UTF8`,
/// `VIDEOSDK_TOKEN_INVALID_DURATION`, `VIDEOSDK_TOKEN_NON_POSITIVE_LIFETIME`,
/// `VIDEOSDK_TOKEN_TIME_OUT_OF_RANGE` or `VIDEOSDK_TOKEN_LIFETIME_OVERFLOW`; on error `*exp` is
/// 0.
///
/// # Safety
/// `text` is NULL or points to `text_len` readable bytes; `exp` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn videosdk_token_exp_after(
    text: *const u8,
    text_len: usize,
    iat: u64,
    exp: *mut u64,
) -> videosdk_token_status {
    if exp.is_null() {
        return S::VIDEOSDK_TOKEN_NULL_POINTER;
    }
    // SAFETY: `exp` is non-null and writable.
    unsafe { exp.write(0) };
    // SAFETY: the contract on `text`.
    let text = match unsafe { text_of(text, text_len) } {
        Ok(text) => text,
        Err(s) => return s,
    };
    match ExpiresIn::parse(text).and_then(|lifetime| lifetime.exp_after(iat)) {
        Ok(value) => {
            // SAFETY: as above.
            unsafe { exp.write(value) };
            S::VIDEOSDK_TOKEN_OK
        }
        Err(e) => status::of_error(e),
    }
}

/// Verifies the token in `token` with `key` under `rules`, decoding it in place: the buffer is
/// the only memory used, and on return (either way) it no longer holds the token. On
/// `VIDEOSDK_TOKEN_OK`, `*verified` holds the claims, whose strings point into `token`.
///
/// Errors, the first check that fails: `VIDEOSDK_TOKEN_NULL_POINTER`,
/// `VIDEOSDK_TOKEN_OVERLAPPING_BUFFERS` (the token buffer shares bytes with the key, the rules
/// or `*verified`; nothing is written, `*verified` included), `VIDEOSDK_TOKEN_KEY_NOT_SET`; size and form (`VIDEOSDK_TOKEN_TOKEN_TOO_LONG`,
/// `VIDEOSDK_TOKEN_MALFORMED`, `VIDEOSDK_TOKEN_BAD_BASE64`; bytes that are not UTF-8 are one of
/// these); header (`VIDEOSDK_TOKEN_BAD_JSON`, `VIDEOSDK_TOKEN_JSON_TOO_DEEP`,
/// `VIDEOSDK_TOKEN_BAD_HEADER`, `VIDEOSDK_TOKEN_WRONG_ALGORITHM`); signature
/// (`VIDEOSDK_TOKEN_BAD_SIGNATURE`); claims (`VIDEOSDK_TOKEN_BAD_JSON`,
/// `VIDEOSDK_TOKEN_JSON_TOO_DEEP`, `VIDEOSDK_TOKEN_MISSING_CLAIM`,
/// `VIDEOSDK_TOKEN_WRONG_CLAIM_TYPE`, `VIDEOSDK_TOKEN_DUPLICATE_CLAIM`,
/// `VIDEOSDK_TOKEN_DUPLICATE_PERMISSION`, `VIDEOSDK_TOKEN_DUPLICATE_ROLE`,
/// `VIDEOSDK_TOKEN_TOO_MANY_UNKNOWN_NAMES`, `VIDEOSDK_TOKEN_EMPTY_API_KEY`,
/// `VIDEOSDK_TOKEN_NO_PERMISSIONS`, `VIDEOSDK_TOKEN_EMPTY_ROOM_ID`,
/// `VIDEOSDK_TOKEN_EMPTY_PARTICIPANT_ID`, `VIDEOSDK_TOKEN_VERSION_REQUIRED`, and when the rules
/// refuse unknown names `VIDEOSDK_TOKEN_UNKNOWN_PERMISSION`, `VIDEOSDK_TOKEN_UNKNOWN_ROLE`);
/// time (`VIDEOSDK_TOKEN_MISSING_CLAIM` for no `exp`, `VIDEOSDK_TOKEN_EXPIRED`,
/// `VIDEOSDK_TOKEN_NOT_YET_VALID`). On any error `*verified` is zeroed.
///
/// # Safety
/// `key` as for [`videosdk_token_sign`]; `token` is NULL or points to `token_len` writable
/// bytes; `rules` is NULL or readable; `verified` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn videosdk_token_verify(
    key: *const videosdk_token_key,
    token: *mut u8,
    token_len: usize,
    rules: *const videosdk_token_rules,
    verified: *mut videosdk_token_verified,
) -> videosdk_token_status {
    if verified.is_null() {
        return S::VIDEOSDK_TOKEN_NULL_POINTER;
    }
    // The token is decoded in place: it must share no byte with the key, the rules or the
    // claims written out, before any reference to it exists.
    let token_hits = |p: *const u8, n: usize| overlap(token, token_len, p, n);
    if token_hits(
        verified.cast_const().cast(),
        size_of::<videosdk_token_verified>(),
    ) || token_hits(key.cast(), size_of::<videosdk_token_key>())
        || token_hits(rules.cast(), size_of::<videosdk_token_rules>())
    {
        return S::VIDEOSDK_TOKEN_OVERLAPPING_BUFFERS;
    }
    // SAFETY: `verified` is non-null and writable; all-zero bytes are a valid value of it
    // (null pointers, zero numbers, false).
    unsafe { ptr::write_bytes(verified, 0, 1) };
    if rules.is_null() {
        return S::VIDEOSDK_TOKEN_NULL_POINTER;
    }
    // SAFETY: non-null and readable by the contract.
    let rules = unsafe { &*rules };
    // SAFETY: the contract on `key`.
    let Some(key) = (unsafe { key_of(key) }) else {
        return if key.is_null() {
            S::VIDEOSDK_TOKEN_NULL_POINTER
        } else {
            S::VIDEOSDK_TOKEN_KEY_NOT_SET
        };
    };
    // SAFETY: the contract on `token`.
    let Some(token) = (unsafe { bytes_mut(token, token_len) }) else {
        return S::VIDEOSDK_TOKEN_NULL_POINTER;
    };
    let mut core_rules = Rules::at(rules.now).with_leeway(rules.leeway);
    if rules.max_token_len != 0 {
        core_rules = core_rules.with_max_token_len(rules.max_token_len);
    }
    if rules.refuse_unknown_names {
        core_rules = core_rules.refusing_unknown_names();
    }
    match verify_in_place(token, key, &core_rules) {
        Ok(claims) => {
            // SAFETY: `verified` is non-null and writable; `claims` borrows the caller's
            // buffer, which the caller keeps for as long as it reads `verified`.
            unsafe { fill_verified(verified, claims) };
            S::VIDEOSDK_TOKEN_OK
        }
        Err(e) => status::of_error(e),
    }
}

/// Writes the readable fields of `verified` and keeps `claims` in its private words.
///
/// # Safety
/// `verified` is non-null, writable and zeroed.
unsafe fn fill_verified(verified: *mut videosdk_token_verified, claims: VerifiedClaims<'_>) {
    let read = claims.claims();
    // SAFETY: by the contract.
    let out = unsafe { &mut *verified };
    (out.apikey, out.apikey_len) = (read.apikey().as_ptr(), read.apikey().len());
    if let Some(room) = read.room_id() {
        (out.room_id, out.room_id_len) = (room.as_ptr(), room.len());
    }
    if let Some(participant) = read.participant_id() {
        (out.participant_id, out.participant_id_len) = (participant.as_ptr(), participant.len());
    }
    (out.has_iat, out.iat) = (read.iat().is_some(), read.iat().unwrap_or(0));
    out.exp = claims.exp();
    (out.has_nbf, out.nbf) = (read.nbf().is_some(), read.nbf().unwrap_or(0));
    (out.has_version, out.version) = (read.version().is_some(), read.version().unwrap_or(0));
    out.permissions_len = copy_names(read.permissions(), &mut out.permissions, permission_value);
    out.roles_len = copy_names(read.roles(), &mut out.roles, role_value);
    out.unknown_permissions = small(read.unknown_permissions().len());
    out.unknown_roles = small(read.unknown_roles().len());
    // SAFETY: the private words are 8-aligned storage large enough for the claims (asserted
    // above); word 0 marks them set. The lifetime is the caller's buffer's, which the caller
    // keeps (the contract of `videosdk_token_verified`).
    unsafe {
        let words = ptr::addr_of_mut!(out._private).cast::<u64>();
        ptr::write(words.add(1).cast::<VerifiedClaims<'_>>(), claims);
        ptr::write(words, VERIFIED_SET);
    }
}

fn copy_names<T: Copy, const N: usize>(names: &[T], out: &mut [u8; N], value: fn(T) -> u8) -> u8 {
    for (slot, &name) in out.iter_mut().zip(names) {
        *slot = value(name);
    }
    small(names.len().min(N))
}

fn small(n: usize) -> u8 {
    u8::try_from(n).unwrap_or(u8::MAX)
}

/// The claims kept in `verified`, if [`videosdk_token_verify`] filled it.
///
/// # Safety
/// `verified` is NULL or readable, and its token buffer is unchanged.
unsafe fn claims_of<'v>(
    verified: *const videosdk_token_verified,
) -> Result<&'v VerifiedClaims<'v>, videosdk_token_status> {
    if verified.is_null() {
        return Err(S::VIDEOSDK_TOKEN_NULL_POINTER);
    }
    // SAFETY: readable by the contract; word 0 set means word 1 holds claims written by
    // `fill_verified`.
    unsafe {
        let words = ptr::addr_of!((*verified)._private).cast::<u64>();
        if ptr::read(words) == VERIFIED_SET {
            Ok(&*words.add(1).cast::<VerifiedClaims<'v>>())
        } else {
            Err(S::VIDEOSDK_TOKEN_VERIFIED_NOT_SET)
        }
    }
}

/// May the bearer of a verified token join meeting `room_id`, as `participant_id` when given
/// (NULL: anyone the token allows)? On `VIDEOSDK_TOKEN_OK`, `*join` is
/// `VIDEOSDK_TOKEN_JOIN_DIRECTLY` or `VIDEOSDK_TOKEN_JOIN_AFTER_ASKING`; otherwise it is 0 and
/// the status says why not: `VIDEOSDK_TOKEN_OTHER_ROOM`, `VIDEOSDK_TOKEN_OTHER_PARTICIPANT`,
/// `VIDEOSDK_TOKEN_SERVER_API_ONLY`, `VIDEOSDK_TOKEN_NO_JOIN_PERMISSION`,
/// `VIDEOSDK_TOKEN_UNKNOWN_ROLES_ONLY` (or `VIDEOSDK_TOKEN_NULL_POINTER`,
/// `VIDEOSDK_TOKEN_NOT_UTF8`, `VIDEOSDK_TOKEN_VERIFIED_NOT_SET`).
///
/// # Safety
/// `verified` is NULL or filled by [`videosdk_token_verify`] with its token buffer unchanged;
/// `room_id` and `participant_id` are NULL or point to as many readable bytes as their
/// lengths; `join` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn videosdk_token_join(
    verified: *const videosdk_token_verified,
    room_id: *const u8,
    room_id_len: usize,
    participant_id: *const u8,
    participant_id_len: usize,
    join: *mut u8,
) -> videosdk_token_status {
    if join.is_null() {
        return S::VIDEOSDK_TOKEN_NULL_POINTER;
    }
    // SAFETY: `join` is non-null and writable.
    unsafe { join.write(0) };
    // SAFETY: the contracts on `verified`, `room_id` and `participant_id`.
    let answer = unsafe {
        access(verified, room_id, room_id_len, false, |claims, room| {
            let participant = optional_text(participant_id, participant_id_len)?;
            claims
                .join(room.unwrap_or_default(), participant)
                .map_err(status::of_refusal)
        })
    };
    match answer {
        Ok(how) => {
            let value = match how {
                Join::Directly => VIDEOSDK_TOKEN_JOIN_DIRECTLY,
                Join::AfterAsking => VIDEOSDK_TOKEN_JOIN_AFTER_ASKING,
            };
            // SAFETY: as above.
            unsafe { join.write(value) };
            S::VIDEOSDK_TOKEN_OK
        }
        Err(s) => s,
    }
}

/// May the bearer of a verified token moderate meeting `room_id` (as `participant_id` when
/// given)? `VIDEOSDK_TOKEN_OK`, or why not: `VIDEOSDK_TOKEN_OTHER_ROOM`,
/// `VIDEOSDK_TOKEN_OTHER_PARTICIPANT`, `VIDEOSDK_TOKEN_SERVER_API_ONLY`,
/// `VIDEOSDK_TOKEN_NO_MODERATE_PERMISSION`, `VIDEOSDK_TOKEN_UNKNOWN_ROLES_ONLY` (or
/// `VIDEOSDK_TOKEN_NULL_POINTER`, `VIDEOSDK_TOKEN_NOT_UTF8`,
/// `VIDEOSDK_TOKEN_VERIFIED_NOT_SET`).
///
/// # Safety
/// As for [`videosdk_token_join`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn videosdk_token_moderate(
    verified: *const videosdk_token_verified,
    room_id: *const u8,
    room_id_len: usize,
    participant_id: *const u8,
    participant_id_len: usize,
) -> videosdk_token_status {
    // SAFETY: the contracts on the arguments.
    let answer = unsafe {
        access(verified, room_id, room_id_len, false, |claims, room| {
            let participant = optional_text(participant_id, participant_id_len)?;
            claims
                .moderate(room.unwrap_or_default(), participant)
                .map_err(status::of_refusal)
        })
    };
    answer.err().unwrap_or(S::VIDEOSDK_TOKEN_OK)
}

/// May the bearer of a verified token call the v2 server API, about `room_id` when given
/// (NULL: no particular room)? `VIDEOSDK_TOKEN_OK`, or why not: `VIDEOSDK_TOKEN_MEETING_ONLY`,
/// `VIDEOSDK_TOKEN_OTHER_ROOM`, `VIDEOSDK_TOKEN_UNKNOWN_ROLES_ONLY` (or
/// `VIDEOSDK_TOKEN_NULL_POINTER`, `VIDEOSDK_TOKEN_NOT_UTF8`,
/// `VIDEOSDK_TOKEN_VERIFIED_NOT_SET`).
///
/// # Safety
/// As for [`videosdk_token_join`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn videosdk_token_call_server_api(
    verified: *const videosdk_token_verified,
    room_id: *const u8,
    room_id_len: usize,
) -> videosdk_token_status {
    // SAFETY: the contracts on the arguments.
    let answer = unsafe {
        access(verified, room_id, room_id_len, true, |claims, room| {
            claims.call_server_api(room).map_err(status::of_refusal)
        })
    };
    answer.err().unwrap_or(S::VIDEOSDK_TOKEN_OK)
}

/// Runs an access check on the claims in `verified`, the room read as text (NULL allowed
/// only when `room_optional`).
///
/// # Safety
/// As for [`videosdk_token_join`].
unsafe fn access<T>(
    verified: *const videosdk_token_verified,
    room_id: *const u8,
    room_id_len: usize,
    room_optional: bool,
    check: impl FnOnce(&VerifiedClaims<'_>, Option<&str>) -> Result<T, videosdk_token_status>,
) -> Result<T, videosdk_token_status> {
    // SAFETY: the contract on `verified`.
    let claims = unsafe { claims_of(verified) }?;
    let room = if room_optional && room_id.is_null() {
        None
    } else {
        // SAFETY: the contract on `room_id`.
        Some(unsafe { text_of(room_id, room_id_len) }?)
    };
    check(claims, room)
}

/// The fixed English message for a status, a static NUL-terminated string (the messages of
/// the CLI and of the Rust crate); "unknown status" for a value that is not one.
#[unsafe(no_mangle)]
pub extern "C" fn videosdk_token_status_message(status: c_int) -> *const c_char {
    status::message(status).as_ptr().cast::<c_char>()
}

/// `len` bytes at `data`: NULL is empty when `len` is 0 and refused otherwise.
///
/// # Safety
/// `data` is NULL or points to `len` readable bytes that outlive `'a`.
unsafe fn bytes<'a>(data: *const u8, len: usize) -> Option<&'a [u8]> {
    if data.is_null() {
        return (len == 0).then_some(&[]);
    }
    // SAFETY: by the contract (a u8 pointer is always aligned).
    Some(unsafe { core::slice::from_raw_parts(data, len) })
}

/// `len` writable bytes at `data`: NULL is empty when `len` is 0 and refused otherwise.
///
/// # Safety
/// `data` is NULL or points to `len` writable bytes, not aliased, that outlive `'a`.
unsafe fn bytes_mut<'a>(data: *mut u8, len: usize) -> Option<&'a mut [u8]> {
    if data.is_null() {
        return (len == 0).then_some(&mut []);
    }
    // SAFETY: by the contract.
    Some(unsafe { core::slice::from_raw_parts_mut(data, len) })
}

/// `len` bytes at `data` as UTF-8 text.
///
/// # Safety
/// As for [`bytes`].
unsafe fn text_of<'a>(data: *const u8, len: usize) -> Result<&'a str, videosdk_token_status> {
    // SAFETY: by the contract.
    let bytes = unsafe { bytes(data, len) }.ok_or(S::VIDEOSDK_TOKEN_NULL_POINTER)?;
    core::str::from_utf8(bytes).map_err(|_| S::VIDEOSDK_TOKEN_NOT_UTF8)
}

/// Text that may be absent (NULL).
fn optional_text<'a>(
    data: *const u8,
    len: usize,
) -> Result<Option<&'a str>, videosdk_token_status> {
    if data.is_null() {
        return Ok(None);
    }
    // SAFETY: non-null; the callers' contracts say it points to `len` readable bytes.
    unsafe { text_of(data, len) }.map(Some)
}

fn permission_of(value: u8) -> Option<Permission> {
    match value {
        VIDEOSDK_TOKEN_ALLOW_JOIN => Some(Permission::AllowJoin),
        VIDEOSDK_TOKEN_ASK_JOIN => Some(Permission::AskJoin),
        VIDEOSDK_TOKEN_ALLOW_MOD => Some(Permission::AllowMod),
        _ => None,
    }
}

fn permission_value(permission: Permission) -> u8 {
    match permission {
        Permission::AllowJoin => VIDEOSDK_TOKEN_ALLOW_JOIN,
        Permission::AskJoin => VIDEOSDK_TOKEN_ASK_JOIN,
        Permission::AllowMod => VIDEOSDK_TOKEN_ALLOW_MOD,
        _ => 0,
    }
}

fn role_of(value: u8) -> Option<Role> {
    match value {
        VIDEOSDK_TOKEN_CRAWLER => Some(Role::Crawler),
        VIDEOSDK_TOKEN_RTC => Some(Role::Rtc),
        _ => None,
    }
}

fn role_value(role: Role) -> u8 {
    match role {
        Role::Crawler => VIDEOSDK_TOKEN_CRAWLER,
        Role::Rtc => VIDEOSDK_TOKEN_RTC,
        _ => 0,
    }
}

/// Names given as C values, checked and copied into a list the core takes. More names than
/// there are distinct ones must repeat one: the core's duplicate error then says so.
fn names_of<T: Copy, const N: usize>(
    values: &[u8],
    of: fn(u8) -> Option<T>,
    fill: T,
    bad: videosdk_token_status,
    duplicate: videosdk_token_status,
) -> Result<([T; N], usize), videosdk_token_status> {
    let mut names = [fill; N];
    for &value in values {
        of(value).ok_or(bad)?;
    }
    if values.len() > N {
        return Err(duplicate);
    }
    for (slot, &value) in names.iter_mut().zip(values) {
        *slot = of(value).ok_or(bad)?;
    }
    Ok((names, values.len()))
}

/// Reads the C claims and runs `f` on the core's claims.
///
/// # Safety
/// `claims` is NULL or points to a readable `videosdk_token_claims` whose pointers follow its
/// contract.
unsafe fn with_claims<T>(
    claims: *const videosdk_token_claims,
    f: impl FnOnce(&Claims<'_>) -> T,
) -> Result<T, videosdk_token_status> {
    if claims.is_null() {
        return Err(S::VIDEOSDK_TOKEN_NULL_POINTER);
    }
    // SAFETY: non-null and readable by the contract.
    let c = unsafe { &*claims };
    // SAFETY: the struct's own contract on each pointer and length.
    let (apikey, permissions, roles) = unsafe {
        (
            text_of(c.apikey, c.apikey_len)?,
            bytes(c.permissions, c.permissions_len).ok_or(S::VIDEOSDK_TOKEN_NULL_POINTER)?,
            bytes(c.roles, c.roles_len).ok_or(S::VIDEOSDK_TOKEN_NULL_POINTER)?,
        )
    };
    let room_id = optional_text(c.room_id, c.room_id_len)?;
    let participant_id = optional_text(c.participant_id, c.participant_id_len)?;
    let (permissions, n_permissions) = names_of::<Permission, 3>(
        permissions,
        permission_of,
        Permission::AllowJoin,
        S::VIDEOSDK_TOKEN_BAD_PERMISSION_VALUE,
        S::VIDEOSDK_TOKEN_DUPLICATE_PERMISSION,
    )?;
    let (roles, n_roles) = names_of::<Role, 2>(
        roles,
        role_of,
        Role::Rtc,
        S::VIDEOSDK_TOKEN_BAD_ROLE_VALUE,
        S::VIDEOSDK_TOKEN_DUPLICATE_ROLE,
    )?;
    let claims = Claims::new(
        apikey,
        permissions.get(..n_permissions).unwrap_or_default(),
        c.iat,
        c.exp,
    )
    .with_version_2_if(c.version_2)
    .with_optional_room_id(room_id)
    .with_optional_participant_id(participant_id)
    .with_roles(roles.get(..n_roles).unwrap_or_default());
    Ok(f(&claims))
}

#[cfg(not(any(test, feature = "std")))]
mod panic {
    /// A panic handler that calls a function nobody defines: a program that links this
    /// library and can reach a panic fails to link, naming this symbol.
    #[panic_handler]
    fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
        // SAFETY: never runs: the symbol does not exist, so a program that can reach this does
        // not link.
        unsafe { a_panic_path_survived_in_videosdk_token() }
    }

    unsafe extern "C" {
        /// Defined nowhere, on purpose.
        fn a_panic_path_survived_in_videosdk_token() -> !;
    }
}

/// A panic path on purpose, compiled only with `--cfg videosdk_token_panic_probe`: the test
/// that a program reaching a panic fails to link (`tests/ffi.rs`) builds the library with it.
#[cfg(videosdk_token_panic_probe)]
#[unsafe(no_mangle)]
#[allow(clippy::indexing_slicing)]
pub extern "C" fn videosdk_token_panic_probe(index: usize) -> u8 {
    [1u8, 2, 3][index]
}
