//! Running Cortex-M4 images under QEMU (the MPS2 AN386 board) and reading what they report:
//! shared by the Rust firmware's tests and the C firmware's over the C ABI.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The Rust target of the images.
pub const TARGET: &str = "thumbv7em-none-eabihf";

/// QEMU's arguments before the image: the board, and `-icount shift=0` so that virtual time
/// counts instructions (one a nanosecond), which the images read through SysTick.
pub const QEMU: &[&str] = &[
    "-cpu",
    "cortex-m4",
    "-machine",
    "mps2-an386",
    "-nographic",
    "-icount",
    "shift=0",
    "-semihosting-config",
    "enable=on,target=native",
    "-kernel",
];

/// Checks that QEMU and the Rust target are installed, naming the fix when they are not.
///
/// # Panics
/// When either is missing.
pub fn require_tools() {
    let qemu = Command::new("qemu-system-arm").arg("--version").output();
    assert!(
        qemu.is_ok_and(|o| o.status.success()),
        "qemu-system-arm is missing: install it with `apt-get install qemu-system-arm` \
         (scripts/test-all.sh does this on a fresh machine)"
    );
    let targets = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output();
    assert!(
        targets.is_ok_and(|o| String::from_utf8_lossy(&o.stdout)
            .lines()
            .any(|t| t == TARGET)),
        "the {TARGET} target is missing: install it with `rustup target add {TARGET}` \
         (scripts/test-all.sh does this on a fresh machine)"
    );
}

/// Runs an image under QEMU, killing it after `limit` (a semihosting program that goes wrong
/// hangs rather than exits); its exit code and standard output.
///
/// # Panics
/// When QEMU cannot start or the image outlives `limit`.
pub fn run(image: &Path, limit: Duration) -> (i32, String) {
    let mut child = Command::new("qemu-system-arm")
        .args(QEMU)
        .arg(image)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qemu starts");
    let mut stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout.read_to_string(&mut text);
        text
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("qemu waits") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!(
                "{} did not finish within {limit:?} under QEMU",
                image.display()
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let text = reader.join().expect("output");
    (status.code().unwrap_or(-1), text)
}

/// The `measure name=value` lines an image printed.
///
/// # Panics
/// When a value is not a number.
#[must_use]
pub fn measures(output: &str) -> BTreeMap<String, u64> {
    output
        .lines()
        .filter_map(|line| line.strip_prefix("measure "))
        .filter_map(|m| m.split_once('='))
        .map(|(k, v)| (k.to_owned(), v.trim().parse().expect("a number")))
        .collect()
}

/// Symbols that exist only where a panic can happen: the panic machinery, the failure paths
/// of slice, string and `Option`/`Result` accessors, and the panic handler itself.
pub const PANIC_SYMBOLS: &[&str] = &[
    "core::panicking",
    "core::slice::index",
    "core::str::slice_error_fail",
    "core::option::unwrap_failed",
    "core::option::expect_failed",
    "core::result::unwrap_failed",
    "rust_begin_unwind",
    "a_panic_path_survived_in_the_firmware",
];

/// The panic-path symbols an ELF image holds, demangled; `expected` is a name the symbol
/// table must hold, to show that it was not stripped.
///
/// # Panics
/// When the image cannot be read, is not ELF, or has no symbol naming `expected`.
#[must_use]
pub fn panic_symbols(image: &Path, expected: &str) -> Vec<String> {
    use object::{Object, ObjectSymbol};
    let bytes = std::fs::read(image).expect("the image");
    let elf = object::File::parse(&*bytes).expect("an ELF file");
    let names: Vec<String> = elf
        .symbols()
        .filter_map(|symbol| {
            symbol
                .name()
                .ok()
                .map(|n| format!("{:#}", rustc_demangle::demangle(n)))
        })
        .collect();
    assert!(
        names.iter().any(|n| n.contains(expected)),
        "{} has no symbol table to check (no symbol names {expected})",
        image.display()
    );
    names
        .into_iter()
        .filter(|n| PANIC_SYMBOLS.iter().any(|p| n.contains(p)))
        .collect()
}

/// The Rust firmware's folder, `firmware/`.
#[must_use]
pub fn firmware_dir() -> PathBuf {
    crate::root().join("firmware")
}

/// Builds every Rust firmware image and returns the folder holding them: with the firmware's
/// own `.cargo/config.toml` (sha2's compact backend), or with `rustflags` in place of the
/// config's (another sha2 backend) into a target directory named `name`.
///
/// # Panics
/// When the firmware does not build (a panic path that survives optimisation fails the link).
#[must_use]
pub fn build_firmware(rustflags: Option<(&str, &str)>) -> PathBuf {
    let dir = firmware_dir();
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command
        .args(["build", "--release", "--locked"])
        // The firmware's config sets its own flags; the caller's must not replace them.
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR");
    let target_dir = match rustflags {
        // RUSTFLAGS replaces the config's target rustflags rather than adding to them.
        Some((name, flags)) => {
            let target_dir = dir.join("target").join(name);
            command
                .env("RUSTFLAGS", flags)
                .arg("--target-dir")
                .arg(&target_dir);
            target_dir
        }
        None => dir.join("target"),
    };
    let status = command.current_dir(&dir).status().expect("cargo runs");
    assert!(
        status.success(),
        "the firmware does not build (a panic path that survives optimisation fails the link)"
    );
    target_dir.join(TARGET).join("release")
}
