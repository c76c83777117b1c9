#!/usr/bin/env bash
# Builds the npm package's module into wasm/pkg: the crate for wasm32 with the `wasm` profile
# (smallest code, no unwinding), then wasm-bindgen's glue for ES modules (`--target web`,
# which loads from bytes in any runtime). (Debian's wasm-opt, binaryen 108, would save 1 KB
# gzipped but breaks wasm-bindgen's externref table, so it is not used.) wasm-bindgen-cli is installed by cargo at exactly the
# version of the wasm-bindgen crate in Cargo.lock, cached by version under
# ${VIDEOSDK_TOKEN_TOOLS:-~/.cache/videosdk-token/tools}.
set -euo pipefail
cd "$(dirname "$0")/.."

version=$(awk '$0 == "name = \"wasm-bindgen\"" { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
tools=${VIDEOSDK_TOKEN_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/videosdk-token/tools}
bindgen="$tools/wasm-bindgen-cli-$version/bin/wasm-bindgen"
if [ ! -x "$bindgen" ]; then
    cargo install wasm-bindgen-cli --version "=$version" --root "$tools/wasm-bindgen-cli-$version"
fi
if [ "$("$bindgen" --version)" != "wasm-bindgen $version" ]; then
    echo "$bindgen is not version $version" >&2
    exit 1
fi

# sha2's compact backend: SHA-256 as a loop rather than 64 unrolled rounds, 6.5 KB less
# module (what keeps it within 24 KiB gzipped).
CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS='--cfg sha2_backend_soft="compact"' \
    cargo build --locked -p videosdk-token-wasm --profile wasm --target wasm32-unknown-unknown
rm -rf wasm/pkg
"$bindgen" --target web --no-typescript --remove-name-section --remove-producers-section \
    --out-dir wasm/pkg \
    target/wasm32-unknown-unknown/wasm/videosdk_token_wasm.wasm
rm -f wasm/pkg/package.json wasm/pkg/.gitignore
ls -l wasm/pkg

# The token inspector's page (inspector/dist, embedded by the CLI's `serve` and `inspect`):
# the same module with wasm-bindgen's classic-script glue.
rm -rf target/inspector-glue
"$bindgen" --target no-modules --no-typescript --remove-name-section --remove-producers-section \
    --out-dir target/inspector-glue target/wasm32-unknown-unknown/wasm/videosdk_token_wasm.wasm
node inspector/bundle.mjs target/inspector-glue/videosdk_token_wasm.js \
    target/inspector-glue/videosdk_token_wasm_bg.wasm
