#!/usr/bin/env bash
# Loads `videosdk-token serve`, a bare axum handler answering the same bytes (host/examples/
# bare_axum.rs: the anchor, what the HTTP stack alone costs) and a Node server built like
# VideoSDK's example (benches/node-example, pinned by its lockfile) with the same generator,
# on this machine, one after the other: GET /get-token?roomId=…&peerId=…, the request a
# frontend sends. Notes requests/s, p50 and p99 for each, and serve's ratio to the other two.
#   scripts/load-serve.sh [SECONDS] [CONNECTIONS]    (default 10 s, 64 connections)
# serve and the bare handler are loaded three times each, in turn; the ratio is of medians.
# Not part of the test command: it is a measurement, and takes a minute.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}
path='/get-token?roomId=abcd-efgh-ijkl&peerId=alice'
export VIDEOSDK_API_KEY=load-api-key VIDEOSDK_SECRET_KEY=load-secret-0123456789abcdef-0123456789

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
(cd benches/node-example && npm ci --no-audit --no-fund >/dev/null)
cargo build --release -q -p videosdk-token
cargo build --release -q -p videosdk-token --example bare_axum

# shellcheck source=scripts/load-lib.sh
source scripts/load-lib.sh

answer=$(mktemp)
target/release/videosdk-token serve --listen 127.0.0.1:19000 --quiet --rate-limit 1000000/s &
ours=$!
PORT=19001 node benches/node-example/server.js >/dev/null &
node=$!
trap 'kill $ours $node ${bare:-} 2>/dev/null || true; rm -f "$answer"' EXIT
wait_for 19000
curl -sf "http://127.0.0.1:19000$path" >"$answer"
target/release/examples/bare_axum 19002 "$answer" &
bare=$!
wait_for 19001
wait_for 19002
# serve and the bare handler in turn, three rounds each: a neighbour's burst or a change of
# clock then touches both, and the ratio is of their medians.
serve_all=() bare_all=()
for round in 1 2 3; do
    serve_all+=("$(run "serve (round $round)" 19000)")
    bare_all+=("$(run "bare axum (round $round)" 19002)")
done
median() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
ours_rps=$(median "${serve_all[@]}")
bare_rps=$(median "${bare_all[@]}")
note 'median of 3: serve %s req/s, bare axum %s req/s\n' "$ours_rps" "$bare_rps"
node_rps=$(run node 19001)
note '%s\n' "$(awk -v a="$ours_rps" -v b="$bare_rps" 'BEGIN { printf "serve / bare axum: %.2fx", a / b }')"
note '%s\n' "$(awk -v a="$ours_rps" -v b="$node_rps" 'BEGIN { printf "serve / node: %.1fx", a / b }')"
finish_record
