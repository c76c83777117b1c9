//! The `unsafe` SIMD kernels behind `videosdk-token-core`'s `simd` feature, kept out of the
//! core so that it stays `forbid(unsafe_code)` and portable.
//!
//! One step of signing and verifying is accelerated: base64url, whose AVX2 kernels
//! ([`base64url`]) encode a token's claims in place and decode its segments, a whole number
//! of blocks each; the core's portable code does the rest of each (the tail, the canonical
//! checks). Each kernel is chosen at run time: on CPUs without AVX2, on every other
//! architecture, and after [`set_enabled`]`(false)`, it reports that it did nothing.
//! Property tests here and the `simd_kernels` fuzz target check every kernel against a
//! portable reference, and the project's test command fails when a kernel is much slower
//! than the portable code on the machine it runs on.

#![no_std]
#![allow(
    unsafe_code,
    reason = "SIMD intrinsics and raw loads and stores are the point of this crate"
)]
#![deny(unsafe_op_in_unsafe_fn, clippy::undocumented_unsafe_blocks)]
#![warn(
    clippy::panic,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]
#![cfg_attr(test, allow(clippy::indexing_slicing, clippy::unwrap_used))]

use core::sync::atomic::{AtomicBool, Ordering};

pub mod base64url;

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Switches every kernel on (the default) or off for the whole process: off, each reports
/// that it did nothing and the core's portable code does all of the work. For comparing the
/// two on one machine (the project's speed check and tests do), and for an application that
/// wants the portable code alone.
pub fn set_enabled(on: bool) {
    ENABLED.store(on, Ordering::Relaxed);
}

/// Whether the kernels are switched on ([`set_enabled`]); they run only where the CPU also
/// has their instructions.
#[must_use]
pub fn enabled() -> bool {
    ENABLED.load(Ordering::Relaxed)
}
