#!/usr/bin/env bash
# Seeds a directory for the directory-API benchmark: one tenant of USERS users and APPS app
# registrations (each with a secret and a service principal), and a daemon granted Graph's
# Application.Read.All and User.Read.All. Prints shell assignments: TENANT, TOKEN_PATH, BODY,
# DATABASE_URL, KEY_FILE, DOMAIN.
#
# usage: bench/seed-directory.sh SIGNET_BINARY DATA_DIR USERS APPS DOMAIN
#
# The CLI creates the first user, the daemon and its grant, so those rows are exactly what Signet
# writes; the bulk rows are copies of them with new ids, written with SQL in one transaction (a
# million argon2 hashes through the CLI would take hours, and nothing measured reads the password).
# Users are u000000@DOMAIN … u(USERS-1)@DOMAIN, zero-padded to six digits, so a load generator can
# ask for a random one with a pattern.
set -euo pipefail

signet=$1 work=$2 users=$3 apps=$4 domain=$5
mkdir -p "$work"
export SIGNET_DATABASE_URL="sqlite://$work/signet.db?mode=rwc" SIGNET_KEY_FILE=$work/signet.kek
cli() { "$signet" "$@" --json; }
tid=$(cli tenant create --name "Bench $domain" --domain "$domain" | jq -r .id)
cli user create --tenant "$tid" --username "u000000@$domain" --password bench-password >/dev/null
daemon=$(cli app create --tenant "$tid" --name "Bench daemon" | jq -r .appId)
cli app require --tenant "$tid" --app "$daemon" --resource https://graph.microsoft.com \
    --role Application.Read.All --role User.Read.All >/dev/null
cli consent grant --tenant "$tid" --app "$daemon" >/dev/null
secret=$(cli app add-secret --tenant "$tid" --app "$daemon" | jq -r .secretText)

python3 - "$work/signet.db" "$tid" "$daemon" "$users" "$apps" "$domain" <<'PY'
import sqlite3, sys, uuid

db, tenant, daemon, users, apps, domain = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
con = sqlite3.connect(db)

def template(table, where, *args):
    cursor = con.execute(f"SELECT * FROM {table} WHERE {where}", args)
    names = [d[0] for d in cursor.description]
    return names, dict(zip(names, cursor.fetchone()))

def insert(table, names, rows):
    sql = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})"
    con.executemany(sql, ([row[n] for n in names] for row in rows))

user_names, user = template("users", "tenant_id = ? AND username = ?", tenant, f"u000000@{domain}")
def more_users():
    for n in range(1, users):
        yield {**user, "id": str(uuid.uuid4()), "username": f"u{n:06}@{domain}", "display_name": f"User {n:06}"}

app_names, app = template("applications", "app_id = ?", daemon)
secret_names, secret = template("password_credentials", "app_id = ?", daemon)
sp_names, sp = template("service_principals", "tenant_id = ? AND app_id = ?", tenant, daemon)
app_rows, secret_rows, sp_rows = [], [], []
for n in range(1, apps):
    app_id, name = str(uuid.uuid4()), f"App {n:06}"
    app_rows.append({**app, "id": str(uuid.uuid4()), "app_id": app_id, "display_name": name,
                     "required_resource_access": "[]"})
    secret_rows.append({**secret, "key_id": str(uuid.uuid4()), "app_id": app_id})
    sp_rows.append({**sp, "id": str(uuid.uuid4()), "app_id": app_id, "display_name": name})

with con:
    insert("users", user_names, more_users())
    insert("applications", app_names, app_rows)
    insert("password_credentials", secret_names, secret_rows)
    insert("service_principals", sp_names, sp_rows)
con.close()
PY

echo "TENANT=$tid"
echo "DOMAIN=$domain"
echo "TOKEN_PATH=/$tid/oauth2/v2.0/token"
echo "BODY='grant_type=client_credentials&client_id=$daemon&client_secret=$secret&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default'"
echo "DATABASE_URL=sqlite://$work/signet.db"
echo "KEY_FILE=$work/signet.kek"
