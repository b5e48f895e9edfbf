#!/usr/bin/env bash
# Password sign-ins: the rate at the argon2 limit of one core, and the server's memory under a burst of
# 100 simultaneous wrong-password attempts that no throttle holds back (each from its own loopback
# address, each for its own unknown username). The server runs on CPU 0, the clients on CPU 1.
#
# usage: bench/signin.sh [SIGNET_BINARY=target/release/signet] [seconds=10]
# Prints the sign-in rate (bench/signin-bench.py, right password, 4 users at once), the burst's outcome
# (bench/signin-burst.py) and the server's resident memory: idle, after the rate run, and its peak
# (VmHWM) after the burst.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

binary=${1:-$signet} seconds=${2:-10}
port=${BENCH_PORT:-8094}
work=$(mktemp -d /tmp/signet-signin.XXXXXX)
[[ $binary != "$signet" ]] || (cd "$repo" && cargo build --release --locked --quiet --bin signet)

export SIGNET_DATABASE_URL="sqlite://$work/signet.db?mode=rwc" SIGNET_KEY_FILE=$work/signet.kek
cli() { "$binary" "$@" --json; }
redirect=http://127.0.0.1:9/cb
tid=$(cli tenant create --name Bench --domain bench.example | jq -r .id)
cli user create --tenant "$tid" --username bench@bench.example --password bench-password >/dev/null
web=$(cli app create --tenant "$tid" --name "Bench web" --redirect-uri "$redirect" | jq -r .appId)
cli app require --tenant "$tid" --app "$web" --resource https://graph.microsoft.com --scope openid >/dev/null
cli consent grant --tenant "$tid" --app "$web" >/dev/null
export SIGNET_DATABASE_URL="sqlite://$work/signet.db"
authorize="http://127.0.0.1:$port/$tid/oauth2/v2.0/authorize?client_id=$web&response_type=code&redirect_uri=$(jq -rn --arg r "$redirect" '$r|@uri')&scope=openid&state=s"

rss() { awk -v k="$2" '$1 == k":" { print int($2 / 1024) }' "/proc/$1/status"; }
RUST_LOG=warn start_pinned "$work/server.log" "$binary" serve --listen "127.0.0.1:$port"
trap stop_server EXIT
for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
pin_threads
idle=$(rss "$server_pid" VmRSS)
rate=$(taskset -c 1 python3 "$repo/bench/signin-bench.py" "$authorize" bench@bench.example bench-password "$seconds" 4)
after_rate=$(rss "$server_pid" VmRSS)
burst=$(taskset -c 1 python3 "$repo/bench/signin-burst.py" "$authorize" 100)
echo "$binary"
echo "rate: $rate"
echo "burst: $burst"
echo "memory_mib: idle=$idle after_rate=$after_rate after_burst=$(rss "$server_pid" VmRSS) peak=$(rss "$server_pid" VmHWM)"
