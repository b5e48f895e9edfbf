//! The `signet` CLI end to end: it builds a directory that a running server then issues tokens from,
//! refuses bad input with exit code 2 and one line, and manages keys.

use std::process::{Command, Output};

use serde_json::{Value, json};

use crate::on_every_backend;
use crate::support::{Backend, TestServer};

on_every_backend!(
    cli_builds_a_directory_the_server_issues_tokens_from,
    cli_refuses_bad_input_and_changes_nothing,
    cli_lists_and_rotates_keys,
    cli_sets_consent_policy_classifies_and_revokes,
    cli_lists_changes_and_deletes_users,
    cli_manages_apps_service_principals_and_role_assignments,
);

pub fn signet(server: &TestServer, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_signet"))
        .args(args)
        .current_dir(server.dir.path())
        .env("SIGNET_DATABASE_URL", &server.config.database_url)
        .env("SIGNET_KEY_FILE", &server.config.key_file)
        .env_remove("RUST_LOG")
        .output()
        .expect("run signet")
}

/// Runs a `--json` command that must succeed and returns its JSON.
pub fn json_of(server: &TestServer, args: &[&str]) -> Value {
    let mut all = args.to_vec();
    all.push("--json");
    let output = signet(server, &all);
    assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("{args:?}: {e}"))
}

fn text(value: &Value, field: &str) -> String {
    value[field].as_str().unwrap_or_else(|| panic!("no {field} in {value}")).to_owned()
}

async fn cli_builds_a_directory_the_server_issues_tokens_from(backend: Backend) {
    let server = TestServer::start(backend).await;
    let tenant = json_of(&server, &["tenant", "create", "--name", "Contoso", "--domain", "contoso.example"]);
    let tid = text(&tenant, "id");
    assert_eq!(tenant["domains"], json!(["contoso.example"]));
    let user = json_of(
        &server,
        &[
            "user",
            "create",
            "--tenant",
            "contoso.example",
            "--username",
            "Admin@contoso.example",
            "--password",
            "correct horse battery",
            "--admin",
        ],
    );
    assert_eq!((user["username"].clone(), user["isAdmin"].clone()), (json!("admin@contoso.example"), json!(true)));
    let api = json_of(
        &server,
        &["app", "create", "--tenant", &tid, "--name", "API", "--identifier-uri", "api://contoso.example/api"],
    );
    let api_id = text(&api, "appId");
    json_of(&server, &["app", "add-scope", "--tenant", &tid, "--app", &api_id, "--value", "Data.Read"]);
    let role = json_of(&server, &["app", "add-role", "--tenant", &tid, "--app", &api_id, "--value", "Data.Read.All"]);
    assert_eq!(role["allowedMemberTypes"], json!(["Application", "User"]));
    let daemon = json_of(&server, &["app", "create", "--tenant", &tid, "--name", "Daemon"]);
    let daemon_id = text(&daemon, "appId");
    json_of(
        &server,
        &[
            "app",
            "require",
            "--tenant",
            &tid,
            "--app",
            &daemon_id,
            "--resource",
            "api://contoso.example/api",
            "--role",
            "Data.Read.All",
        ],
    );
    let secret = json_of(&server, &["app", "add-secret", "--tenant", &tid, "--app", &daemon_id, "--days", "30"]);
    let secret_text = text(&secret, "secretText");
    assert_eq!(secret_text.len(), 43);
    let granted = json_of(&server, &["consent", "grant", "--tenant", "contoso.example", "--app", &daemon_id]);
    assert_eq!(granted["granted"], json!([{ "resource_app_id": api_id, "scopes": [], "roles": ["Data.Read.All"] }]));

    let (status, body) = server
        .token(
            &tid,
            &[
                ("grant_type", "client_credentials"),
                ("client_id", &daemon_id),
                ("client_secret", &secret_text),
                ("scope", "api://contoso.example/api/.default"),
            ],
        )
        .await;
    assert_eq!(status, 200, "{body}");
    let claims = server.verify(&tid, body["access_token"].as_str().unwrap()).await;
    assert_eq!((claims["aud"].clone(), claims["roles"].clone()), (json!(api_id), json!(["Data.Read.All"])));
}

