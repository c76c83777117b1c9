//! The WebAssembly half of the `videosdk-token` npm package (`wasm/js/` is the other): the
//! core's signer and verifier behind a small `wasm-bindgen` surface. Times, options and the
//! shape of `jsonwebtoken`'s API live in JavaScript; keying, JSON writing, base64url and
//! HMAC-SHA256 live here.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![allow(unsafe_code)] // wasm-bindgen's generated glue, and the allocator below.

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

use videosdk_token_core::{
    Claims, Error, ExpiresIn, Key, Permission, Role, Rules, dangerous, max_token_len, sign,
    token_len, verify_in_place,
};
use wasm_bindgen::prelude::wasm_bindgen;

/// A secret keyed into HMAC-SHA256 once: JavaScript's `createSigner`.
///
/// Strings cross the boundary through two buffers in the module's memory rather than as
/// arguments: JavaScript encodes its inputs straight into the input buffer ([`Signer::io`])
/// and decodes the token from the output buffer ([`Signer::out`]), so a call allocates
/// nothing (passing strings as arguments cost several allocations and copies per call).
#[wasm_bindgen]
pub struct Signer {
    key: Key,
    io: Vec<u8>,
    out: Vec<u8>,
    error: Option<Error>,
}

/// A length that stands for an absent string.
const ABSENT: u32 = u32::MAX;

#[wasm_bindgen]
impl Signer {
    /// Keys a signer with the secret's bytes (a string secret's UTF-8 bytes, as Node's
    /// `jsonwebtoken` takes it).
    ///
    /// # Errors
    /// The core's `EmptySecret`.
    #[wasm_bindgen(constructor)]
    pub fn new(secret: &[u8]) -> Result<Signer, String> {
        let key = Key::new(secret).map_err(report)?;
        Ok(Self {
            key,
            io: Vec::new(),
            out: Vec::new(),
            error: None,
        })
    }

    /// The input buffer, grown to at least `len` bytes: its address in the module's memory.
    /// Valid until the next call on this signer.
    pub fn io(&mut self, len: usize) -> *mut u8 {
        if self.io.len() < len {
            self.io.resize(len, 0);
        }
        self.io.as_mut_ptr()
    }

    /// The output buffer's address: the token of the last successful sign starts there.
    pub fn out(&self) -> *const u8 {
        self.out.as_ptr()
    }

    /// The error of the last call that returned -1: its name, a tab, its message.
    pub fn last_error(&self) -> String {
        self.error.map(report).unwrap_or_default()
    }

    /// Signs claims written in the contract's key order. The input buffer holds `apikey`,
    /// then `roomId` and `participantId` (a length of `u32::MAX`: absent), as UTF-8;
    /// `names` packs the permissions and roles (see `unpack`). Returns the token's length in
    /// the output buffer, or -1 ([`Signer::last_error`]).
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        &mut self,
        apikey_len: u32,
        room_id_len: u32,
        participant_id_len: u32,
        names: u32,
        version_2: bool,
        iat: f64,
        exp: f64,
    ) -> i32 {
        let result = self.sign_from_io(
            [apikey_len, room_id_len, participant_id_len],
            names,
            version_2,
            iat,
            exp,
            true,
        );
        self.answer(result)
    }

    /// Checks claims given as for [`Signer::sign`] without signing them: for a payload that
    /// JavaScript then serializes itself. Returns 0, or -1 ([`Signer::last_error`]).
    #[allow(clippy::too_many_arguments)]
    pub fn check(
        &mut self,
        apikey_len: u32,
        room_id_len: u32,
        participant_id_len: u32,
        names: u32,
        version_2: bool,
        iat: f64,
        exp: f64,
    ) -> i32 {
        let result = self.sign_from_io(
            [apikey_len, room_id_len, participant_id_len],
            names,
            version_2,
            iat,
            exp,
            false,
        );
        self.answer(result.map(|_| 0))
    }

    /// Signs the `len` bytes of JSON in the input buffer as they are (`JSON.stringify`'s
    /// output). Returns the token's length in the output buffer, or -1.
    pub fn sign_json(&mut self, len: usize) -> i32 {
        let json = self.io.get(..len).unwrap_or_default();
        // Header, two dots, the payload's base64url and the signature.
        let needed = 37 + len.div_ceil(3) * 4 + 1 + 43;
        if self.out.len() < needed {
            self.out.resize(needed, 0);
        }
        let result = dangerous::sign_json(json, &self.key, &mut self.out).map(str::len);
        self.answer(result)
    }

    /// Verifies the token of `len` bytes in the input buffer at `now`, with `leeway` seconds
    /// of tolerance; `refuse_unknown_names` refuses permission and role names the core does
    /// not know. Returns 0 for a good token, or -1 ([`Signer::last_error`]). The input
    /// buffer is decoded in place.
    pub fn verify(&mut self, len: usize, now: f64, leeway: f64, refuse_unknown_names: bool) -> i32 {
        let result = seconds(now).and_then(|now| {
            let mut rules = Rules::at(now).with_leeway(seconds(leeway)?);
            if refuse_unknown_names {
                rules = rules.refusing_unknown_names();
            }
            let token = self.io.get_mut(..len).ok_or(Error::TokenTooLong)?;
            verify_in_place(token, &self.key, &rules).map(|_| 0)
        });
        self.answer(result)
    }
}

