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
unset SIGNET_BENCH_PORT # signet refuses SIGNET_* variables it does not know, and children inherit it
[[ -x $harness/compare.sh ]] || { echo "no benchmark harness at $harness" >&2; exit 1; }

(cd "$repo" && cargo build --release --locked --quiet)
signet=$target/release/signet

work=$(mktemp -d /tmp/signet-bench.XXXXXX)
eval "$("$repo/bench/seed-daemon.sh" "$signet" "$work")"
url="http://127.0.0.1:$port$TOKEN_PATH"
echo "signet: $TOKEN_PATH, data in $work" >&2

# compare.sh runs EXTRA_CMD as `taskset -c 0 env $EXTRA_CMD`: assignments and words, no shell syntax.
EXTRA_NAME=signet \
EXTRA_CMD="RUST_LOG=warn SIGNET_DATABASE_URL=$DATABASE_URL SIGNET_KEY_FILE=$KEY_FILE $signet serve --listen 127.0.0.1:$port" \
EXTRA_URL=$url \
EXTRA_BODY=$BODY \
"$harness/compare.sh" "$@"
