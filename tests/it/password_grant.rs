//! The resource owner password credentials grant (issue 19): off in every tenant until it is turned
//! on (`unsupported_grant_type` AADSTS70003, saying the tenant has it off); on, it checks the password
//! as the sign-in page does, under the same throttle (AADSTS50126, then AADSTS50053), needs the user's
//! consent (AADSTS65001), and is audited. ADAL's and MSAL's user realm question is answered `Managed`
//! for a verified domain. Python msal's `acquire_token_by_username_password` signs in where it is on
//! and is refused where it is off.

use reqwest::StatusCode;
use serde_json::{Value, json};
use signet::admin::{self, PolicyChange};

use crate::msal::run_script;
use crate::on_every_backend;
use crate::support::browser::Browser;
use crate::support::flow::{authorize_url, code_of, post_token, sign_in_and_consent};
use crate::support::seed::{self, ClientApp, Directory, PASSWORD};
use crate::support::{Backend, TestServer, assert_error, jwt_claims};

on_every_backend!(
    the_password_grant_is_off_until_the_tenant_turns_it_on_then_throttled_and_audited,
    the_user_realm_of_a_verified_domain_is_managed,
    msal_signs_in_with_a_password_only_where_the_tenant_allows_it,
);

/// A public client alice has consented to (through the sign-in page), and the password grant's form.
async fn consented_client(server: &TestServer, d: &Directory, username: &str) -> ClientApp {
    let app = seed::client_app(server, d, "Script", true, false).await;
    let scope = format!("openid offline_access {}/Forecast.Read", d.api_uri);
    let url = authorize_url(server, &d.tenant_id(), &app, &[("scope", &scope)]);
    code_of(&sign_in_and_consent(&Browser::new(server), &url, username).await);
    app
}

fn password_form(app: &ClientApp, d: &Directory, username: &str, password: &str) -> Vec<(&'static str, String)> {
    vec![
        ("grant_type", "password".to_owned()),
        ("client_id", app.id()),
        ("username", username.to_owned()),
        ("password", password.to_owned()),
        ("scope", format!("openid offline_access {}/Forecast.Read", d.api_uri)),
    ]
}

async fn turn_on(server: &TestServer, d: &Directory) {
    let change = PolicyChange { password_grant: Some(true), ..PolicyChange::default() };
    admin::set_policy(&server.state().store, &d.tenant, change, server.now()).await.unwrap();
}

async fn the_password_grant_is_off_until_the_tenant_turns_it_on_then_throttled_and_audited(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let alice = seed::user(&server, &d, "alice").await;
    let bob = seed::user(&server, &d, "bob").await;
    let tid = d.tenant_id();
    let app = consented_client(&server, &d, &alice.username).await;
    let (status, body) = post_token(&server, &tid, &password_form(&app, &d, &alice.username, PASSWORD)).await;
    assert_error(status, &body, 400, "unsupported_grant_type", 70003);
    assert!(body["error_description"].as_str().unwrap().contains(&format!("turned off in tenant '{tid}'")), "{body}");

    let policy = crate::cli::json_of(&server, &["tenant", "set", "--tenant", &tid, "--password-grant", "on"]);
    assert_eq!(policy["policy"]["passwordGrant"], true, "{policy}");
    let (status, tokens) = post_token(&server, &tid, &password_form(&app, &d, &alice.username, PASSWORD)).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let access = jwt_claims(tokens["access_token"].as_str().unwrap());
    assert_eq!((&access["scp"], &access["oid"]), (&json!("Forecast.Read"), &json!(alice.id.to_string())));
    assert!(tokens["id_token"].is_string() && tokens["refresh_token"].is_string(), "{tokens}");
    let refresh = [
        ("grant_type", "refresh_token".to_owned()),
        ("client_id", app.id()),
        ("refresh_token", tokens["refresh_token"].as_str().unwrap().to_owned()),
    ];
    assert_eq!(post_token(&server, &tid, &refresh).await.0, StatusCode::OK, "its refresh token works");
    let events = server.state().store.audit_events(d.tenant.id).await.unwrap();
    let signed_in: Vec<_> = events.iter().filter(|e| e.action == "signin.password").collect();
    assert_eq!(signed_in.len(), 1, "{events:?}");
    assert_eq!(
        (signed_in[0].actor.clone(), signed_in[0].target.clone()),
        (format!("user:{} {}", alice.id, alice.username), format!("app:{}", app.id()))
    );

    // Bob never consented: nobody can ask him here.
    let (status, body) = post_token(&server, &tid, &password_form(&app, &d, &bob.username, PASSWORD)).await;
    assert_error(status, &body, 400, "invalid_grant", 65001);

    // A wrong password, five times; then even the right one waits, as on the sign-in page.
    for _ in 0..5 {
        let (status, body) = post_token(&server, &tid, &password_form(&app, &d, &alice.username, "wrong")).await;
        assert_error(status, &body, 400, "invalid_grant", 50126);
    }
    let (status, body) = post_token(&server, &tid, &password_form(&app, &d, &alice.username, PASSWORD)).await;
    assert_error(status, &body, 400, "invalid_grant", 50053);
}

