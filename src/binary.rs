//! The `videosdk-token` binary for tests that run it as a user does, built once per test
//! process from the current sources.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The path of a freshly built `videosdk-token`.
///
/// # Panics
/// When it does not build.
pub fn videosdk_token() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        escargot::CargoBuild::new()
            .package("videosdk-token")
            .bin("videosdk-token")
            .run()
            .expect("videosdk-token builds")
            .path()
            .to_owned()
    })
}
