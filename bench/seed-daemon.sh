#!/usr/bin/env bash
# Seeds a directory for the client-credentials benchmarks with the CLI: a tenant, an API with an app
# role, a daemon granted it, and a secret. Prints shell assignments: TOKEN_PATH, BODY, DATABASE_URL,
# KEY_FILE.
#
# usage: bench/seed-daemon.sh SIGNET_BINARY DATA_DIR
set -euo pipefail

signet=$1 work=$2
mkdir -p "$work"
export SIGNET_DATABASE_URL="sqlite://$work/signet.db?mode=rwc" SIGNET_KEY_FILE=$work/signet.kek
cli() { "$signet" "$@" --json; }
tid=$(cli tenant create --name Bench --domain bench.example | jq -r .id)
api=$(cli app create --tenant "$tid" --name "Bench API" --identifier-uri api://bench.example/api | jq -r .appId)
cli app add-role --tenant "$tid" --app "$api" --value Data.Read.All >/dev/null
daemon=$(cli app create --tenant "$tid" --name "Bench daemon" | jq -r .appId)
cli app require --tenant "$tid" --app "$daemon" --resource api://bench.example/api --role Data.Read.All >/dev/null
cli consent grant --tenant "$tid" --app "$daemon" >/dev/null
secret=$(cli app add-secret --tenant "$tid" --app "$daemon" | jq -r .secretText)

echo "TOKEN_PATH=/$tid/oauth2/v2.0/token"
echo "BODY='grant_type=client_credentials&client_id=$daemon&client_secret=$secret&scope=api%3A%2F%2Fbench.example%2Fapi%2F.default'"
echo "DATABASE_URL=sqlite://$work/signet.db"
echo "KEY_FILE=$work/signet.kek"
