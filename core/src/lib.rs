#![no_std]
#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![warn(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::unreachable,
    clippy::todo,
    clippy::unimplemented
)]
#![cfg_attr(
    test,
    allow(
        clippy::indexing_slicing,
        clippy::unwrap_used,
        clippy::arithmetic_side_effects
    )
)]

mod accelerated;
mod access;
mod base64url;
mod claims;
mod duration;
mod error;
mod json_reader;
mod json_writer;
mod kept;
mod list;
mod mac;
mod sign;
mod verify;

pub use access::{Join, Refusal};
pub use claims::{Claims, MAX_SAFE_SECONDS, Permission, Role};
pub use duration::ExpiresIn;
pub use error::Error;
#[cfg(feature = "serde")]
pub use sign::sign_claims;
#[cfg(feature = "heapless")]
pub use sign::sign_to_string;
pub use sign::{HEADER, Key, LANES, SIGNATURE_LEN, Signer, max_token_len, sign, token_len};
pub use verify::{
    DEFAULT_MAX_TOKEN_LEN, MAX_UNKNOWN_NAMES, Rules, TokenClaims, VerifiedClaims, dangerous,
    scratch_len, verify, verify_in_place,
};