async fn cli_refuses_bad_input_and_changes_nothing(backend: Backend) {
    let server = TestServer::start(backend).await;
    let tenant = json_of(&server, &["tenant", "create", "--name", "Contoso", "--domain", "contoso.example"]);
    let tid = text(&tenant, "id");
    let cases: [&[&str]; 9] = [
        &["tenant", "create", "--name", "No domain"],
        &["app", "create", "--tenant", &tid, "--name", "X", "--bogus"],
        &["tenant", "create", "--name", "Bad", "--domain", "not a domain"],
        &["tenant", "create", "--name", "Again", "--domain", "contoso.example"],
        &[
            "user",
            "create",
            "--tenant",
            "nowhere.example",
            "--username",
            "a@nowhere.example",
            "--password",
            "long enough",
        ],
        &["user", "create", "--tenant", &tid, "--username", "a@elsewhere.example", "--password", "long enough"],
        &["app", "add-secret", "--tenant", &tid, "--app", "not-a-guid"],
        &["app", "create", "--tenant", &tid, "--name", "Web", "--redirect-uri", "http://example.com/callback"],
        &[
            "app",
            "add-cert",
            "--tenant",
            &tid,
            "--app",
            "00000000-0000-0000-0000-000000000001",
            "--cert",
            "/nonexistent.pem",
        ],
    ];
    for args in cases {
        let output = signet(&server, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.lines().count(), 1, "{args:?}: one line, got {stderr}");
        assert!(stderr.starts_with("signet: "), "{stderr}");
    }
    let tenants = json_of(&server, &["tenant", "list"]);
    assert_eq!(tenants, json!([tenant]), "nothing changed");
    let store = &server.state().store;
    let apps: Vec<_> =
        store.service_principals(tid.parse().unwrap()).await.unwrap().into_iter().map(|sp| sp.app_id).collect();
    assert_eq!(apps, [signet::domain::graph::GRAPH_APP_ID], "no app was registered besides the built-in directory API");
}

async fn cli_lists_and_rotates_keys(backend: Backend) {
    let server = TestServer::start(backend).await;
    let keys = json_of(&server, &["keys", "list"]);
    let keys = keys.as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!((keys[0]["state"].clone(), keys[0]["generation"].clone()), (json!("active"), json!(1)));
    let rotated = json_of(&server, &["keys", "rotate"]);
    let kid = text(&rotated, "kid");
    let keys = json_of(&server, &["keys", "list"]);
    let states: Vec<(Value, Value)> =
        keys.as_array().unwrap().iter().map(|k| (k["kid"].clone(), k["state"].clone())).collect();
    assert_eq!(states[1], (json!(kid), json!("pending")), "a rotated key is published before it signs");
    assert_eq!(states[0].1, json!("active"));
}

/// On a database no server has opened yet, the built-in directory API is already there to require.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_on_a_new_database_knows_the_builtin_directory_api() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let output = Command::new(env!("CARGO_BIN_EXE_signet"))
            .args(args)
            .arg("--json")
            .current_dir(dir.path())
            .env("SIGNET_DATABASE_URL", format!("sqlite://{}?mode=rwc", dir.path().join("fresh.db").display()))
            .env("SIGNET_KEY_FILE", dir.path().join("kek"))
            .env_remove("RUST_LOG")
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        serde_json::from_slice::<Value>(&output.stdout).unwrap()
    };
    let tid = text(&run(&["tenant", "create", "--name", "Fresh", "--domain", "fresh.example"]), "id");
    let app = text(
        &run(&["app", "create", "--tenant", &tid, "--name", "Web", "--redirect-uri", "http://localhost/cb"]),
        "appId",
    );
    let required = run(&[
        "app",
        "require",
        "--tenant",
        &tid,
        "--app",
        &app,
        "--resource",
        "https://graph.microsoft.com",
        "--scope",
        "User.Read",
    ]);
    assert_eq!(required["resourceAppId"], json!("00000003-0000-0000-c000-000000000000"));
    assert_eq!(required["resourceAccess"], json!([{ "id": "e1fe6dd8-ba31-4d61-89e7-88639da4683d", "type": "Scope" }]));
}

