#!/usr/bin/env bash
# Instructions per client-credentials token, counted by valgrind's callgrind: repeatable for one build
# whatever else the host does. The server runs under callgrind with a cache time-to-live of an hour
# (so no request reads the database); after a 200-request warm-up the counters are zeroed, N requests
# are sent at c=4, and the counts are dumped. Prints the total and the share outside RSA signing.
# (valgrind has no AVX-512, so aws-lc signs on its AVX2 path: compare signing counts with each other,
# not with a native run.)
#
# usage: bench/instructions.sh SIGNET_BINARY [REQUESTS=2000]
# Needs valgrind and jq; run bench/setup.sh once first (it installs oha). The dump stays in
# $RESULTS_DIR (default: a new /tmp directory) for
# callgrind_annotate.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

(($# >= 1)) || { echo "usage: $0 SIGNET_BINARY [REQUESTS]" >&2; exit 2; }
signet=$1 requests=${2:-2000}
port=${BENCH_PORT:-8091}
work=${RESULTS_DIR:-$(mktemp -d /tmp/signet-instructions.XXXXXX)}
mkdir -p "$work"
eval "$("$repo/bench/seed-daemon.sh" "$signet" "$work")"
url="http://127.0.0.1:$port$TOKEN_PATH"
out=$work/callgrind.out

SIGNET_DIRECTORY_CACHE_TTL=3600 RUST_LOG=warn SIGNET_DATABASE_URL=$DATABASE_URL SIGNET_KEY_FILE=$KEY_FILE \
    valgrind --tool=callgrind --callgrind-out-file="$out" "$signet" serve --listen "127.0.0.1:$port" \
    >"$work/server.log" 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true' EXIT
for _ in $(seq 300); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.2; done
load() { "$oha" -n "$1" -c 4 --no-tui --output-format json -m POST -T application/x-www-form-urlencoded -d "$BODY" "$url"; }
load 200 >/dev/null
callgrind_control --zero "$pid" >/dev/null 2>&1
ok=$(load "$requests" | jq '.statusCodeDistribution["200"] // 0')
callgrind_control --dump "$pid" >/dev/null 2>&1
((ok == requests)) || { echo "only $ok of $requests requests answered 200; see $work/server.log" >&2; exit 1; }
sleep 1
dump=$(ls -t "$out".* | head -1)
total=$(callgrind_annotate "$dump" | awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1 }')
signing=$(callgrind_annotate --inclusive=yes --threshold=100 "$dump" |
    awk '/aws_lc_rs::rsa::key::KeyPair::sign / && !found { gsub(",", "", $1); print $1; found = 1 }')
echo "requests=$ok instructions_per_token=$((total / ok)) signing=$((signing / ok)) other=$(((total - signing) / ok)) dump=$dump"