impl Signer {
    fn answer(&mut self, result: Result<usize, Error>) -> i32 {
        match result.map(i32::try_from) {
            Ok(Ok(n)) => n,
            Ok(Err(_)) => self.fail(Error::TokenTooLong),
            Err(e) => self.fail(e),
        }
    }

    fn fail(&mut self, error: Error) -> i32 {
        self.error = Some(error);
        -1
    }

    fn sign_from_io(
        &mut self,
        lens: [u32; 3],
        names: u32,
        version_2: bool,
        iat: f64,
        exp: f64,
        write: bool,
    ) -> Result<usize, Error> {
        let mut texts: [Option<&str>; 3] = [None; 3];
        let mut at = 0usize;
        for (text, len) in texts.iter_mut().zip(lens) {
            if len == ABSENT {
                continue;
            }
            let end = at.saturating_add(len as usize);
            let bytes = self.io.get(at..end).ok_or(Error::BadJson)?;
            *text = Some(core::str::from_utf8(bytes).map_err(|_| Error::BadJson)?);
            at = end;
        }
        let [apikey, room_id, participant_id] = texts;
        let parts = Parts::new(names, seconds(iat)?, seconds(exp)?)?;
        let claims = parts.claims(
            apikey.unwrap_or_default(),
            version_2,
            room_id,
            participant_id,
        );
        if !write {
            return token_len(&claims);
        }
        // Room for any claims with strings this long (a bound from their lengths alone), so
        // that signing is the only pass over the claims.
        let room = max_token_len(
            apikey.map_or(0, str::len),
            room_id.map_or(0, str::len),
            participant_id.map_or(0, str::len),
        );
        if self.out.len() < room {
            self.out.resize(room, 0);
        }
        sign(&claims, &self.key, &mut self.out).map(str::len)
    }
}

/// What a failed call reports to JavaScript: the core error's name, a tab, its message
/// (joined without `core::fmt`, which would more than double the module).
fn report(error: Error) -> String {
    let kind = match error {
        Error::InvalidDuration => "InvalidDuration",
        Error::NonPositiveLifetime => "NonPositiveLifetime",
        Error::Expired => "Expired",
        Error::NotYetValid => "NotYetValid",
        Error::BadSignature => "BadSignature",
        Error::WrongAlgorithm => "WrongAlgorithm",
        Error::Malformed => "Malformed",
        Error::BadBase64 => "BadBase64",
        Error::BadJson => "BadJson",
        Error::JsonTooDeep => "JsonTooDeep",
        Error::BadHeader => "BadHeader",
        Error::WrongClaimType => "WrongClaimType",
        // The rest are refusals JavaScript shows by their message alone.
        _ => "Refused",
    };
    let message = error.message();
    let mut text = String::with_capacity(kind.len() + 1 + message.len());
    text.push_str(kind);
    text.push('\t');
    text.push_str(message);
    text
}