fn refused(server: &TestServer, args: &[&str]) {
    let output = signet(server, args);
    assert_eq!(output.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
}

async fn cli_sets_consent_policy_classifies_and_revokes(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = crate::support::seed::directory(&server, "contoso.example").await;
    let reviewer = crate::support::seed::admin_user(&server, &d, "reviewer").await;
    let tid = d.tenant_id();
    let set = [
        "tenant",
        "set",
        "--tenant",
        &tid,
        "--user-consent",
        "low-impact",
        "--integrated-apps",
        "off",
        "--consent-requests",
        "on",
        "--reviewer",
        &reviewer.username,
        "--request-days",
        "14",
    ];
    let policy = json_of(&server, &set);
    let expected = json!({ "userConsent": "low-impact", "integratedApps": false, "consentRequests": true, "reviewers": [reviewer.id], "requestDays": 14, "passwordGrant": false });
    assert_eq!(policy, json!({ "tenantId": tid, "policy": expected }));
    // What is not given stays as it is.
    let policy = json_of(&server, &["tenant", "set", "--tenant", "contoso.example", "--integrated-apps", "on"]);
    assert_eq!(
        (policy["policy"]["integratedApps"].clone(), policy["policy"]["requestDays"].clone()),
        (json!(true), json!(14))
    );
    assert_eq!(json_of(&server, &["tenant", "show", "--tenant", &tid]), policy);

    let classified = json_of(
        &server,
        &[
            "permission",
            "classify",
            "--tenant",
            &tid,
            "--resource",
            &d.api_uri,
            "--scope",
            "Forecast.Read",
            "--low-impact",
        ],
    );
    let scope_id = d.api.scope("Forecast.Read").unwrap().id;
    assert_eq!(classified["scopeId"], json!(scope_id));
    let store = &server.state().store;
    assert_eq!(store.low_impact_permissions(d.tenant.id).await.unwrap(), vec![(d.api.app_id, scope_id)]);

    for args in [
        &["tenant", "set", "--tenant", &tid, "--user-consent", "some"][..],
        &["tenant", "set", "--tenant", &tid, "--reviewer", "nobody@contoso.example"],
        &["tenant", "set", "--tenant", &tid, "--request-days", "0"],
        &["permission", "classify", "--tenant", &tid, "--resource", &d.api_uri, "--scope", "Nope", "--low-impact"],
        &["permission", "classify", "--tenant", &tid, "--resource", &d.api_uri, "--scope", "Forecast.Read"],
        &["consent", "revoke", "--tenant", &tid, "--app", "6731de76-14a6-49ae-97bc-6eba6914391e"],
        &["sp", "remove", "--tenant", &tid, "--app", &signet::domain::graph::GRAPH_APP_ID.to_string()],
    ] {
        refused(&server, args);
    }
    assert_eq!(json_of(&server, &["tenant", "show", "--tenant", &tid]), policy, "refusals changed nothing");

    // Revoking the daemon's consent leaves its tokens without roles; removing its service principal
    // refuses them. The server sees the CLI's change once its directory cache lifetime (1 s) has passed
    // on its clock.
    let daemon = d.daemon_id();
    let revoke = ["consent", "revoke", "--tenant", &tid, "--app", &daemon];
    for narrowed in [
        &["--role", "Forecast.Read.All"][..],
        &["--resource", &d.api_uri, "--role", "Nope"],
        &["--resource", &d.api_uri, "--role", "Forecast.Read.All", "--user", &reviewer.username],
        &["--resource", "api://nowhere.example/api"],
    ] {
        refused(&server, &[&revoke[..], narrowed].concat());
    }
    let other_role =
        json_of(&server, &[&revoke[..], &["--resource", &d.api_uri, "--role", "Forecast.Write.All"]].concat());
    assert_eq!(other_role["removed"], json!(0), "the daemon holds only Forecast.Read.All");
    let revoked = json_of(&server, &[&revoke[..], &["--resource", &d.api_uri, "--role", "Forecast.Read.All"]].concat());
    assert_eq!(revoked["removed"], json!(1));
    server.clock.advance_by(std::time::Duration::from_millis(1100));
    let form = crate::support::seed::daemon_form(&d);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = server.token(&tid, &form).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{body}");
    assert_eq!(crate::support::jwt_claims(body["access_token"].as_str().unwrap()).get("roles"), None);
    json_of(&server, &["sp", "remove", "--tenant", &tid, "--app", &daemon]);
    server.clock.advance_by(std::time::Duration::from_millis(1100));
    let (status, body) = server.token(&tid, &form).await;
    crate::support::assert_error(status, &body, 400, "unauthorized_client", 700016);

    let audit = json_of(&server, &["audit", "list", "--tenant", &tid]);
    let actions: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .collect();
    // The seeded API's scope and two roles, and the daemon's required role, are app updates.
    let expected = [
        ("cli", "app.create"),
        ("cli", "sp.add"),
        ("cli", "app.update"),
        ("cli", "app.update"),
        ("cli", "app.update"),
        ("cli", "app.create"),
        ("cli", "sp.add"),
        ("cli", "app.update"),
        ("cli", "consent.admin"),
        ("cli", "app.addPassword"),
        ("cli", "user.create"),
        ("cli", "policy.set"),
        ("cli", "policy.set"),
        ("cli", "permission.classify"),
        ("cli", "consent.revoke"),
        ("cli", "consent.revoke"),
        ("cli", "sp.remove"),
    ];
    assert_eq!(actions, expected);

    // The publisher flag the low-impact policy trusts, and the admin consent requests.
    let web = crate::support::seed::client_app(&server, &d, "Web App", false, false).await;
    let publisher = ["app", "set-publisher", "--tenant", &tid, "--app", &web.id()];
    let marked = json_of(&server, &[&publisher[..], &["--verified"]].concat());
    assert_eq!(marked, json!({ "appId": web.id(), "verifiedPublisher": true }));
    let unmarked = json_of(&server, &[&publisher[..], &["--unverified"]].concat());
    assert_eq!(unmarked, json!({ "appId": web.id(), "verifiedPublisher": false }));
    refused(&server, &publisher);
    assert_eq!(json_of(&server, &["consent-request", "list", "--tenant", &tid]), json!([]));
    let requester = signet::domain::consent_request::Requester {
        user_id: reviewer.id,
        justification: "For the reports".to_owned(),
        scopes: vec![format!("{}/Forecast.Read", d.api.app_id)],
        requested_at: server.now(),
    };
    let event = signet::domain::audit::AuditEvent::new(
        server.now(),
        uuid::Uuid::new_v4(),
        "test".into(),
        "consent_request.file",
        String::new(),
        json!({}),
    );
    let filed = store.file_consent_request(d.tenant.id, web.app.app_id, &requester, 86_400, &event).await.unwrap();
    let listed = json_of(&server, &["consent-request", "list", "--tenant", &tid]);
    assert_eq!(listed.as_array().map(Vec::len), Some(1), "{listed}");
    assert_eq!(
        (listed[0]["id"].clone(), listed[0]["status"].clone(), listed[0]["appId"].clone()),
        (json!(filed.id), json!("pending"), json!(web.id()))
    );
    assert_eq!(listed[0]["requesters"][0]["justification"], "For the reports");
}

async fn cli_lists_changes_and_deletes_users(backend: Backend) {
    let server = TestServer::start(backend).await;
    json_of(&server, &["tenant", "create", "--name", "Contoso", "--domain", "contoso.example"]);
    let create = |name: &str, admin: bool| {
        let username = format!("{name}@contoso.example");
        let mut args = vec!["user", "create", "--tenant", "contoso.example", "--username", &username];
        args.extend(["--password", "correct horse battery"]);
        if admin {
            args.push("--admin");
        }
        json_of(&server, &args)
    };
    let root = create("root", true);
    let alice = create("alice", false);
    let mut ids = vec![text(&root, "id"), text(&alice, "id")];
    ids.sort();
    let listed = json_of(&server, &["user", "list", "--tenant", "contoso.example"]);
    let listed_ids: Vec<String> = listed.as_array().unwrap().iter().map(|u| text(u, "id")).collect();
    assert_eq!(listed_ids, ids);

    let set = ["user", "set", "--tenant", "contoso.example", "--user", "alice@contoso.example"];
    let changed = json_of(&server, &[&set[..], &["--enabled", "false", "--display-name", "Alice A."]].concat());
    assert_eq!((changed["accountEnabled"].clone(), changed["displayName"].clone()), (json!(false), json!("Alice A.")));
    let changed = json_of(&server, &[&set[..], &["--admin", "true", "--password", "another passphrase"]].concat());
    assert_eq!((changed["isAdmin"].clone(), changed["accountEnabled"].clone()), (json!(true), json!(false)));

    // Bad input: exit code 2, one line, nothing changed.
    for args in [
        vec!["user", "set", "--tenant", "contoso.example", "--user", "nobody@contoso.example", "--enabled", "false"],
        vec!["user", "set", "--tenant", "contoso.example", "--user", "root@contoso.example", "--enabled", "false"],
        vec!["user", "set", "--tenant", "contoso.example", "--user", "alice@contoso.example", "--password", "short"],
        vec!["user", "delete", "--tenant", "contoso.example", "--user", "root@contoso.example"],
    ] {
        let output = signet(&server, &args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&output.stderr).lines().count(), 1, "{args:?}");
    }
    let root_now = json_of(&server, &["user", "list", "--tenant", "contoso.example"]);
    assert!(
        root_now
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["username"] == "root@contoso.example" && u["accountEnabled"] == true)
    );

    let deleted = json_of(&server, &["user", "delete", "--tenant", "contoso.example", "--user", &text(&alice, "id")]);
    assert_eq!(deleted, json!({ "deleted": text(&alice, "id") }));
    let listed = json_of(&server, &["user", "list", "--tenant", "contoso.example"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
    let events = server
        .state()
        .store
        .audit_events(server.state().store.resolve_tenant("contoso.example").await.unwrap().unwrap().id)
        .await
        .unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["user.create", "user.create", "user.update", "user.update", "user.delete"]);
    assert!(events.iter().all(|e| e.actor == "cli"));

    // A second domain: a user on it keeps it; without one it can go.
    let tenant = ["--tenant", "contoso.example"];
    let added =
        json_of(&server, &[&["tenant", "add-domain"][..], &tenant, &["--domain", "Sales.Contoso.Example"]].concat());
    assert_eq!(added, json!({ "domain": "sales.contoso.example" }));
    let sam = json_of(
        &server,
        &[&["user", "create"][..], &tenant, &["--username", "sam@sales.contoso.example", "--password", "long enough"]]
            .concat(),
    );
    let remove = [&["tenant", "remove-domain"][..], &tenant, &["--domain", "sales.contoso.example"]].concat();
    assert_eq!(signet(&server, &remove).status.code(), Some(2));
    json_of(&server, &[&["user", "delete"][..], &tenant, &["--user", &text(&sam, "id")]].concat());
    assert_eq!(json_of(&server, &remove), json!({ "removed": "sales.contoso.example" }));
}

