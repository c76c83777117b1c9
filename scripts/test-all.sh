#!/usr/bin/env bash
# Runs every test of the project on a fresh machine: installs what the tests need (Rust
# targets, QEMU, the Node packages of the golden generators), then checks formatting, lints
# and docs, the no_std builds, the golden vectors, every test and doctest (the firmware run
# under QEMU among them), every benchmark in criterion's test mode, and a bounded run of
# every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s (at %d s)\n' "$*" "$SECONDS"; }

step "Rust targets for the no_std builds and the firmware"
rustup target add thumbv7em-none-eabihf wasm32-unknown-unknown thumbv6m-none-eabi riscv32imc-unknown-none-elf

step "QEMU for the firmware tests, HAProxy for the replica test, the C toolchains (Arm GCC and newlib, gcc, g++, valgrind, CMake) for the C ABI tests, Chromium for the inspector's browser test"
missing=""
for tool in qemu-system-arm:qemu-system-arm haproxy:haproxy arm-none-eabi-gcc:gcc-arm-none-eabi \
    gcc:gcc g++:g++ valgrind:valgrind cmake:cmake chromium:chromium qemu-x86_64:qemu-user curl:curl; do
    if ! command -v "${tool%%:*}" >/dev/null 2>&1; then missing="$missing ${tool#*:}"; fi
done
if [ ! -f /usr/lib/arm-none-eabi/newlib/thumb/v7e-m+fp/hard/libc_nano.a ]; then
    missing="$missing libnewlib-arm-none-eabi"
fi
if [ -n "$missing" ]; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends $missing
fi
qemu-system-arm --version | sed -n 1p
haproxy -v | sed -n 1p
arm-none-eabi-gcc --version | sed -n 1p
valgrind --version
cmake --version | sed -n 1p
chromium --version 2>/dev/null | sed -n 1p

step "Node packages, each pinned by its package-lock.json: the vector generator's, the WebAssembly package's (jsonwebtoken, fast-check, TypeScript), the Node example server's and the Node bench's (fast-jwt, @node-rs/jsonwebtoken)"
(cd tests/vectors && npm ci --no-audit --no-fund)
(cd wasm && npm ci --no-audit --no-fund)
(cd benches/node-example && npm ci --no-audit --no-fund)
(cd benches/node && npm ci --no-audit --no-fund)

step "Python tools, pinned: the Prometheus parser the metrics test uses, the Kubernetes validator, Playwright (driving the system Chromium)"
python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
    -r tests/requirements.txt

