#!/usr/bin/env bash
# Signet side by side with node-oidc-provider and the limit servers, in ../shared/bench's harness.
#
# usage: bench/run.sh [seconds=10] [concurrency=32] [rounds=3]
#
# Builds Signet (release), seeds a directory with the CLI (a tenant, an API with an app role and a
# daemon granted it, with a secret), and runs compare.sh with Signet as the extra server on CPU 0.
# Results go to $RESULTS_DIR (default /tmp/bench-results/<date-time>), table.txt among them.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
harness=${BENCH_HARNESS:-$repo/../shared/bench}
target=${CARGO_TARGET_DIR:-$repo/target}
port=${SIGNET_BENCH_PORT:-8080}
[[ -x $harness/compare.sh ]] || { echo "no benchmark harness at $harness" >&2; exit 1; }

(cd "$repo" && cargo build --release --locked --quiet)
signet=$target/release/signet

work=$(mktemp -d /tmp/signet-bench.XXXXXX)
export SIGNET_DATABASE_URL="sqlite://$work/signet.db?mode=rwc" SIGNET_KEY_FILE=$work/signet.kek
cli() { "$signet" "$@" --json; }
tid=$(cli tenant create --name Bench --domain bench.example | jq -r .id)
api=$(cli app create --tenant "$tid" --name "Bench API" --identifier-uri api://bench.example/api | jq -r .appId)
cli app add-role --tenant "$tid" --app "$api" --value Data.Read.All >/dev/null
daemon=$(cli app create --tenant "$tid" --name "Bench daemon" | jq -r .appId)
cli app require --tenant "$tid" --app "$daemon" --resource api://bench.example/api --role Data.Read.All >/dev/null
cli consent grant --tenant "$tid" --app "$daemon" >/dev/null
secret=$(cli app add-secret --tenant "$tid" --app "$daemon" | jq -r .secretText)

url="http://127.0.0.1:$port/$tid/oauth2/v2.0/token"
body="grant_type=client_credentials&client_id=$daemon&client_secret=$secret&scope=api%3A%2F%2Fbench.example%2Fapi%2F.default"
echo "signet: tenant $tid, daemon $daemon, data in $work" >&2

# compare.sh runs EXTRA_CMD as `taskset -c 0 env $EXTRA_CMD`: assignments and words, no shell syntax.
EXTRA_NAME=signet \
EXTRA_CMD="RUST_LOG=warn SIGNET_DATABASE_URL=sqlite://$work/signet.db SIGNET_KEY_FILE=$work/signet.kek $signet serve --listen 127.0.0.1:$port" \
EXTRA_URL=$url \
EXTRA_BODY=$body \
"$harness/compare.sh" "$@"
