#!/usr/bin/env bash
# The silent authorization-code flow (authorize with a session cookie, then code redemption with PKCE:
# two RS256 signatures and a code written and redeemed per flow), Signet on CPU 0 and bench/code-flow.py
# on CPU 1. Run bench/setup.sh once first.
#
# usage: bench/code.sh [seconds=10] [concurrencies="8 32"] [rounds=3]
#
# Seeds with the CLI a tenant, a user, an API exposing Data.Read and a web app that requires it with
# tenant-wide consent (so the sign-in needs no consent page). Codes, sessions and refresh tokens go to
# SQLite. Each round starts a fresh server. Results go to $RESULTS_DIR
# (default /tmp/bench-results/code-<date-time>).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

seconds=${1:-10} concurrencies=${2:-8 32} rounds=${3:-3}
port=${BENCH_PORT:-8080}
results=${RESULTS_DIR:-/tmp/bench-results/code-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$results"
(cd "$repo" && cargo build --release --locked --quiet --bin signet)

work=$results/signet-data
mkdir -p "$work"
export SIGNET_DATABASE_URL="sqlite://$work/signet.db?mode=rwc" SIGNET_KEY_FILE=$work/signet.kek
cli() { "$signet" "$@" --json; }
redirect=http://127.0.0.1:9/cb
tid=$(cli tenant create --name Bench --domain bench.example | jq -r .id)
cli user create --tenant "$tid" --username bench@bench.example --password bench-password >/dev/null
api=$(cli app create --tenant "$tid" --name "Bench API" --identifier-uri api://bench.example/api | jq -r .appId)
cli app add-scope --tenant "$tid" --app "$api" --value Data.Read >/dev/null
web=$(cli app create --tenant "$tid" --name "Bench web" --redirect-uri "$redirect" | jq -r .appId)
cli app require --tenant "$tid" --app "$web" --resource api://bench.example/api --scope Data.Read >/dev/null
cli app require --tenant "$tid" --app "$web" --resource https://graph.microsoft.com --scope openid --scope offline_access >/dev/null
cli consent grant --tenant "$tid" --app "$web" >/dev/null
secret=$(cli app add-secret --tenant "$tid" --app "$web" | jq -r .secretText)
export SIGNET_DATABASE_URL="sqlite://$work/signet.db"

for round in $(seq "$rounds"); do
    for concurrency in $concurrencies; do
        RUST_LOG=warn start_pinned "$results/signet.log" "$signet" serve --listen "127.0.0.1:$port"
        for _ in $(seq 100); do curl -fs -o /dev/null "http://127.0.0.1:$port/healthz" && break; sleep 0.1; done
        pin_threads
        line=$(taskset -c 1 python3 "$repo/bench/code-flow.py" "http://127.0.0.1:$port/$tid" "$web" "$secret" \
            "$redirect" "openid offline_access api://bench.example/api/Data.Read" bench@bench.example bench-password \
            "$seconds" "$concurrency")
        stop_server
        echo "round=$round c=$concurrency $line" | tee -a "$results/runs.txt"
    done
done
echo "results in $results" >&2
