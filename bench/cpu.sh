#!/usr/bin/env bash
# CPU time per client-credentials token, builds alternated: a comparison of Signet builds that a noisy
# host disturbs less than a throughput run. Each build serves in turn on CPU 0 (a fresh process on one
# seeded directory, a 3,000-request warm-up); oha sends N requests at c=32 from CPU 1; the CPU time of
# all the server's threads (/proc/PID/task/*/schedstat) is divided by the number of 200 responses.
#
# usage: bench/cpu.sh REQUESTS ROUNDS SIGNET_BINARY...
# Needs jq; run bench/setup.sh once first (it installs oha).
set -euo pipefail

(($# >= 3)) || { echo "usage: $0 REQUESTS ROUNDS SIGNET_BINARY..." >&2; exit 2; }
requests=$1 rounds=$2
shift 2
source "$(dirname "$0")/lib.sh"
port=${BENCH_PORT:-8093}
work=$(mktemp -d /tmp/signet-cpu.XXXXXX)
eval "$("$repo/bench/seed-daemon.sh" "$1" "$work")"
url="http://127.0.0.1:$port$TOKEN_PATH"

load() { taskset -c 1 "$oha" -n "$1" -c 32 --no-tui --output-format json -m POST \
    -T application/x-www-form-urlencoded -d "$BODY" "$url"; }
cpu_ns() {
    local total=0 ran
    for stat in /proc/"$1"/task/*/schedstat; do read -r ran _ <"$stat"; total=$((total + ran)); done
    echo "$total"
}

for round in $(seq "$rounds"); do
    for signet in "$@"; do
        RUST_LOG=warn SIGNET_DATABASE_URL=$DATABASE_URL SIGNET_KEY_FILE=$KEY_FILE \
            taskset -c 0 "$signet" serve --listen "127.0.0.1:$port" >"$work/server.log" 2>&1 &
        pid=$!
        for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
        load 3000 >/dev/null
        before=$(cpu_ns "$pid")
        load "$requests" >"$work/oha.json"
        after=$(cpu_ns "$pid")
        kill "$pid"
        wait "$pid" || true
        ok=$(jq '.statusCodeDistribution["200"] // 0' "$work/oha.json")
        ((ok > 0)) || { echo "no 200 responses from $signet; see $work/server.log" >&2; exit 1; }
        jq -r --arg build "$signet" --arg round "$round" --argjson ns $((after - before)) --argjson ok "$ok" \
            '"round \($round) \($build): cpu_us_per_token=\($ns / $ok / 1000 * 100 | round / 100) ok=\($ok) rps=\(.summary.requestsPerSec | round) p50_ms=\(.latencyPercentiles.p50 * 100000 | round / 100) p99_ms=\(.latencyPercentiles.p99 * 100000 | round / 100)"' \
            "$work/oha.json"
    done
done
