#!/usr/bin/env bash
# Installs what the benchmarks need, outside the repository; quick when it is already there.
#   oha (the load generator)    cargo install into $BENCH_HOME/tools (default /tmp/signet-bench)
#   oidc-provider (the peer)    npm ci into $BENCH_HOME/node, from bench/peer's package files
#   the limit server            cargo build --release --example limit_server, in Signet's target
# Needs cargo, node and npm (>= 20), python3, curl, jq and taskset (util-linux).
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
home=${BENCH_HOME:-/tmp/signet-bench}
oha_version=1.16.0

for tool in cargo node npm python3 curl jq taskset; do
    command -v "$tool" >/dev/null || { echo "setup: $tool is missing" >&2; exit 1; }
done

if [[ ! -x $home/tools/bin/oha ]]; then
    echo "setup: installing oha $oha_version (a few minutes on 2 cores)" >&2
    CARGO_TARGET_DIR=$home/oha-target cargo install oha --version "$oha_version" --locked --root "$home/tools" --quiet
fi

mkdir -p "$home/node"
if ! cmp -s "$repo/bench/peer/package-lock.json" "$home/node/package-lock.json"; then
    echo "setup: installing the peer (node-oidc-provider) into $home/node" >&2
    cp "$repo/bench/peer/package.json" "$repo/bench/peer/package-lock.json" "$home/node/"
    (cd "$home/node" && npm ci --no-audit --no-fund --loglevel=error)
fi

(cd "$repo" && cargo build --release --locked --quiet --bin signet --example limit_server)
echo "setup: ready in $home" >&2
