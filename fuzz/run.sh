#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 60) and reports the executions; fails,
# pointing at the crashing input, if any target crashes. The test command runs it with 30;
# a long run is `fuzz/run.sh 600` (ten minutes a target).
#
# cargo-fuzz drives libFuzzer, built with AddressSanitizer on a nightly toolchain (installed
# here if missing): the SIMD kernels' raw loads and stores are checked byte for byte, so an
# out-of-bounds read or write inside mapped memory fails the run, besides panics, failed
# assertions, hangs and unbounded allocation.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${1:-60}

# A dated nightly, so that a new nightly cannot change what this run builds.
toolchain=nightly-2026-05-15
rustup toolchain install "$toolchain" --profile minimal --no-self-update >/dev/null
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --locked --version 0.13.2
fi
cargo "+$toolchain" fuzz build -s address -O
echo "fuzz targets built with AddressSanitizer ($toolchain)"

total=0
for target in $(cargo fuzz list); do
    work=$(mktemp -d)
    seeds=()
    if [ -d "corpus/$target" ]; then seeds=("corpus/$target"); fi
    # New inputs go to a scratch folder; the committed seeds are only read. RSS and input
    # sizes are capped so that unbounded allocation counts as a failure.
    if ! cargo "+$toolchain" fuzz run -s address -O "$target" "$work" "${seeds[@]}" -- \
        -max_total_time="$seconds" -rss_limit_mb=512 -max_len=16384 -timeout=5 \
        -print_final_stats=1 >"$work.log" 2>&1; then
        tail -n 40 "$work.log"
        echo "fuzz target $target failed; the input that made it fail is in fuzz/artifacts/$target" >&2
        exit 1
    fi
    runs=$(awk '/stat::number_of_executed_units/ {print $2}' "$work.log")
    echo "$target: $runs executions in ${seconds}s, no failure"
    total=$((total + runs))
    rm -rf "$work" "$work.log"
done
echo "fuzzing: $total executions over every target under AddressSanitizer, no failure"
