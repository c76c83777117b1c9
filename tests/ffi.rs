//! The C ABI in `ffi/`: its generated header, a host C program over the golden vectors and the
//! verification table under valgrind and the sanitizers, the README's C example, a CMake
//! build, and C firmware on the Cortex-M4 under QEMU measured against the Rust firmware.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::Duration;

use videosdk_token_harness::figures::{self, Quoted};
use videosdk_token_harness::qemu::{TARGET, measures, panic_symbols, require_tools, run};
use videosdk_token_harness::{c, vectors};

/// The C sign-only image may be at most this much larger than the Rust one: it checks what C
/// hands over (pointers, UTF-8, name values, overlapping buffers), which Rust's types do.
const MAX_C_OVER_RUST_SIGN_ONLY: u64 = 1280;
/// Stack budgets of the C calls (the caller's buffers and structs excluded).
const MAX_C_SIGN_STACK: u64 = 1024;
const MAX_C_VERIFY_STACK: u64 = 1536;

fn root() -> &'static Path {
    videosdk_token_harness::root()
}

fn ffi_dir() -> PathBuf {
    root().join("ffi")
}

fn header() -> PathBuf {
    ffi_dir().join("include/videosdk_token.h")
}

/// A scratch directory under the build's target directory (kept for inspection).
fn work_dir(name: &str) -> PathBuf {
    let dir = root().join("target/ffi-tests").join(name);
    std::fs::create_dir_all(&dir).expect("a work directory");
    dir
}

fn cargo() -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned()));
    command
        .current_dir(ffi_dir())
        .env_remove("RUSTFLAGS")
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .env_remove("CARGO_BUILD_TARGET")
        .env_remove("CARGO_TARGET_DIR");
    command
}

fn succeed(command: &mut Command, what: &str) -> Output {
    let output = command
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot start: {e}"));
    assert!(
        output.status.success(),
        "{what} failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn require(tool: &str, package: &str) {
    let found = Command::new(tool).arg("--version").output();
    assert!(
        found.is_ok_and(|o| o.status.success()),
        "{tool} is missing: install it with `apt-get install {package}` \
         (scripts/test-all.sh does this on a fresh machine)"
    );
}

/// The host library (`--features std`), built once per test process.
fn host_library() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        succeed(
            cargo().args(["build", "--release", "--locked", "--features", "std"]),
            "building the host library",
        );
        ffi_dir().join("target/release/libvideosdk_token.a")
    })
}

/// The no_std staticlib for the Cortex-M4, built once per test process.
fn firmware_library() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        succeed(
            cargo().args([
                "rustc",
                "--release",
                "--locked",
                "--target",
                TARGET,
                "--crate-type",
                "staticlib",
            ]),
            "building the Cortex-M4 library",
        );
        ffi_dir().join(format!("target/{TARGET}/release/libvideosdk_token.a"))
    })
}

/// `vectors.inc`, the golden vectors as C, in `dir`.
fn write_vectors(dir: &Path) {
    std::fs::write(
        dir.join("vectors.inc"),
        c::vectors_include(&vectors::load()),
    )
    .expect("vectors.inc");
}

#[test]
fn the_c_header_is_generated_from_the_ffi_crate() {
    let config =
        cbindgen::Config::from_file(ffi_dir().join("cbindgen.toml")).expect("cbindgen.toml");
    let bindings = cbindgen::Builder::new()
        .with_crate(ffi_dir())
        .with_config(config)
        .generate()
        .expect("cbindgen reads ffi/src");
    let mut fresh = Vec::new();
    bindings.write(&mut fresh);
    let fresh = String::from_utf8(fresh).expect("UTF-8");
    if std::env::var_os("VIDEOSDK_TOKEN_BLESS").is_some() {
        std::fs::write(header(), &fresh).expect("write the header");
    }
    let committed = std::fs::read_to_string(header()).unwrap_or_default();
    assert!(
        committed == fresh,
        "ffi/include/videosdk_token.h is stale: run \
         `VIDEOSDK_TOKEN_BLESS=1 cargo test --test ffi the_c_header` and commit it"
    );
    for needle in [
        "VIDEOSDK_TOKEN_KEY_WORDS",
        "videosdk_token_sign",
        "videosdk_token_verify",
        "Threads:",
    ] {
        assert!(fresh.contains(needle), "the header lacks {needle}");
    }
}

