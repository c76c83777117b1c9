//! Test and benchmark harness of the workspace (not published). Its crate docs are the
//! README, and the guide's pages are doc comments of items built only for doctests, so the
//! Rust examples of both run as doctests; [`vectors`] reads the golden vectors that Node's
//! `jsonwebtoken` made.
#![doc = include_str!("../README.md")]

/// The guide's pages, whose Rust examples run as doctests.
#[cfg(doctest)]
pub mod guide {
    #[doc = include_str!("../docs/cli.md")]
    pub struct Cli;
    #[doc = include_str!("../docs/serve.md")]
    pub struct Serve;
    #[doc = include_str!("../docs/core.md")]
    pub struct Core;
    #[doc = include_str!("../docs/firmware.md")]
    pub struct Firmware;
    #[doc = include_str!("../docs/c.md")]
    pub struct C;
    #[doc = include_str!("../docs/javascript.md")]
    pub struct JavaScript;
    #[doc = include_str!("../docs/inspector.md")]
    pub struct Inspector;
    #[doc = include_str!("../docs/security.md")]
    pub struct Security;
    #[doc = include_str!("../docs/performance.md")]
    pub struct Performance;
}

/// The repository's root, where the tests, benches, docs and the other crates are (the
/// harness's manifest is in `harness/`).
///
/// # Panics
/// Never: `harness/` has a parent.
pub fn root() -> &'static std::path::Path {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("harness/ is in the repository")
}

pub mod binary;
pub mod c;
pub mod example;
pub mod figures;
pub mod qemu;
pub mod reference;
pub mod strategies;
pub mod vectors;
