#!/usr/bin/env bash
# The token benchmark: client credentials with a secret, answered with an RS256 JWT. Signet, the peer
# (node-oidc-provider) and the limit server (examples/limit_server.rs: Signet's signer and nothing
# else) each run alone on CPU 0, in rotation, `rounds` times; oha loads them from CPU 1 after a 3 s
# warm-up. Prints one line per run and a table of medians with Signet's rate as a share of the limit
# and as a multiple of the peer. Run bench/setup.sh once first.
#
# usage: bench/run.sh [seconds=10] [concurrency=32] [rounds=3]
# Results (oha's JSON reports, server logs, runs.tsv, table.txt) go to $RESULTS_DIR
# (default /tmp/bench-results/token-<date-time>).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

seconds=${1:-10} concurrency=${2:-32} rounds=${3:-3}
port=${BENCH_PORT:-8080}
results=${RESULTS_DIR:-/tmp/bench-results/token-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$results"
(cd "$repo" && cargo build --release --locked --quiet --bin signet --example limit_server)

eval "$("$repo/bench/seed-daemon.sh" "$signet" "$results/signet-data")"
secret=bench-secret-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')
peer_body="grant_type=client_credentials&client_id=bench&client_secret=$secret&resource=api%3A%2F%2Fbench.example%2Fapi&scope=Data.Read.All"
limit_body="grant_type=client_credentials&client_id=bench&client_secret=$secret&scope=api%3A%2F%2Fbench.example%2Fapi%2F.default"

# start NAME: starts that server and sets $url and $body for it.
start() {
    case $1 in
    signet)
        url="http://127.0.0.1:$port$TOKEN_PATH" body=$BODY
        RUST_LOG=warn SIGNET_DATABASE_URL=$DATABASE_URL SIGNET_KEY_FILE=$KEY_FILE \
            start_pinned "$results/$1.log" "$signet" serve --listen "127.0.0.1:$port" ;;
    peer)
        url="http://127.0.0.1:$port/token" body=$peer_body
        NODE_ENV=production \
            start_pinned "$results/$1.log" node "$bench_home/node/token-server.mjs" "$port" bench "$secret" api://bench.example/api ;;
    limit)
        url="http://127.0.0.1:$port/token" body=$limit_body
        start_pinned "$results/$1.log" "$limit_server" "127.0.0.1:$port" bench "$secret" ;;
    esac
}

# ESM resolves packages from the script's own folder: the peer runs from where npm installed it.
cp "$repo/bench/peer/token-server.mjs" "$bench_home/node/"
printf 'round\tserver\trps\tp50_ms\tp99_ms\tnon_200\n' >"$results/runs.tsv"
for round in $(seq "$rounds"); do
    for server in limit peer signet; do
        start "$server"
        wait_for_token "$url" "$body"
        pin_threads
        load_token 3 "$concurrency" "$url" "$body" >/dev/null
        report=$results/$server-$round.json
        load_token "$seconds" "$concurrency" "$url" "$body" >"$report"
        stop_server
        jq -r --arg r "$round" --arg s "$server" '
            (.statusCodeDistribution["200"] // 0) as $ok
            | [$r, $s, ($ok / .summary.total | round), (.latencyPercentiles.p50 * 1000 * 100 | round / 100),
               (.latencyPercentiles.p99 * 1000 * 100 | round / 100),
               ((.statusCodeDistribution | add // 0) - $ok + (.errorDistribution | add // 0))] | @tsv' \
            "$report" | tee -a "$results/runs.tsv"
    done
done

python3 - "$results/runs.tsv" <<'PY' | tee "$results/table.txt"
import csv, statistics, sys
runs = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
median = {s: {k: statistics.median(float(r[k]) for r in runs if r["server"] == s) for k in ("rps", "p50_ms", "p99_ms")}
          for s in ("limit", "peer", "signet")}
print(f"{'server':<8}{'tokens/s':>10}{'p50 ms':>9}{'p99 ms':>9}   (medians of {len(runs) // 3} rounds)")
for s, m in median.items():
    print(f"{s:<8}{m['rps']:>10.0f}{m['p50_ms']:>9.2f}{m['p99_ms']:>9.2f}")
print(f"signet / limit = {median['signet']['rps'] / median['limit']['rps']:.2f}, "
      f"signet / peer = {median['signet']['rps'] / median['peer']['rps']:.2f}")
PY
echo "results in $results" >&2