#[test]
fn the_header_compiles_as_strict_c99_and_as_cpp() {
    require("gcc", "gcc");
    require("g++", "g++");
    let dir = work_dir("header");
    let source = dir.join("include.c");
    std::fs::write(
        &source,
        "#include \"videosdk_token.h\"\nint main(void) { return VIDEOSDK_TOKEN_OK; }\n",
    )
    .expect("source");
    let include = ffi_dir().join("include");
    for (compiler, standard, lang) in [
        ("gcc", "-std=c99", "c"),
        ("gcc", "-std=c11", "c"),
        ("g++", "-std=c++11", "c++"),
        ("g++", "-std=c++17", "c++"),
    ] {
        succeed(
            Command::new(compiler)
                .args([
                    standard,
                    "-Wall",
                    "-Wextra",
                    "-Werror",
                    "-pedantic",
                    "-x",
                    lang,
                ])
                .arg("-I")
                .arg(&include)
                .arg("-fsyntax-only")
                .arg(&source),
            &format!("{compiler} {standard} on the header"),
        );
    }
}

/// Builds `ffi/tests/host.c` (and `golden.c`) against the host library with `flags` and runs it (under
/// `wrapper` when given): every vector and verification case, and the hostile calls.
fn host_test(name: &str, flags: &[&str], wrapper: &[&str]) -> String {
    host_test_with(host_library(), name, flags, wrapper)
}

/// [`host_test`] against `library`.
fn host_test_with(library: &Path, name: &str, flags: &[&str], wrapper: &[&str]) -> String {
    require("gcc", "gcc");
    let dir = work_dir(name);
    write_vectors(&dir);
    let program = dir.join("host-test");
    succeed(
        Command::new("gcc")
            .args(["-std=c99", "-Wall", "-Wextra", "-Werror", "-pedantic", "-g"])
            .args(flags)
            .arg("-I")
            .arg(ffi_dir().join("include"))
            .arg("-I")
            .arg(&dir)
            .arg(ffi_dir().join("tests/host.c"))
            .arg(ffi_dir().join("tests/golden.c"))
            .arg(library)
            .args(["-lpthread", "-ldl", "-lm", "-Wl,--gc-sections", "-o"])
            .arg(&program),
        &format!("compiling the host C test ({name})"),
    );
    let mut command = match wrapper.split_first() {
        Some((tool, args)) => {
            let mut c = Command::new(tool);
            c.args(args).arg(&program);
            c
        }
        None => Command::new(&program),
    };
    let output = succeed(&mut command, &format!("the host C test ({name})"));
    let text = String::from_utf8_lossy(&output.stdout).into_owned();
    let doc = vectors::load();
    let expected = format!(
        "vectors {} passed, checks {} passed, hostile calls passed",
        doc.vectors.len(),
        doc.verify.len()
    );
    assert!(
        text.lines().any(|l| l == expected),
        "{name}: expected `{expected}` in:\n{text}"
    );
    eprintln!("{name}: {expected}");
    text
}

/// The no_std x86-64 staticlib with the core's `simd` feature: what ships on x86-64, with the
/// panic handler that cannot be linked, built once per test process.
fn x86_64_no_std_simd_library() -> &'static Path {
    static LIB: OnceLock<PathBuf> = OnceLock::new();
    LIB.get_or_init(|| {
        let target = "x86_64-unknown-linux-gnu";
        succeed(
            cargo().args([
                "rustc",
                "--release",
                "--locked",
                "--features",
                "simd",
                "--target",
                target,
                "--target-dir",
                "target/x86-64-no-std",
                "--crate-type",
                "staticlib",
            ]),
            "building the no_std x86-64 library with simd",
        );
        ffi_dir().join(format!(
            "target/x86-64-no-std/{target}/release/libvideosdk_token.a"
        ))
    })
}

/// The no-panic proof covers what ships on x86-64: the no_std library with the AVX2 kernels
/// links into the host C test with `--gc-sections` (a reachable panic path would leave the
/// panic handler's symbol undefined, and the link would fail), has no panic symbol left, and
/// passes every vector and hostile call.
#[test]
fn x86_64_library_with_simd_has_no_panic_path_and_passes_the_c_test() {
    let output = host_test_with(x86_64_no_std_simd_library(), "x86-64-no-std", &["-O1"], &[]);
    assert!(!output.contains("FAIL"), "{output}");
    let program = root().join("target/ffi-tests/x86-64-no-std/host-test");
    let found = panic_symbols(&program, "videosdk_token_sign");
    assert!(found.is_empty(), "the x86-64 image can panic: {found:#?}");
}

