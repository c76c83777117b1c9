//! The `unsafe` SIMD kernels behind `videosdk-token-core`'s `simd` feature, kept out of the
//! core so that it stays `forbid(unsafe_code)` and portable.
//!
//! - [`base64url`]: AVX2 encoding and decoding of whole blocks, chosen at run time; the core
//!   does what is left (the tail, canonical checks) with its portable code. Also sealing a
//!   token: its signature's characters made and checked in registers, then stored.
//! - [`json`]: JSON string escaping, and unescaping in place, with SSSE3, 16 bytes at a time.
//! - [`utf8`]: UTF-8 validation by simdutf8's AVX2 kernel, chosen at run time.
//! - [`lanes`]: HMAC-SHA256 of up to four messages at once, their SHA-NI compressions
//!   interleaved, for signing many tokens.
//! - [`token`]: a token's claims JSON encoded to base64url in place (AVX2) while the signing
//!   input's HMAC-SHA256 is computed (SHA-NI), the encoding in the shadow of the rounds.
//!
//! On CPUs without the instructions (and on every other architecture) each kernel reports
//! that it did nothing, and the caller's portable code does all of the work. Every kernel is
//! checked against a portable implementation by property tests here and by a fuzz target.

#![no_std]
#![allow(
    unsafe_code,
    reason = "SIMD intrinsics and raw loads and stores are the point of this crate"
)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]

pub mod base64url;
pub mod json;
pub mod lanes;
mod sha_ni;
#[cfg(test)]
mod testing;
pub mod token;
pub mod utf8;
