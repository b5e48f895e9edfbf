# Shared by the benchmark scripts: where things are, and how one server is started and loaded.
# Every server runs alone, on CPU 0 with all its threads; the load generator runs on CPU 1.

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
bench_home=${BENCH_HOME:-/tmp/signet-bench}
target=${CARGO_TARGET_DIR:-$repo/target}
signet=$target/release/signet
limit_server=$target/release/examples/limit_server
oha=$bench_home/tools/bin/oha
unset SIGNET_BENCH_PORT # signet refuses SIGNET_* variables it does not know, and children inherit it

[[ -x $oha ]] || { echo "run bench/setup.sh first" >&2; exit 1; }

# start_pinned LOG COMMAND...: starts COMMAND on CPU 0 and sets $server_pid.
start_pinned() {
    local log=$1
    shift
    taskset -c 0 "$@" >"$log" 2>&1 &
    server_pid=$!
}

# stop_server: stops the server start_pinned started.
stop_server() {
    [[ -n ${server_pid:-} ]] || return 0
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
}

# wait_for_token URL BODY: waits (up to 30 s) until URL answers BODY with 200 and an access token.
wait_for_token() {
    for _ in $(seq 300); do
        curl -fs -X POST -H 'Content-Type: application/x-www-form-urlencoded' -d "$2" "$1" 2>/dev/null |
            jq -e .access_token >/dev/null 2>&1 && return 0
        sleep 0.1
    done
    echo "no token from $1" >&2
    return 1
}

# pin_threads: moves every thread the server has by now to CPU 0 (a runtime may start more later).
pin_threads() {
    taskset -a -c -p 0 "$server_pid" >/dev/null
}

# load_token SECONDS CONCURRENCY URL BODY: oha on CPU 1, a JSON report on stdout.
load_token() {
    taskset -c 1 "$oha" -z "$1s" -c "$2" -w --no-tui --output-format json -m POST \
        -T application/x-www-form-urlencoded -d "$4" "$3"
}
