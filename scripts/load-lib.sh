# Shared by the load scripts (sourced): `run NAME PORT` loads http://127.0.0.1:PORT$path with
# wrk for $seconds over $connections, notes requests/s, p50 and p99 and echoes requests/s;
# `wait_for PORT` waits until something answers $path there.
#
# What a script notes goes to standard error and to its record, benches/records/NAME.txt,
# which a run that finishes rewrites with the CPU, the cores and the date: the guide quotes
# no load figure of its own and points there.

record="benches/records/$(basename "$0" .sh).txt"
mkdir -p benches/records
{
    echo "# scripts/$(basename "$0") $*"
    cpu() { grep -m1 "^$1" /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'; }
    echo "# $(cpu 'model name') (family $(cpu 'cpu family'), model $(cpu 'model\s'), stepping $(cpu stepping)), $(nproc) cores, $(date -u +%Y-%m-%d)"
} >"$record.part"

note() { # FORMAT ARGS...
    # shellcheck disable=SC2059
    printf "$@" | tee -a "$record.part" >&2
}

finish_record() {
    mv "$record.part" "$record"
    echo "written: $record" >&2
}

run() { # NAME PORT
    local out
    out=$(wrk -t1 -c"$connections" -d"${seconds}s" --latency "http://127.0.0.1:$2$path")
    local rps p50 p99
    rps=$(awk '/^Requests\/sec/ {print $2}' <<<"$out")
    p50=$(awk '$1 == "50%" {print $2}' <<<"$out")
    p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
    note '%-22s %10s req/s  p50 %8s  p99 %8s\n' "$1" "$rps" "$p50" "$p99"
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