step "deploy/: the Kubernetes manifests against the Kubernetes schema, the HAProxy config"
python3 -m kubernetes_validate --strict deploy/kubernetes/*.yaml
FRONT=127.0.0.1:8000 REPLICA1=127.0.0.1:9001 REPLICA2=127.0.0.1:9002 REPLICA3=127.0.0.1:9003 \
    haproxy -c -f deploy/haproxy.cfg

step "The WebAssembly module and the token inspector built (wasm-bindgen-cli at the Cargo.lock version, cached by version): the npm package's files, and the page the CLI embeds"
./wasm/build.sh

step "Committed golden vectors equal a fresh run of Node jsonwebtoken and Node dotenv"
node tests/vectors/generate.js --check
node tests/vectors/dotenv.js --check

step "Formatting, lints, docs"
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
(cd firmware && cargo fmt --check && cargo clippy --release --locked -- -D warnings)
(cd fuzz && cargo fmt --check)
(cd ffi && cargo fmt --check && cargo clippy --locked --all-targets --features std -- -D warnings \
    && cargo clippy --locked --release --target thumbv7em-none-eabihf -- -D warnings \
    && RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --features std --quiet)
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --quiet

step "The core builds without std: Cortex-M4F, Cortex-M0+ (no atomic compare-and-swap), RISC-V (ESP32-C3 class), wasm32"
for target in thumbv7em-none-eabihf thumbv6m-none-eabi riscv32imc-unknown-none-elf wasm32-unknown-unknown; do
    cargo build -p videosdk-token-core --release --target "$target"
done
step "The WebAssembly crate lints clean for wasm32"
cargo clippy --locked -p videosdk-token-wasm --target wasm32-unknown-unknown -- -D warnings

step "Each feature of the core, alone and together, builds without std and lints clean"
for features in zeroize defmt serde heapless simd zeroize,defmt,serde,heapless,simd; do
    cargo clippy -p videosdk-token-core --release --target thumbv7em-none-eabihf --features "$features" -- -D warnings
done

step "The core and the CLI build with the declared minimum Rust (1.88)"
rustup toolchain install 1.88 --profile minimal
CARGO_TARGET_DIR=target/msrv cargo +1.88 build --locked -p videosdk-token-core -p videosdk-token

step "The static (musl) build the container image uses"
rustup target add x86_64-unknown-linux-musl
if ! command -v musl-gcc >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    $sudo apt-get update
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends musl-tools
fi
CARGO_TARGET_DIR=target/musl cargo build --release --locked --target x86_64-unknown-linux-musl -p videosdk-token
target/musl/x86_64-unknown-linux-musl/release/videosdk-token --version

step "The crates package cleanly: a publish dry run, and no test data or secrets in them"
# A dry run unpacks the packaged crates into cargo's registry cache, and reuses an unpacking
# an earlier dry run left there for the same version as it is: remove ours (never published,
# so nothing else put them there) so that this run checks this checkout's crates.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/videosdk-token-*
cargo publish --dry-run --workspace --quiet
for crate in videosdk-token-core videosdk-token-simd videosdk-token; do
    if cargo package --list -p "$crate" --allow-dirty \
        | grep -Ev '^(\.cargo_vcs_info\.json|Cargo\.(lock|toml|toml\.orig)|LICENSE-(MIT|APACHE)|README\.md|output\.schema\.json|build\.rs|src/([a-z0-9_]+/)?[a-z0-9_]+\.rs)$'; then
        echo "$crate would ship the files listed above" >&2
        exit 1
    fi
done

step "The README's first command, as written there: the CLI signs a token"
main_job=$(sed -n '/^Sign a token (the main job):$/,/^```$/p' README.md | sed -n '/^```sh$/,/^```$/p' | sed '1d;$d')
echo "$main_job"
token=$(bash -c "$main_job")
if ! [[ "$token" =~ ^eyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$ ]]; then
    echo "the README's first command printed no token: $token" >&2
    exit 1
fi

results=$(mktemp)
trap 'rm -f "$results"' EXIT

step "Doctests (the README examples among them)"
cargo test --workspace --doc 2>&1 | tee -a "$results"

step "Unit tests, cross-checks, CLI tests, the C ABI and firmware tests, and every benchmark in test mode"
cargo test --workspace --all-targets 2>&1 | tee -a "$results"

step "The core's whole suite again without the simd feature: the portable code alone"
cargo test -p videosdk-token-core --features serde,heapless,zeroize 2>&1 | tee -a "$results"

step "Every path the CPU can choose: the core, simd and golden tests under emulated CPU models"
# Nehalem has no AVX2 (the portable base64url, sha2's portable SHA-256); Haswell has AVX2 and
# no SHA-NI (the kernels, sha2's portable SHA-256). The machine's own CPU ran them above.
# (QEMU's TCG emulates no SHA-NI, so SHA-NI without AVX2 is covered by its parts: sha2's
# SHA-NI on this machine, the portable base64url on Nehalem.)
for cpu in Nehalem Haswell; do
    portable=""
    if [ "$cpu" = Nehalem ]; then portable=1; fi
    QEMU_CPU=$cpu VIDEOSDK_TOKEN_PORTABLE_CPU=$portable \
        CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUNNER="$PWD/scripts/qemu-cpu.sh" \
        cargo test -p videosdk-token-core -p videosdk-token-simd -p videosdk-token-harness \
        --features videosdk-token-core/simd --lib --test golden -- --show-output 2>&1 | tee -a "$results"
done

step "Miri over the SIMD kernels, their target features enabled (a dated nightly with Miri)"
miri_toolchain=nightly-2026-05-15
rustup toolchain install "$miri_toolchain" --profile minimal -c miri,rust-src --no-self-update >/dev/null
MIRIFLAGS=-Zmiri-disable-isolation RUSTFLAGS="-C target-feature=+avx2,+ssse3,+sse4.1,+popcnt" \
    CARGO_TARGET_DIR=target/miri cargo "+$miri_toolchain" miri test -p videosdk-token-simd 2>&1 \
    | tee -a "$results"

step "Speed gate: on this machine, each accelerated path against the portable code in the same run"
# A slow kernel is slow every time; a busy neighbour is not: three tries before failing.
for try in 1 2 3; do
    cargo bench --bench shapes -- shape/ --warm-up-time 0.5 --measurement-time 1 --noplot >/dev/null
    if python3 benches/gate.py; then break; fi
    if [ "$try" = 3 ]; then exit 1; fi
done
(cd ffi && cargo test --locked --features std) 2>&1 | tee -a "$results"

step "The npm package's tests under node --test, and a short run of its bench"
(cd wasm && node --test test/) 2>&1 | tee -a "$results"
node benches/node/bench.mjs --quick

step "The Python package: its wheel and its sdist built by maturin and installed in a fresh venv, pytest (golden vectors, Node and PyJWT cross-checks), mypy --strict, and the bench against PyJWT"
venv=target/python-venv
rm -rf "$venv" target/python-dist
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r python/requirements-test.txt
# The wheel, and the sdist built and installed the way pip builds one (its Rust build reuses
# the wheel's target directory); the wheel is what the tests then run.
export CARGO_TARGET_DIR="$PWD/target/python"
(cd python && "../$venv/bin/maturin" build --release --locked --quiet -o ../target/python-dist \
    && "../$venv/bin/maturin" sdist -o ../target/python-dist)
PATH="$PWD/$venv/bin:$PATH" "$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
    --no-build-isolation target/python-dist/*.tar.gz
"$venv/bin/python" -c 'import videosdk_token; print("the sdist installs:", videosdk_token.sign("k", ["allow_join"], secret="s" * 32)[:20])'
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps target/python-dist/*.whl
unset CARGO_TARGET_DIR
(cd python/tests && "../../$venv/bin/python" -m pytest -q -p no:cacheprovider .) 2>&1 | tee -a "$results"
(cd python && "../$venv/bin/python" -m mypy --strict --no-incremental videosdk_token tests/typed_usage.py)
# A slow run is a noisy neighbour more often than slow code: three tries before failing.
for try in 1 2 3; do
    if "$venv/bin/python" python/bench/bench.py --quick; then break; fi
    if [ "$try" = 3 ]; then exit 1; fi
done

step "Fuzzing: every target for 30 seconds (a smoke run), from the seed corpus made of the golden vectors"
./fuzz/run.sh 30

step "Summary"
awk '/^test result:/ { passed += $4; failed += $6 } /^# pass / { passed += $3 } /^# fail / { failed += $3 } /^[0-9]+ passed in / { passed += $1 } END { printf "tests: %d passed, %d failed\n", passed, failed }' "$results"
