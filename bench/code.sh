#!/usr/bin/env bash
# The silent authorization-code flow (authorize with a session cookie, then code redemption with PKCE:
# two RS256 signatures per flow), Signet beside node-oidc-provider, in ../shared/bench's harness.
#
# usage: bench/code.sh [seconds=10] [concurrencies="8 32"] [rounds=3]
#
# Builds Signet (release), seeds with the CLI a tenant, a user, an API exposing Data.Read and a web app
# that requires it with tenant-wide consent (so the sign-in needs no consent page), and runs
# code-compare.sh with Signet as the extra server. Codes, sessions and refresh tokens go to SQLite.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
harness=${BENCH_HARNESS:-$repo/../shared/bench}
target=${CARGO_TARGET_DIR:-$repo/target}
port=${SIGNET_BENCH_PORT:-8080}
unset SIGNET_BENCH_PORT # signet refuses SIGNET_* variables it does not know, and children inherit it
[[ -x $harness/code-compare.sh ]] || { echo "no benchmark harness at $harness" >&2; exit 1; }

(cd "$repo" && cargo build --release --locked --quiet)
signet=$target/release/signet

work=$(mktemp -d /tmp/signet-code-bench.XXXXXX)
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
echo "signet: tenant $tid, web app $web, data in $work" >&2

base="http://127.0.0.1:$port/$tid"
EXTRA_NAME=signet \
EXTRA_CMD="RUST_LOG=warn SIGNET_DATABASE_URL=sqlite://$work/signet.db SIGNET_KEY_FILE=$work/signet.kek $signet serve --listen 127.0.0.1:$port" \
EXTRA_URL="$base/oauth2/v2.0/authorize" \
EXTRA_ARGS="--token-url $base/oauth2/v2.0/token --jwks $base/discovery/v2.0/keys --client-id $web --client-secret $secret --redirect-uri $redirect --scope 'openid offline_access api://bench.example/api/Data.Read' --login-form 'username=bench%40bench.example&password=bench-password'" \
"$harness/code-compare.sh" "$@"
