#!/usr/bin/env bash
# The silent authorization-code flow (authorize with a session cookie, then code redemption with PKCE:
# two RS256 signatures per flow), Signet and the peer (bench/peer/code-server.mjs, node-oidc-provider)
# each alone on CPU 0 in rotation, bench/code-flow.py on CPU 1. Signet also writes the code's
# redemption and a refresh token per flow; the peer keeps its codes in memory and, without
# prompt=consent, issues no refresh token. Run bench/setup.sh once first.
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

# The peer runs from where npm installed it (ESM resolves packages from the script's folder).
cp "$repo/bench/peer/code-server.mjs" "$bench_home/node/"
peer_secret=bench-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')

# run SERVER CONCURRENCY: one measured run, printed as `flows_per_s=… p50_ms=… p99_ms=… errors=…`.
run() {
    local authorize token client client_secret scope
    if [[ $1 == signet ]]; then
        RUST_LOG=warn start_pinned "$results/signet.log" "$signet" serve --listen "127.0.0.1:$port"
        authorize="http://127.0.0.1:$port/$tid/oauth2/v2.0/authorize" token="http://127.0.0.1:$port/$tid/oauth2/v2.0/token"
        client=$web client_secret=$secret scope="openid offline_access api://bench.example/api/Data.Read"
    else
        NODE_ENV=production start_pinned "$results/peer.log" node "$bench_home/node/code-server.mjs" "$port" web \
            "$peer_secret" "$redirect" bench@bench.example bench-password
        authorize="http://127.0.0.1:$port/authorize" token="http://127.0.0.1:$port/token"
        client=web client_secret=$peer_secret scope="openid Data.Read"
    fi
    for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
    pin_threads
    taskset -c 1 python3 "$repo/bench/code-flow.py" "$authorize" "$token" "$client" "$client_secret" "$redirect" \
        "$scope" bench@bench.example bench-password 3 "$2" >/dev/null
    taskset -c 1 python3 "$repo/bench/code-flow.py" "$authorize" "$token" "$client" "$client_secret" "$redirect" \
        "$scope" bench@bench.example bench-password "$seconds" "$2"
    stop_server
}

for round in $(seq "$rounds"); do
    for concurrency in $concurrencies; do
        for server in peer signet; do
            echo "round=$round c=$concurrency server=$server $(run "$server" "$concurrency")" | tee -a "$results/runs.txt"
        done
    done
done
python3 - "$results/runs.txt" <<'PY' | tee "$results/table.txt"
import re, statistics, sys
runs = [dict(re.findall(r"(\w+)=(\S+)", line)) for line in open(sys.argv[1])]
print(f"{'server':<8}{'c':>4}{'flows/s':>10}{'p50 ms':>9}{'p99 ms':>9}   (medians)")
for c in sorted({r["c"] for r in runs}, key=int):
    rate = {}
    for server in ("peer", "signet"):
        mine = [r for r in runs if r["c"] == c and r["server"] == server]
        median = lambda k: statistics.median(float(r[k]) for r in mine)
        rate[server] = median("flows_per_s")
        print(f"{server:<8}{c:>4}{rate[server]:>10.0f}{median('p50_ms'):>9.1f}{median('p99_ms'):>9.1f}")
    print(f"signet / peer at c={c}: {rate['signet'] / rate['peer']:.2f}")
PY
echo "results in $results" >&2
