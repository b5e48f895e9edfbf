//! The admin portal's seeds (issue 18), walked in headless Chromium as an admin would, with axe-core
//! checking every portal page on the way (`tests/browser/portal_walk.py` says what it does). A user
//! signs in to the apps the admin registers, and Python msal redeems the codes with the secret the
//! admin copied from the page. The screenshots are kept in `{CARGO_TARGET_TMPDIR}/screenshots/`.
//!
//! axe-core comes from npm: `SIGNET_TEST_NODE_MODULES` names the `node_modules` folder that holds it
//! (`./scripts/test` installs it).

use serde_json::{Value, json};

use crate::browser::{python, screenshots, serve_app};
use crate::on_every_backend;
use crate::support::seed::{self, PASSWORD};
use crate::support::{Backend, TestServer};

on_every_backend!(chromium_walks_the_portal_seeds_and_axe_finds_nothing_serious);

/// The role the admin gives the Forecast API and assigns to the user.
const ROLE: &str = "Forecast.Approve";

async fn chromium_walks_the_portal_seeds_and_axe_finds_nothing_serious(backend: Backend) {
    let label = if matches!(backend, Backend::Sqlite) { "sqlite" } else { "postgres" };
    let server = TestServer::start_tls(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let alice = seed::user(&server, &d, "alice").await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let redirect_uri = format!("http://127.0.0.1:{}/callback", listener.local_addr().unwrap().port());
    tokio::spawn(serve_app(listener));
    let axe = crate::browser::node_module("axe-core/axe.min.js");
    let shots = screenshots().join(format!("portal-{label}"));
    let output = python()
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/browser/portal_walk.py"))
        .env("BASE", &server.base)
        .env("TENANT", d.tenant_id())
        .env("ADMIN", &root.username)
        .env("USERNAME", &alice.username)
        .env("PASSWORD", PASSWORD)
        .env("REDIRECT_URI", &redirect_uri)
        .env("API_NAME", "Forecast API")
        .env("API_URI", &d.api_uri)
        .env("ROLE", ROLE)
        .env("AXE", axe)
        .env("SCREENSHOT_DIR", &shots)
        .env("REQUESTS_CA_BUNDLE", &server.config.tls_cert_out)
        .env("SSL_CERT_FILE", &server.config.tls_cert_out)
        .output()
        .expect("run python (./scripts/test installs Playwright and msal; .ci/run installs chromium)");
    assert!(output.status.success(), "the walk failed: {}", String::from_utf8_lossy(&output.stderr));
    let seen: Value = serde_json::from_slice(&output.stdout).expect("JSON");
    let stopped = |step: &str| seen[step]["stopped"].as_str().unwrap_or_default().to_owned();

    assert_eq!(seen["violations"], json!({}), "axe-core found serious or critical violations");
    let checked: Vec<&str> = seen["checked"].as_array().unwrap().iter().filter_map(Value::as_str).collect();
    for page in ["overview", "web-app", "web-secret", "web-grant-confirm", "api-enterprise-app", "consent-settings"] {
        assert!(checked.contains(&page), "{page} was checked: {checked:?}");
    }
    for (n, page) in checked.iter().enumerate() {
        let path = shots.join(format!("portal-{:02}-{page}.png", n + 1));
        assert!(path.metadata().map(|m| m.len() > 1000).unwrap_or(false), "screenshot {}", path.display());
    }
    assert!(seen["overview"].as_str().unwrap().contains(&d.tenant_id()), "{seen}");

    // Seed 1: the permissions turn to granted, and msal redeems the user's code with the page's secret.
    assert_eq!(seen["statuses_before"], json!(vec!["Not granted"; 4]));
    assert_eq!(seen["statuses_after"], json!(vec!["Granted for Test tenant"; 4]));
    let access = &seen["seed1_sign_in"]["access"];
    assert_eq!(
        (&access["scp"], &access["preferred_username"]),
        (&json!("Forecast.Read"), &json!(alice.username)),
        "{seen}"
    );
    assert_eq!(access["roles"], Value::Null, "no role is assigned yet");

    // Seed 4: the API gets a scope and a role in the portal; the role assigned in Enterprise
    // applications reaches the user's next access token.
    assert_eq!(
        seen["scopes"],
        format!(
            "Scope\tWho can consent\tAdmin consent display name\tState\t\nAction\n\n\
             {0}/Forecast.Read\tAdmins and users\tForecast.Read\tEnabled\t\nDisable\n\n\
             {0}/Forecast.Write\tAdmins only\tWrite forecasts\tEnabled\t\nDisable",
            d.api_uri
        )
    );
    assert!(
        seen["roles"]
            .as_str()
            .unwrap()
            .contains(&format!("Forecast approver\tApproves the team's forecasts.\tUsers/Groups\t{ROLE}\tEnabled")),
        "{seen}"
    );
    assert!(seen["assigned"].as_str().unwrap().contains(&format!("{}\tForecast approver", alice.username)), "{seen}");
    assert_eq!(seen["seed4_sign_in"]["access"]["roles"], json!([ROLE]), "{seen}");

    // Seed 2: with user consent off a new app stops the user; the granted one signs in until revoked.
    assert!(stopped("seed2_new_app").contains("AADSTS90093"), "{seen}");
    assert_eq!(seen["seed2_granted_app"]["access"]["scp"], "Forecast.Read", "{seen}");
    assert!(stopped("seed2_after_revoke").contains("AADSTS90093"), "{seen}");

    // Seed 3: blocked from the review queue, refused even with consent; enabled again, it signs in.
    assert!(stopped("seed3_need_approval").contains("AADSTS90095"), "{seen}");
    for step in ["seed3_blocked", "seed3_blocked_granted"] {
        // The redirect URI is registered, so the refusal goes back to the app.
        assert_eq!(seen[step]["error"], "unauthorized_client", "{step}: {seen}");
        let description = seen[step]["error_description"].as_str().unwrap();
        assert!(description.starts_with("AADSTS7000112: Application '"), "{step}: {description}");
    }
    assert!(seen["enterprise_list"].as_str().unwrap().contains("Seed new app"), "{seen}");
    assert_eq!(seen["seed3_unblocked"], json!({"landed_with_code": true}), "{seen}");

    // The copy button works under the pages' Content-Security-Policy; Tab shows where the focus is.
    assert_eq!(seen["copied"], seen["client_id"], "{seen}");
    assert_eq!(seen["csp_refusals"], json!([]));
    assert_eq!((&seen["first_tab"], &seen["focus_outline"]), (&json!("Overview"), &json!("solid")), "{seen}");

    // Every change was the admin's, in the audit log.
    let actor = format!("user:{} {}", root.id, root.username);
    let events = server.state().store.audit_events(d.tenant.id).await.unwrap();
    let by_admin: Vec<&str> = events.iter().filter(|e| e.actor == actor).map(|e| e.action.as_str()).collect();
    let expected = [
        // Seed 1: register (with its service principal), a secret, two permissions, the grant.
        "app.create",
        "sp.add",
        "app.addPassword",
        "app.update",
        "app.update",
        "consent.admin",
        // Seed 4: the API's scope and role, the assignment.
        "app.update",
        "app.update",
        "role.assign",
        // Seed 2: user consent off, the new app and its permissions, the grant revoked.
        "policy.set",
        "app.create",
        "sp.add",
        "app.update",
        "app.update",
        "grant.delete",
        // Seed 3: requests on, the block, the admin consent, the app enabled again.
        "policy.set",
        "consent_request.block",
        "consent.admin",
        "sp.update",
    ];
    assert_eq!(by_admin, expected);
}
