//! The WebAssembly half of the `videosdk-token` npm package (`wasm/js/` is the other): the
//! core's signer and verifier behind a small `wasm-bindgen` surface. Times, options and the
//! shape of `jsonwebtoken`'s API live in JavaScript; keying, JSON writing, base64url and
//! HMAC-SHA256 live here.
#![cfg_attr(target_arch = "wasm32", no_std)]
#![allow(unsafe_code)] // wasm-bindgen's generated glue, and the allocator below.

extern crate alloc;

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use videosdk_token_core::{
    Claims, Error, ExpiresIn, Key, Permission, Role, Rules, dangerous, sign, token_len,
    verify_in_place,
};
use wasm_bindgen::prelude::wasm_bindgen;

/// A secret keyed into HMAC-SHA256 once: JavaScript's `createSigner`.
#[wasm_bindgen]
pub struct Signer {
    key: Key,
    out: Vec<u8>,
    scratch: Vec<u8>,
}

/// What a failed call reports to JavaScript: the core error's name, a tab, its message
/// (joined without `core::fmt`, which would more than double the module).
fn report(error: Error) -> String {
    let kind = match error {
        Error::InvalidDuration => "InvalidDuration",
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

/// The names JavaScript passes, by index into `Permission::ALL` / `Role::ALL` order (0
/// allow_join, 1 ask_join, 2 allow_mod; 0 crawler, 1 rtc); JavaScript checks the names, so an
/// index out of range is read as the first. `None` when there are more than `N`.
fn names<T: Copy, const N: usize>(values: &[u8], all: &[T], fill: T) -> Option<([T; N], usize)> {
    let mut out = [fill; N];
    if values.len() > N {
        return None;
    }
    for (slot, &v) in out.iter_mut().zip(values) {
        *slot = all.get(usize::from(v)).copied().unwrap_or(fill);
    }
    Some((out, values.len()))
}

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
            out: Vec::new(),
            scratch: Vec::new(),
        })
    }

    /// Signs claims given field by field, written in the contract's key order.
    ///
    /// # Errors
    /// The core's claim errors, or `BadName` for a name index out of range.
    #[allow(clippy::too_many_arguments)]
    pub fn sign(
        &mut self,
        apikey: &str,
        permissions: &[u8],
        version_2: bool,
        room_id: Option<String>,
        participant_id: Option<String>,
        roles: &[u8],
        iat: f64,
        exp: f64,
    ) -> Result<String, String> {
        let parts = Parts::new(permissions, roles, iat, exp)?;
        let claims = parts.claims(
            apikey,
            version_2,
            room_id.as_deref(),
            participant_id.as_deref(),
        );
        let len = token_len(&claims).map_err(report)?;
        if self.out.len() < len {
            self.out.resize(len, 0);
        }
        let out = self.out.get_mut(..len).unwrap_or_default();
        sign(&claims, &self.key, out)
            .map(str::to_owned)
            .map_err(report)
    }

    /// Signs a payload serialized by JavaScript (`JSON.stringify`), as it is.
    ///
    /// # Errors
    /// None in practice: the buffer is sized to fit.
    pub fn sign_json(&mut self, json: &str) -> Result<String, String> {
        // Header, two dots, the payload's base64url and the signature.
        let len = 37 + json.len().div_ceil(3) * 4 + 1 + 43;
        if self.out.len() < len {
            self.out.resize(len, 0);
        }
        dangerous::sign_json(json.as_bytes(), &self.key, &mut self.out)
            .map(str::to_owned)
            .map_err(report)
    }

    /// Verifies `token` at `now` with `leeway` seconds of tolerance; `refuse_unknown_names`
    /// refuses permission and role names the core does not know. Returns nothing when the
    /// token is good, otherwise the error's name and message.
    pub fn verify(
        &mut self,
        token: &str,
        now: f64,
        leeway: f64,
        refuse_unknown_names: bool,
    ) -> Option<String> {
        let (now, leeway) = match (seconds(now), seconds(leeway)) {
            (Ok(now), Ok(leeway)) => (now, leeway),
            (Err(e), _) | (_, Err(e)) => return Some(e),
        };
        let mut rules = Rules::at(now).with_leeway(leeway);
        if refuse_unknown_names {
            rules = rules.refusing_unknown_names();
        }
        self.scratch.clear();
        self.scratch.extend_from_slice(token.as_bytes());
        verify_in_place(&mut self.scratch, &self.key, &rules)
            .err()
            .map(report)
    }
}

/// Checks claims given field by field as [`Signer::sign`] would, without signing: for a payload
/// that JavaScript serializes itself.
///
/// # Errors
/// As [`Signer::sign`].
#[wasm_bindgen]
#[allow(clippy::too_many_arguments)]
pub fn check_claims(
    apikey: &str,
    permissions: &[u8],
    version_2: bool,
    room_id: Option<String>,
    participant_id: Option<String>,
    roles: &[u8],
    iat: f64,
    exp: f64,
) -> Result<(), String> {
    let parts = Parts::new(permissions, roles, iat, exp)?;
    let claims = parts.claims(
        apikey,
        version_2,
        room_id.as_deref(),
        participant_id.as_deref(),
    );
    token_len(&claims).map(|_| ()).map_err(report)
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
    fn new(permissions: &[u8], roles: &[u8], iat: f64, exp: f64) -> Result<Self, String> {
        // More names than there are distinct ones must repeat one.
        let (permissions, n_permissions) =
            names::<Permission, 3>(permissions, Permission::ALL, Permission::AllowJoin)
                .ok_or_else(|| report(Error::DuplicatePermission))?;
        let (roles, n_roles) = names::<Role, 2>(roles, Role::ALL, Role::Rtc)
            .ok_or_else(|| report(Error::DuplicateRole))?;
        Ok(Self {
            permissions,
            n_permissions,
            roles,
            n_roles,
            iat: seconds(iat)?,
            exp: seconds(exp)?,
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
    let iat = seconds(iat)?;
    let exp = ExpiresIn::parse(expires_in)
        .and_then(|lifetime| lifetime.exp_after(iat))
        .map_err(report)?;
    // exp <= 2^53 - 1 (the core refuses more), which an f64 holds exactly.
    #[allow(clippy::cast_precision_loss)]
    Ok(exp as f64)
}

/// A whole, non-negative number of seconds from JavaScript (the JS layer checks first; this
/// keeps the boundary honest).
fn seconds(value: f64) -> Result<u64, String> {
    const MAX_SAFE: f64 = 9_007_199_254_740_991.0;
    // Whole when the conversion round-trips (`f64::fract` needs std).
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let whole = value as u64;
    #[allow(clippy::cast_precision_loss)]
    if (0.0..=MAX_SAFE).contains(&value) && whole as f64 == value {
        Ok(whole)
    } else {
        Err(report(Error::TimeOutOfRange))
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
