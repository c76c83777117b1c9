//! The firmware in `firmware/`, built for a Cortex-M4 and run under QEMU: every golden vector
//! signed and verified on the device, its output diffed against `firmware/expected-output.txt`,
//! and the flash, stack and instruction budgets checked.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use videosdk_token_core::{Key, sign};
use videosdk_token_harness::example;
use videosdk_token_harness::figures::{self, Quoted};
use videosdk_token_harness::qemu::{
    build_firmware as build_with, firmware_dir, measures, panic_symbols, require_tools, run,
};

fn build() -> PathBuf {
    build_with(None)
}

/// Budgets from the firmware issue, checked on every run.
const MAX_SIGN_ONLY_FLASH: u64 = 12 * 1024;
const MAX_SIGN_STACK: u64 = 1024;
const MAX_SIGN_OVER_FLOOR_PERMILLE: u64 = 1300;
const MAX_VERIFY_ONLY_FLASH: u64 = 16 * 1024;
const MAX_VERIFY_IN_PLACE_STACK: u64 = 1024;

/// Every image (the one that only signs, the one that only verifies in place, and the
/// self-test that does both) holds no panic path: checked on their symbol tables, whatever
/// the panic handler does.
#[test]
fn no_firmware_image_holds_a_panic_path() {
    require_tools();
    let release = build();
    for image in ["sign-only", "verify-only", "selftest"] {
        let found = panic_symbols(&release.join(image), "videosdk_token_core");
        assert!(found.is_empty(), "{image} can panic: {found:#?}");
    }
}

#[test]
fn firmware_signs_and_verifies_every_vector_within_budget_on_a_cortex_m4() {
    require_tools();
    let release = build();

    let (code, output) = run(&release.join("selftest"), Duration::from_secs(300));
    let lines: Vec<&str> = output
        .lines()
        .filter(|l| !l.starts_with("measure "))
        .collect();
    let expected = std::fs::read_to_string(firmware_dir().join("expected-output.txt"))
        .expect("expected output");
    let expected: Vec<&str> = expected.lines().collect();
    for (got, want) in lines.iter().zip(&expected) {
        assert_eq!(
            got, want,
            "firmware output differs from firmware/expected-output.txt"
        );
    }
    assert_eq!(
        lines.len(),
        expected.len(),
        "firmware output has a different number of lines:\n{output}"
    );
    assert_eq!(code, 0, "the self-test failed:\n{output}");

    let (code, sign_only) = run(&release.join("sign-only"), Duration::from_secs(60));
    assert_eq!(code, 0, "{sign_only}");
    // The device's token is the host's token.
    let claims = example::claims(1_700_000_000, 1_700_007_200);
    let key = Key::new(example::SECRET).expect("secret");
    let mut buf = [0u8; 512];
    let host_token = sign(&claims, &key, &mut buf).expect("fits");
    assert!(
        sign_only
            .lines()
            .any(|l| l == format!("token {host_token}")),
        "{sign_only}"
    );

    let (code, verify_only) = run(&release.join("verify-only"), Duration::from_secs(60));
    assert_eq!(code, 0, "{verify_only}");
    assert!(
        verify_only.lines().any(|l| l == "verified exp=1700007200"),
        "{verify_only}"
    );

    let mut m = measures(&output);
    m.extend(measures(&sign_only));
    m.extend(measures(&verify_only));
    println!("firmware measurements: {m:#?}");
    let get = |k: &str| {
        *m.get(k)
            .unwrap_or_else(|| panic!("no measure {k}:\n{output}"))
    };
    assert_eq!(get("signing_input_bytes"), 308);
    // Constant time, counted rather than timed: QEMU's instruction count is exact, and a
    // signature wrong in its first byte must cost what one wrong in its last byte costs (an
    // early-exit comparison differs by about 240 instructions here).
    let (first, last) = (
        get("instructions_bad_mac_first_byte"),
        get("instructions_bad_mac_last_byte"),
    );
    assert!(
        first.abs_diff(last) <= 2,
        "the MAC comparison is not constant time: {first} vs {last} instructions"
    );
    assert!(
        get("flash_sign_only") <= MAX_SIGN_ONLY_FLASH,
        "sign-only image is {} bytes of flash",
        get("flash_sign_only")
    );
    assert!(
        get("flash_verify_only") <= MAX_VERIFY_ONLY_FLASH,
        "verify-only image is {} bytes of flash",
        get("flash_verify_only")
    );
    assert!(
        get("stack_verify_in_place") <= MAX_VERIFY_IN_PLACE_STACK,
        "verify_in_place uses {} bytes of stack",
        get("stack_verify_in_place")
    );
    assert!(
        get("stack_sign") <= MAX_SIGN_STACK,
        "sign uses {} bytes of stack",
        get("stack_sign")
    );
    assert!(
        get("sign_over_floor_permille") <= MAX_SIGN_OVER_FLOOR_PERMILLE,
        "sign takes {} instructions against the HMAC floor's {}",
        get("instructions_sign"),
        get("instructions_hmac_floor")
    );

    // The guide's table is this run's measurement.
    let page = "docs/firmware.md";
    let quoted = |row, measured| Quoted {
        page,
        row,
        column: 1,
        measured,
    };
    figures::check(&[
        quoted(
            "flash of a sign-only image (text + rodata + data)",
            get("flash_sign_only"),
        ),
        quoted(
            "flash of a verify-only image (`verify_in_place`)",
            get("flash_verify_only"),
        ),
        quoted(
            "stack of one `sign` (output buffer excluded)",
            get("stack_sign"),
        ),
        quoted(
            "stack of one `verify_in_place` (token buffer excluded, verify-only image)",
            get("stack_verify_in_place"),
        ),
        quoted(
            "stack of one `verify` (scratch excluded, self-test image)",
            get("stack_verify"),
        ),
        quoted("instructions, one `sign`", get("instructions_sign")),
        quoted(
            "instructions, HMAC-SHA256 alone over the same input",
            get("instructions_hmac_floor"),
        ),
        quoted("`sign` / HMAC floor", get("sign_over_floor_permille")),
        quoted("instructions, one `verify`", get("instructions_verify")),
        quoted(
            "`verify` / HMAC floor",
            get("instructions_verify") * 1000 / get("instructions_hmac_floor"),
        ),
        quoted(
            "instructions, `verify` of a signature wrong in its first byte / in its last byte",
            first,
        ),
    ]);
}