async fn cli_manages_apps_service_principals_and_role_assignments(backend: Backend) {
    let server = TestServer::start(backend).await;
    json_of(&server, &["tenant", "create", "--name", "Contoso", "--domain", "contoso.example"]);
    let t = ["--tenant", "contoso.example"];
    let run = |args: &[&str]| json_of(&server, &[&args[..1], &args[1..2], &t[..], &args[2..]].concat());
    let alice = run(&["user", "create", "--username", "alice@contoso.example", "--password", "long enough"]);
    let api = run(&["app", "create", "--name", "API", "--redirect-uri", "http://localhost:8400/callback"]);
    let api_id = text(&api, "appId");
    run(&["app", "add-role", "--app", &api_id, "--value", "Data.Admin"]);
    let listed = run(&["app", "list"]);
    assert_eq!(
        listed.as_array().unwrap().iter().map(|a| text(a, "appId")).collect::<Vec<_>>(),
        std::slice::from_ref(&api_id)
    );

    let sp = run(&["sp", "set", "--app", &api_id, "--enabled", "false", "--assignment-required", "true"]);
    assert_eq!((sp["accountEnabled"].clone(), sp["appRoleAssignmentRequired"].clone()), (json!(false), json!(true)));
    let assigned =
        run(&["sp", "assign-role", "--app", &api_id, "--role", "Data.Admin", "--user", "alice@contoso.example"]);
    assert_eq!(
        (assigned["principalId"].clone(), assigned["principalType"].clone()),
        (alice["id"].clone(), json!("User"))
    );

    let secret = run(&["app", "add-secret", "--app", &api_id]);
    let key_id = text(&secret, "keyId");
    assert_eq!(run(&["app", "remove-secret", "--app", &api_id, "--key-id", &key_id]), json!({ "removed": key_id }));
    let changed = run(&["app", "remove-redirect-uri", "--app", &api_id, "--uri", "http://localhost:8400/callback"]);
    assert_eq!(changed["webRedirectUris"], json!([]));
    let pem = server.path("client-cert.pem");
    std::fs::write(&pem, crate::support::certs::ClientCert::generate().cert_pem).unwrap();
    let cert = run(&["app", "add-cert", "--app", &api_id, "--cert", pem.to_str().unwrap()]);
    let cert_id = text(&cert, "keyId");
    assert_eq!(run(&["app", "remove-cert", "--app", &api_id, "--key-id", &cert_id]), json!({ "removed": cert_id }));
    let audit = run(&["audit", "list"]);
    let actions: Vec<&str> = audit.as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(actions.ends_with(&["app.addKey", "app.removeKey"]), "{actions:?}");

    // Bad input: exit code 2, one line.
    for args in [
        vec!["app", "remove-redirect-uri", "--app", &api_id, "--uri", "http://localhost:8400/callback"],
        vec!["app", "remove-secret", "--app", &api_id, "--key-id", &key_id],
        vec!["app", "remove-cert", "--app", &api_id, "--key-id", &cert_id],
        vec!["sp", "assign-role", "--app", &api_id, "--role", "Nope", "--user", "alice@contoso.example"],
        vec!["sp", "assign-role", "--app", &api_id, "--role", "Data.Admin", "--user", "nobody@contoso.example"],
        vec!["sp", "set", "--app", "not-a-guid", "--enabled", "true"],
    ] {
        let output = signet(&server, &[&args[..2], &t[..], &args[2..]].concat());
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&output.stderr));
        assert_eq!(String::from_utf8_lossy(&output.stderr).lines().count(), 1, "{args:?}");
    }

    assert_eq!(run(&["app", "delete", "--app", &api_id]), json!({ "deleted": api_id }));
    assert_eq!(run(&["app", "list"]), json!([]));
}
