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
mod bytes;
mod claims;
pub mod dangerous;
mod duration;
mod error;
mod json_reader;
mod json_writer;
mod list;
mod mac;
mod rules;
mod sign;
mod token_claims;
mod verify;

pub use access::{Join, Refusal};
pub use claims::{Claims, Permission, Role};
pub use duration::{ExpiresIn, MAX_SAFE_SECONDS};
pub use error::Error;
pub use mac::Key;
pub use rules::{DEFAULT_MAX_TOKEN_LEN, Rules};
#[cfg(feature = "serde")]
pub use sign::sign_claims;
#[cfg(feature = "heapless")]
pub use sign::sign_to_string;
pub use sign::{HEADER, SIGNATURE_LEN, max_token_len, sign, token_len};
pub use token_claims::{MAX_UNKNOWN_NAMES, TokenClaims, VerifiedClaims};
pub use verify::{scratch_len, verify, verify_in_place};