async fn the_user_realm_of_a_verified_domain_is_managed(backend: Backend) {
    let server = TestServer::start(backend).await;
    seed::directory(&server, "contoso.example").await;
    let realm = |path: &str| {
        let server = &server;
        let path = path.to_owned();
        async move { server.get_json(&path).await }
    };
    let (status, body) = realm("/common/UserRealm/alice@contoso.example?api-version=1.0").await;
    assert_eq!(status, StatusCode::OK);
    let managed = json!({
        "ver": "1.0",
        "account_type": "Managed",
        "domain_name": "contoso.example",
        "cloud_instance_name": "127.0.0.1",
        "cloud_audience_urn": "urn:federation:MicrosoftOnline",
    });
    assert_eq!(body, managed);
    let (_, body) = realm("/common/userrealm/alice@CONTOSO.example?api-version=1.0").await;
    assert_eq!(body, managed, "MSAL Python's spelling");
    let (_, body) = realm("/common/UserRealm/someone@elsewhere.example?api-version=1.0").await;
    assert_eq!(body["account_type"], "Unknown");
    let (status, body) = realm("/common/UserRealm/alice@contoso.example").await;
    assert_error(status, &body, 400, "invalid_request", 900144);
}

async fn msal_signs_in_with_a_password_only_where_the_tenant_allows_it(backend: Backend) {
    let server = TestServer::start_tls(backend).await;
    let on = seed::directory(&server, "contoso.example").await;
    let off = seed::directory(&server, "fabrikam.example").await;
    let mut results: Vec<Value> = Vec::new();
    turn_on(&server, &on).await;
    for d in [&on, &off] {
        let user = seed::user(&server, d, "alice").await;
        let app = consented_client(&server, d, &user.username).await;
        let env = [
            ("AUTHORITY", format!("{}/{}", server.base, d.tenant_id())),
            ("CLIENT_ID", app.id()),
            ("SCOPE", format!("{}/Forecast.Read", d.api_uri)),
            ("USERNAME", user.username.clone()),
            ("PASSWORD", PASSWORD.to_owned()),
        ];
        results.push(run_script(&server, "password.py", "public", &env));
    }
    let signed_in = &results[0];
    assert_eq!(signed_in["realm_requests"], json!(["/common/userrealm/alice@contoso.example"]), "{signed_in}");
    let access = jwt_claims(signed_in["result"]["access_token"].as_str().expect("a token"));
    assert_eq!(access["scp"], "Forecast.Read");
    let refused = &results[1]["result"];
    assert_eq!(
        (&refused["error"], &refused["error_codes"]),
        (&json!("unsupported_grant_type"), &json!([70003])),
        "{refused}"
    );
}
