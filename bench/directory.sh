#!/usr/bin/env bash
# The directory-API benchmark: does reading the directory stay as fast in a big tenant as in a small
# one? Signet runs alone on CPU 0 against one of two SQLite databases, oha loads it from CPU 1 with
# an app-only token of the database's daemon (Application.Read.All, User.Read.All):
#   top100  GET /v1.0/applications?$top=100     the first page, keyset-paged by object id
#   top10   GET /v1.0/applications?$top=10      the same with a page both tenants fill
#   middle  GET /v1.0/applications?$top=5&$skiptoken=…   the page of 5 from the middle of the list
#   user    GET /v1.0/users/u{random}@{domain}  a random user by userPrincipalName (oha --rand-regex-url)
# in a "small" tenant of 10 users and 10 apps and a "large" one of 1,000,000 users and 100,000 apps
# (bench/seed-directory.sh; LARGE_USERS and LARGE_APPS change the sizes). The small tenant's first
# page of 100 holds its 10 apps, so top100 compares pages of different sizes; top10 and middle
# compare equal ones. Each round starts a fresh server per database; a 3 s warm-up is discarded.
# Run bench/setup.sh once first; needs sqlite3 (the middle page's key is read from the database).
#
# usage: bench/directory.sh [seconds=10] [concurrency=32] [rounds=3]
# Results (oha's JSON reports, server logs, runs.tsv, table.txt) go to $RESULTS_DIR
# (default /tmp/bench-results/directory-<date-time>); SEED_DIR keeps the seeded databases between
# runs (default: inside the results); CASES picks some of the cases (default: all four).
set -euo pipefail
source "$(dirname "$0")/lib.sh"

seconds=${1:-10} concurrency=${2:-32} rounds=${3:-3}
port=${BENCH_PORT:-8080}
results=${RESULTS_DIR:-/tmp/bench-results/directory-$(date +%Y%m%d-%H%M%S)}
seeds=${SEED_DIR:-$results}
mkdir -p "$results" "$seeds"
(cd "$repo" && cargo build --release --locked --quiet --bin signet)

# seed SIZE USERS APPS: seeds (once per SEED_DIR) and records that database's assignments.
seed() {
    local dir=$seeds/$1
    if [[ ! -f $dir/seed.env ]]; then
        rm -rf "$dir"
        echo "seeding $1: $2 users, $3 apps" >&2
        "$repo/bench/seed-directory.sh" "$signet" "$dir" "$2" "$3" "$1.example" >"$dir.env.tmp"
        mv "$dir.env.tmp" "$dir/seed.env"
    fi
}
seed small 10 10
seed large "${LARGE_USERS:-1000000}" "${LARGE_APPS:-100000}"

# token: an access token for the running server's daemon.
token() {
    local url="http://127.0.0.1:$port$TOKEN_PATH"
    wait_for_token "$url" "$BODY"
    curl -fs -X POST -H 'Content-Type: application/x-www-form-urlencoded' -d "$BODY" "$url" | jq -r .access_token
}

# load SECONDS TOKEN URL [oha options…]: oha GETs URL from CPU 1, a JSON report on stdout.
load() {
    local seconds=$1 token=$2 url=$3
    shift 3
    taskset -c 1 "$oha" -z "${seconds}s" -c "$concurrency" -w --no-tui --output-format json \
        -H "Authorization: Bearer $token" "$@" "$url"
}

# middle_page: the URL of the page of 5 that starts halfway through the tenant's apps (the small
# tenant's last 5). Signet's $skiptoken is the object id the previous page ended with, so that id is
# read straight from the database.
middle_page() {
    local db=${DATABASE_URL#sqlite://} id
    id=$(sqlite3 "$db" "SELECT id FROM applications WHERE tenant_id = '$TENANT' ORDER BY id
        LIMIT 1 OFFSET (SELECT count(*) / 2 - 1 FROM applications WHERE tenant_id = '$TENANT')")
    echo "http://127.0.0.1:$port/v1.0/applications?\$top=5&\$skiptoken=$id"
}

cases=${CASES:-top100 top10 middle user}
printf 'round\tsize\tcase\trps\tp50_ms\tp99_ms\tnon_200\n' >"$results/runs.tsv"
for round in $(seq "$rounds"); do
    for size in small large; do
        source "$seeds/$size/seed.env"
        RUST_LOG=warn SIGNET_DATABASE_URL=$DATABASE_URL SIGNET_KEY_FILE=$KEY_FILE \
            start_pinned "$results/$size.log" "$signet" serve --listen "127.0.0.1:$port"
        bearer=$(token)
        pin_threads
        page=$(middle_page)
        for case in $cases; do
            case $case in
            top100) args=("http://127.0.0.1:$port/v1.0/applications?\$top=100") ;;
            top10) args=("http://127.0.0.1:$port/v1.0/applications?\$top=10") ;;
            middle) args=("$page") ;;
            user)
                # Every user of the small tenant is u00000N; the large one has u000000 … u999999. oha
                # reads a dot in the pattern as a dot.
                if [[ $size == small ]]; then pick='u00000[0-9]'; else pick='u[0-9]{6}'; fi
                args=("http://127.0.0.1:$port/v1.0/users/$pick@$DOMAIN" --rand-regex-url) ;;
            esac
            load 3 "$bearer" "${args[@]}" >/dev/null
            report=$results/$size-$case-$round.json
            load "$seconds" "$bearer" "${args[@]}" >"$report"
            jq -r --arg r "$round" --arg s "$size" --arg c "$case" '
                (.statusCodeDistribution["200"] // 0) as $ok
                | [$r, $s, $c, ($ok / .summary.total | round), (.latencyPercentiles.p50 * 1000 * 100 | round / 100),
                   (.latencyPercentiles.p99 * 1000 * 100 | round / 100),
                   ((.statusCodeDistribution | add // 0) - $ok + (.errorDistribution | add // 0))] | @tsv' \
                "$report" | tee -a "$results/runs.tsv"
        done
        stop_server
    done
done

python3 - "$results/runs.tsv" <<'PY' | tee "$results/table.txt"
import csv, statistics, sys
runs = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
def median(size, case, key):
    return statistics.median(float(r[key]) for r in runs if r["size"] == size and r["case"] == case)
cases = list(dict.fromkeys(r["case"] for r in runs))
print(f"{'case':<8}{'size':<7}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}   (medians of {len(runs) // (2 * len(cases))} rounds)")
for case in cases:
    for size in ("small", "large"):
        print(f"{case:<8}{size:<7}{median(size, case, 'rps'):>8.0f}{median(size, case, 'p50_ms'):>9.2f}"
              f"{median(size, case, 'p99_ms'):>9.2f}")
    rps = median("large", case, "rps") / median("small", case, "rps")
    p99 = median("large", case, "p99_ms") / median("small", case, "p99_ms")
    print(f"{case}: large / small throughput = {rps:.2f}, p99 = {p99:.2f}")
errors = sum(int(r["non_200"]) for r in runs)
print(f"non-200 responses and transport errors: {errors}")
PY
echo "results in $results" >&2