#[test]
fn host_c_test_passes_under_valgrind() {
    require("valgrind", "valgrind");
    let output = host_test(
        "valgrind",
        &["-O1"],
        &[
            "valgrind",
            "--error-exitcode=1",
            "--leak-check=full",
            "--errors-for-leak-kinds=all",
            "--quiet",
        ],
    );
    assert!(!output.contains("FAIL"), "{output}");
}

#[test]
fn host_c_test_passes_under_address_and_undefined_behaviour_sanitizers() {
    let output = host_test(
        "sanitizers",
        &[
            "-O1",
            "-fsanitize=address,undefined",
            "-fno-sanitize-recover=all",
            "-fno-omit-frame-pointer",
        ],
        &[],
    );
    assert!(!output.contains("FAIL"), "{output}");
}

/// The first ```c block of `page` (the README, or the guide's C page).
fn c_example(page: &str) -> String {
    let text = std::fs::read_to_string(root().join(page)).expect(page);
    let block = text
        .split("```c\n")
        .nth(1)
        .and_then(|rest| rest.split("\n```").next())
        .unwrap_or_else(|| panic!("{page} has a ```c block"));
    block.to_owned()
}

#[test]
fn the_readme_c_example_is_the_one_cmake_builds() {
    let file = std::fs::read_to_string(ffi_dir().join("examples/cmake/main.c")).expect("main.c");
    for page in ["README.md", "docs/c.md"] {
        let example = c_example(page);
        assert_eq!(
            example.trim_end(),
            file.trim_end(),
            "{page}'s C example differs from ffi/examples/cmake/main.c"
        );
        let lines = example.lines().count();
        assert!(lines <= 24, "{page}'s C example is {lines} lines");
    }
}

/// `ffi/examples/cmake` configured and built by CMake with `ffi/cmake/videosdk_token.cmake`
/// (which runs cargo), then run: it prints the token the Rust core makes of the same claims.
#[test]
fn cmake_builds_the_c_example_and_it_signs_as_the_core_does() {
    require("cmake", "cmake");
    require("gcc", "gcc");
    let build = work_dir("cmake");
    succeed(
        Command::new("cmake")
            .arg("-S")
            .arg(ffi_dir().join("examples/cmake"))
            .arg("-B")
            .arg(&build)
            .env_remove("CARGO_TARGET_DIR"),
        "cmake configure",
    );
    succeed(
        Command::new("cmake")
            .arg("--build")
            .arg(&build)
            .env_remove("RUSTFLAGS")
            .env_remove("CARGO_TARGET_DIR"),
        "cmake --build",
    );
    let output = succeed(
        &mut Command::new(build.join("sign_example")),
        "the C example",
    );
    let printed = String::from_utf8(output.stdout).expect("UTF-8");

    use videosdk_token_core::{Claims, ExpiresIn, Key, Permission, Role, sign};
    let exp = ExpiresIn::parse("2h")
        .and_then(|e| e.exp_after(1_700_000_000))
        .expect("2h");
    let claims = Claims::new("your-api-key", &[Permission::AllowJoin], 1_700_000_000, exp)
        .with_version_2()
        .with_room_id("abcd-efgh-ijkl")
        .with_roles(&[Role::Rtc]);
    let key = Key::new(b"your-videosdk-secret-0123456789abcdef").expect("secret");
    let mut buf = [0u8; 512];
    let token = sign(&claims, &key, &mut buf).expect("fits");
    assert_eq!(printed, format!("{token}\n"));
}

const ARM_FLAGS: &[&str] = &[
    "-mcpu=cortex-m4",
    "-mthumb",
    "-mfloat-abi=hard",
    "-mfpu=fpv4-sp-d16",
    "-Os",
    "-g",
    "-std=c99",
    "-Wall",
    "-Wextra",
    "-Werror",
    "-ffunction-sections",
    "-fdata-sections",
];

