# Shared by the load scripts (sourced): `run NAME PORT` loads http://127.0.0.1:PORT$path with
# wrk for $seconds over $connections, prints requests/s, p50 and p99 and echoes requests/s;
# `wait_for PORT` waits until something answers $path there.

run() { # NAME PORT
    local out
    out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$2$path")
    local rps p50 p99
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    printf '%-12s %10s req/s  p50 %8s  p99 %8s\n' "$1" "$rps" "$p50" "$p99" >&2
    echo "$rps"
}

wait_for() { # PORT
    for _ in $(seq 100); do
        curl -sf "http://127.0.0.1:$1$path" >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "nothing answers on port $1" >&2
    return 1
}