/// The same measurements with sha2's unrolled backend instead of the compact one: absolute
/// instruction counts for both, because choosing the compact backend lowers the ratio to the
/// HMAC floor by raising the floor. Printed (`-- --nocapture`) for the README's table; the
/// test holds only that both backends sign and verify every vector and that unrolling is
/// faster and larger.
#[test]
fn both_sha2_backends_are_measured() {
    require_tools();
    let compact = build();
    let unrolled = build_with(Some(("unrolled", "-C link-arg=-Tlink.x")));
    let mut measured = BTreeMap::new();
    for (name, release) in [("compact", &compact), ("unrolled", &unrolled)] {
        let (code, output) = run(&release.join("selftest"), Duration::from_secs(300));
        assert_eq!(code, 0, "{name}: {output}");
        let (code, sign_only) = run(&release.join("sign-only"), Duration::from_secs(60));
        assert_eq!(code, 0, "{name}: {sign_only}");
        let mut m = measures(&output);
        m.extend(measures(&sign_only));
        println!("sha2 {name} backend: {m:#?}");
        measured.insert(name, m);
    }
    let get = |backend: &str, key: &str| measured[backend][key];
    let mut quoted = Vec::new();
    for (row, backend) in [
        ("compact (the default here)", "compact"),
        ("unrolled", "unrolled"),
    ] {
        for (column, key) in [
            "flash_sign_only",
            "instructions_hmac_floor",
            "instructions_sign",
            "instructions_verify",
        ]
        .into_iter()
        .enumerate()
        {
            quoted.push(Quoted {
                page: "docs/firmware.md",
                row,
                column: column + 1,
                measured: get(backend, key),
            });
        }
    }
    figures::check(&quoted);
    assert!(get("unrolled", "instructions_hmac_floor") < get("compact", "instructions_hmac_floor"));
    assert!(get("unrolled", "instructions_sign") < get("compact", "instructions_sign"));
    assert!(get("unrolled", "flash_sign_only") > get("compact", "flash_sign_only"));
}