/// Builds a C firmware image from `sources` (in `ffi/examples/firmware/`, plus `extra`) with
/// Debian's `arm-none-eabi-gcc` and newlib, linked against the Cortex-M4 staticlib with
/// `--gc-sections`: a reachable panic path is an undefined symbol, and the link fails.
fn c_image(name: &str, sources: &[&str], extra: &[PathBuf]) -> PathBuf {
    require(
        "arm-none-eabi-gcc",
        "gcc-arm-none-eabi libnewlib-arm-none-eabi",
    );
    let dir = work_dir("firmware");
    write_vectors(&dir);
    let examples = ffi_dir().join("examples/firmware");
    let image = dir.join(name);
    let mut command = Command::new("arm-none-eabi-gcc");
    command
        .args(ARM_FLAGS)
        .arg("-I")
        .arg(ffi_dir().join("include"))
        .arg("-I")
        .arg(ffi_dir().join("tests"))
        .arg("-I")
        .arg(&dir)
        .args(sources.iter().map(|s| examples.join(s)))
        .args(extra)
        .arg(firmware_library())
        .args(["-nostartfiles", "--specs=nano.specs", "--specs=nosys.specs"])
        .arg(format!("-Wl,-T,{}", examples.join("link.ld").display()))
        .args(["-Wl,--gc-sections", "-o"])
        .arg(&image);
    succeed(
        &mut command,
        &format!("linking the C image {name} (a panic path in the library fails this link)"),
    );
    image
}

#[test]
fn c_firmware_signs_and_verifies_every_vector_on_a_cortex_m4_next_to_rust() {
    require_tools();
    let selftest = c_image(
        "c-selftest",
        &["selftest.c", "board.c"],
        &[ffi_dir().join("tests/golden.c")],
    );
    let sign_only = c_image("c-sign-only", &["sign_only.c", "board.c"], &[]);
    for image in [&selftest, &sign_only] {
        let found = panic_symbols(image, "videosdk_token_sign");
        assert!(
            found.is_empty(),
            "{} can panic: {found:#?}",
            image.display()
        );
    }

    let (code, output) = run(&selftest, Duration::from_secs(300));
    assert_eq!(code, 0, "the C self-test failed:\n{output}");
    let doc = vectors::load();
    let summary = format!(
        "vectors {} passed, checks {} passed",
        doc.vectors.len(),
        doc.verify.len()
    );
    assert!(output.lines().any(|l| l == summary), "{output}");
    assert!(!output.contains("FAIL"), "{output}");

    let (code, c_sign_only) = run(&sign_only, Duration::from_secs(60));
    assert_eq!(code, 0, "{c_sign_only}");

    // The Rust images, from the same sources, in the same run.
    let rust = videosdk_token_harness::qemu::build_firmware(None);
    let (code, rust_selftest) = run(&rust.join("selftest"), Duration::from_secs(300));
    assert_eq!(code, 0, "{rust_selftest}");
    let (code, rust_sign_only) = run(&rust.join("sign-only"), Duration::from_secs(60));
    assert_eq!(code, 0, "{rust_sign_only}");
    let (code, rust_verify_only) = run(&rust.join("verify-only"), Duration::from_secs(60));
    assert_eq!(code, 0, "{rust_verify_only}");
    let token = |output: &str| {
        output
            .lines()
            .find_map(|l| l.strip_prefix("token "))
            .map(str::to_owned)
    };
    assert_eq!(
        token(&c_sign_only),
        token(&rust_sign_only),
        "C and Rust sign the example differently"
    );

    let mut m = measures(&output);
    for text in [
        &c_sign_only,
        &rust_selftest,
        &rust_sign_only,
        &rust_verify_only,
    ] {
        m.extend(measures(text));
    }
    let get = |k: &str| *m.get(k).unwrap_or_else(|| panic!("no measure {k}: {m:#?}"));
    println!("| | C | Rust |\n|---|---|---|");
    for (what, c, rust) in [
        (
            "sign-only image flash (bytes)",
            "flash_c_sign_only",
            "flash_sign_only",
        ),
        (
            "self-test image flash (bytes)",
            "c_flash_selftest",
            "flash_selftest",
        ),
        ("stack of one sign (bytes)", "c_stack_sign", "stack_sign"),
        (
            "stack of one verify in place (bytes; Rust: verify-only image, claims unread)",
            "c_stack_verify_in_place",
            "stack_verify_in_place",
        ),
        (
            "stack of one verify, every claim read (bytes; Rust: with scratch)",
            "c_stack_verify_in_place",
            "stack_verify",
        ),
        (
            "instructions, one sign",
            "c_instructions_sign",
            "instructions_sign",
        ),
        (
            "instructions, one verify (C: in place; Rust: with scratch)",
            "c_instructions_verify_in_place",
            "instructions_verify",
        ),
    ] {
        println!("| {what} | {} | {} |", get(c), get(rust));
    }
    // The guide's table is this run's measurement.
    let mut quoted = Vec::new();
    for (row, c, rust) in [
        (
            "flash of the sign-only image",
            Some("flash_c_sign_only"),
            "flash_sign_only",
        ),
        (
            "flash of the self-test image (every vector and case embedded)",
            Some("c_flash_selftest"),
            "flash_selftest",
        ),
        ("stack of one sign", Some("c_stack_sign"), "stack_sign"),
        (
            "stack of one verify, every claim read (C: in place; Rust: with scratch)",
            Some("c_stack_verify_in_place"),
            "stack_verify",
        ),
        (
            "stack of one `verify_in_place` whose claims are not read (Rust verify-only image)",
            None,
            "stack_verify_in_place",
        ),
        (
            "instructions, one sign (308-byte signing input)",
            Some("c_instructions_sign"),
            "instructions_sign",
        ),
        (
            "instructions, one verify (C: in place; Rust: with scratch)",
            Some("c_instructions_verify_in_place"),
            "instructions_verify",
        ),
    ] {
        let page = "docs/c.md";
        if let Some(c) = c {
            quoted.push(Quoted {
                page,
                row,
                column: 1,
                measured: get(c),
            });
        }
        quoted.push(Quoted {
            page,
            row,
            column: 2,
            measured: get(rust),
        });
    }
    figures::check(&quoted);
    assert_eq!(get("c_signing_input_bytes"), get("signing_input_bytes"));
    assert!(
        get("flash_c_sign_only") <= get("flash_sign_only") + MAX_C_OVER_RUST_SIGN_ONLY,
        "the C sign-only image is {} bytes against Rust's {}",
        get("flash_c_sign_only"),
        get("flash_sign_only")
    );
    assert!(
        get("c_stack_sign") <= MAX_C_SIGN_STACK,
        "C sign uses {} bytes of stack",
        get("c_stack_sign")
    );
    assert!(
        get("c_stack_verify_in_place") <= MAX_C_VERIFY_STACK,
        "C verify uses {} bytes of stack",
        get("c_stack_verify_in_place")
    );
}

