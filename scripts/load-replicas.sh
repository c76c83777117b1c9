#!/usr/bin/env bash
# Loads one `serve` replica directly, then three replicas through HAProxy (deploy/haproxy.cfg),
# with the same generator in one run: GET /get-token?roomId=…&peerId=…. Prints requests/s and
# p99 for each. On one 2-core machine the replicas share the cores with HAProxy and wrk, so
# this shows the balancer's cost, not the scale-out a machine per replica gives.
#   scripts/load-replicas.sh [SECONDS] [CONNECTIONS]    (default 10 s, 64 connections)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}
connections=${2:-64}
path='/get-token?roomId=abcd-efgh-ijkl&peerId=alice'
export VIDEOSDK_API_KEY=load-api-key VIDEOSDK_SECRET_KEY=load-secret-0123456789abcdef-0123456789
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 2; }
command -v haproxy >/dev/null || { echo "haproxy is missing: apt-get install haproxy" >&2; exit 2; }
cargo build --release -q -p videosdk-token

# shellcheck source=scripts/load-lib.sh
source scripts/load-lib.sh

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
for port in 19101 19102 19103; do
    target/release/videosdk-token serve --listen "127.0.0.1:$port" --quiet 2>/dev/null &
    pids+=($!)
done
FRONT=127.0.0.1:19100 REPLICA1=127.0.0.1:19101 REPLICA2=127.0.0.1:19102 REPLICA3=127.0.0.1:19103 \
    haproxy -db -f deploy/haproxy.cfg >/dev/null 2>&1 &
pids+=($!)
sleep 2

run "one replica, direct" 19101 >/dev/null
run "3 replicas, HAProxy" 19100 >/dev/null
finish_record
