#!/usr/bin/env bash
# Loads the Node example server (benches/node-example/server.js: express, jsonwebtoken) and the
# same server with one line changed to require this repository's WebAssembly package
# (benches/node-example/make-swapped.mjs), with the same generator, one after the other:
# GET /get-token?roomId=…&peerId=…. Prints requests/s, p50 and p99 for each, and the ratio.
#   scripts/load-node-swap.sh [SECONDS] [CONNECTIONS]    (default 10 s, 64 connections)
# Not part of the test command: it is a measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}
path='/get-token?roomId=abcd-efgh-ijkl&peerId=alice'
export VIDEOSDK_API_KEY=load-api-key VIDEOSDK_SECRET_KEY=load-secret-0123456789abcdef-0123456789

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
(cd benches/node-example && npm ci --no-audit --no-fund >/dev/null && node make-swapped.mjs >&2)
[ -f wasm/pkg/videosdk_token_wasm_bg.wasm ] || ./wasm/build.sh >&2

# shellcheck source=scripts/load-lib.sh
source scripts/load-lib.sh

PORT=19011 node benches/node-example/server.js >/dev/null &
original=$!
PORT=19012 node benches/node-example/server-swapped.cjs >/dev/null &
swapped=$!
trap 'kill $original $swapped 2>/dev/null || true' EXIT
wait_for 19011
wait_for 19012
original_rps=$(run jsonwebtoken 19011)
swapped_rps=$(run wasm 19012)
note '%s\n' "$(awk -v a="$swapped_rps" -v b="$original_rps" 'BEGIN { printf "wasm / jsonwebtoken: %.1fx", a / b }')"
finish_record