/// The proof is live: the library built with one reachable panic (an indexing that can fail,
/// compiled in by `--cfg videosdk_token_panic_probe`) does not link into a C program that
/// calls it, and the linker names the panic handler's missing symbol.
#[test]
fn a_panic_path_in_the_library_fails_the_c_link() {
    require(
        "arm-none-eabi-gcc",
        "gcc-arm-none-eabi libnewlib-arm-none-eabi",
    );
    let target_dir = ffi_dir().join("target/panic-probe");
    succeed(
        cargo()
            .args(["rustc", "--release", "--locked", "--target", TARGET])
            .args(["--crate-type", "staticlib", "--target-dir"])
            .arg(&target_dir)
            // RUSTFLAGS replaces the config's flags: keep its sha2 backend.
            .env(
                "RUSTFLAGS",
                "--cfg videosdk_token_panic_probe --cfg sha2_backend_soft=\"compact\"",
            ),
        "building the library with a panic path",
    );
    let dir = work_dir("panic-probe");
    let source = dir.join("probe.c");
    std::fs::write(
        &source,
        "#include <stddef.h>\n#include <stdint.h>\nuint8_t videosdk_token_panic_probe(size_t);\n\
         void reset_handler(void) { for (;;) (void)videosdk_token_panic_probe(7); }\n",
    )
    .expect("source");
    let examples = ffi_dir().join("examples/firmware");
    let output = Command::new("arm-none-eabi-gcc")
        .args(ARM_FLAGS)
        .arg(&source)
        .arg(target_dir.join(TARGET).join("release/libvideosdk_token.a"))
        .args(["-nostartfiles", "--specs=nano.specs", "--specs=nosys.specs"])
        .arg(format!("-Wl,-T,{}", examples.join("link.ld").display()))
        .args(["-Wl,--gc-sections", "-o"])
        .arg(dir.join("probe"))
        .output()
        .expect("arm-none-eabi-gcc runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "a panic path linked:\n{stderr}");
    assert!(
        stderr.contains("undefined reference to `a_panic_path_survived_in_videosdk_token'"),
        "the link failed for another reason:\n{stderr}"
    );
}