/// Permissions and roles packed into one number by JavaScript: bits 0-1 the number of
/// permissions, then 2 bits for each (0 allow_join, 1 ask_join, 2 allow_mod, in
/// `Permission::ALL` order); bits 8-9 the number of roles, then 2 bits for each (0 crawler,
/// 1 rtc). Three permissions or two roles at most: more must repeat a name, which JavaScript
/// reports.
fn unpack<T: Copy, const N: usize>(bits: u32, all: &[T], fill: T) -> ([T; N], usize) {
    let mut out = [fill; N];
    let count = (bits & 3) as usize;
    for (i, slot) in out.iter_mut().enumerate().take(count) {
        let index = (bits >> (2 + 2 * i)) & 3;
        *slot = all.get(index as usize).copied().unwrap_or(fill);
    }
    (out, count.min(N))
}

/// The typed parts of claims given from JavaScript.
struct Parts {
    permissions: [Permission; 3],
    n_permissions: usize,
    roles: [Role; 2],
    n_roles: usize,
    iat: u64,
    exp: u64,
}

impl Parts {
    fn new(names: u32, iat: u64, exp: u64) -> Result<Self, Error> {
        let (permissions, n_permissions) =
            unpack::<Permission, 3>(names, Permission::ALL, Permission::AllowJoin);
        let (roles, n_roles) = unpack::<Role, 2>(names >> 8, Role::ALL, Role::Rtc);
        Ok(Self {
            permissions,
            n_permissions,
            roles,
            n_roles,
            iat,
            exp,
        })
    }

    fn claims<'a>(
        &'a self,
        apikey: &'a str,
        version_2: bool,
        room_id: Option<&'a str>,
        participant_id: Option<&'a str>,
    ) -> Claims<'a> {
        Claims::new(
            apikey,
            self.permissions
                .get(..self.n_permissions)
                .unwrap_or_default(),
            self.iat,
            self.exp,
        )
        .with_version_2_if(version_2)
        .with_optional_room_id(room_id)
        .with_optional_participant_id(participant_id)
        .with_roles(self.roles.get(..self.n_roles).unwrap_or_default())
    }
}

/// `exp` for `expiresIn` given as a string, read as Node's `ms` package reads it, from `iat`.
///
/// # Errors
/// The core's `InvalidDuration`, `NonPositiveLifetime`, `LifetimeOverflow`,
/// `TimeOutOfRange`.
#[wasm_bindgen]
pub fn exp_after(expires_in: &str, iat: f64) -> Result<f64, String> {
    let iat = seconds(iat).map_err(report)?;
    let exp = ExpiresIn::parse(expires_in)
        .and_then(|lifetime| lifetime.exp_after(iat))
        .map_err(report)?;
    // exp <= 2^53 - 1 (the core refuses more), which an f64 holds exactly.
    #[allow(clippy::cast_precision_loss)]
    Ok(exp as f64)
}

/// A whole, non-negative number of seconds from JavaScript (the JS layer checks first; this
/// keeps the boundary honest).
fn seconds(value: f64) -> Result<u64, Error> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    // Whole when the conversion round-trips (`f64::fract` needs std).
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let whole = value as u64;
    #[allow(clippy::cast_precision_loss)]
    if (0.0..=MAX_SAFE).contains(&value) && whole as f64 == value {
        Ok(whole)
    } else {
        Err(Error::TimeOutOfRange)
    }
}

// The module's allocator: single-threaded, as a WebAssembly instance is.
#[cfg(target_arch = "wasm32")]
#[global_allocator]
// SAFETY: a WebAssembly instance without the threads proposal runs on one thread.
static ALLOCATOR: lol_alloc::AssumeSingleThreaded<lol_alloc::FreeListAllocator> =
    unsafe { lol_alloc::AssumeSingleThreaded::new(lol_alloc::FreeListAllocator::new()) };

/// Traps: nothing here panics on purpose (every index is checked), and a trap surfaces in
/// JavaScript as a `RuntimeError`, without formatting code in the module.
#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(_: &core::panic::PanicInfo<'_>) -> ! {
    core::arch::wasm32::unreachable()
}
