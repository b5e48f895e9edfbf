//! The client credentials grant with a secret, through the `oauth2` crate as a daemon would use it.

use oauth2::basic::BasicClient;
use oauth2::{AuthType, ClientId, ClientSecret, Scope, TokenResponse, TokenUrl};
use serde_json::json;
use signet::admin;

use crate::on_every_backend;
use crate::support::seed::{daemon_form, directory};
use crate::support::{Backend, TestServer, jwt_header};

on_every_backend!(
    secret_post_token_verifies_with_jwks_and_carries_exact_claims,
    secret_basic_authenticates_the_same_client,
    domain_tenant_issues_with_the_guid_issuer,
    token_without_assigned_roles_has_no_roles_claim,
    unknown_parameters_are_ignored,
    directory_changes_reach_the_next_token_at_once,
);

async fn fetch_with_oauth2(
    server: &TestServer,
    tenant: &str,
    id: &str,
    secret: &str,
    scope: &str,
    auth: AuthType,
) -> String {
    let client = BasicClient::new(ClientId::new(id.to_owned()))
        .set_client_secret(ClientSecret::new(secret.to_owned()))
        .set_token_uri(TokenUrl::new(server.token_url(tenant)).expect("token URL"))
        .set_auth_type(auth);
    let response = client
        .exchange_client_credentials()
        .add_scope(Scope::new(scope.to_owned()))
        .request_async(&server.http)
        .await
        .expect("client credentials token");
    assert_eq!(response.token_type(), &oauth2::basic::BasicTokenType::Bearer);
    assert_eq!(response.expires_in().map(|d| d.as_secs()), Some(3600));
    assert!(response.refresh_token().is_none(), "client credentials never return a refresh token");
    response.access_token().secret().clone()
}

async fn secret_post_token_verifies_with_jwks_and_carries_exact_claims(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let tid = d.tenant_id();
    let token = fetch_with_oauth2(&server, &tid, &d.daemon_id(), &d.secret, &d.scope(), AuthType::RequestBody).await;

    let header = jwt_header(&token);
    let kid = server.state().keys.signer(server.now()).expect("signer").kid().to_owned();
    assert_eq!(header, json!({ "alg": "RS256", "kid": kid, "typ": "JWT" }));
    let claims = server.verify(&tid, &token).await;
    let sp = server.state().store.service_principal(d.tenant.id, d.daemon.app_id).await.unwrap().unwrap();
    let now = server.now();
    let uti = claims["uti"].as_str().expect("uti").to_owned();
    assert_eq!(uti.len(), 22);
    assert_eq!(
        claims,
        json!({
            "aud": d.api.app_id.to_string(),
            "iss": format!("{}/{tid}/v2.0", server.base),
            "iat": now, "nbf": now, "exp": now + 3600,
            "tid": tid,
            "oid": sp.id.to_string(),
            "sub": sp.id.to_string(),
            "azp": d.daemon_id(),
            "azpacr": "1",
            "roles": ["Forecast.Read.All"],
            "idtyp": "app",
            "uti": uti,
            "ver": "2.0",
        })
    );
}

async fn secret_basic_authenticates_the_same_client(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let token =
        fetch_with_oauth2(&server, &d.tenant_id(), &d.daemon_id(), &d.secret, &d.scope(), AuthType::BasicAuth).await;
    let claims = server.verify(&d.tenant_id(), &token).await;
    assert_eq!((claims["azp"].as_str(), claims["azpacr"].as_str()), (Some(d.daemon_id().as_str()), Some("1")));
}

async fn domain_tenant_issues_with_the_guid_issuer(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    // The appId works as the resource too.
    let scope = format!("{}/.default", d.api.app_id);
    let token =
        fetch_with_oauth2(&server, "Contoso.Example", &d.daemon_id(), &d.secret, &scope, AuthType::RequestBody).await;
    let claims = server.verify("contoso.example", &token).await;
    assert_eq!(claims["iss"], json!(format!("{}/{}/v2.0", server.base, d.tenant_id())));
    assert_eq!(claims["aud"], json!(d.api.app_id.to_string()));
}

async fn token_without_assigned_roles_has_no_roles_claim(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let state = server.state();
    let other = admin::create_app(
        &state.store,
        &d.tenant,
        admin::AppSpec { name: "Unprivileged".into(), ..Default::default() },
        server.now(),
    )
    .await
    .unwrap();
    let (_, secret) =
        admin::add_secret(&state.store, &state.kek, &d.tenant, &other.app_id.to_string(), 1, server.now())
            .await
            .unwrap();
    let token = fetch_with_oauth2(
        &server,
        &d.tenant_id(),
        &other.app_id.to_string(),
        secret.expose(),
        &d.scope(),
        AuthType::RequestBody,
    )
    .await;
    let claims = server.verify(&d.tenant_id(), &token).await;
    assert_eq!(claims.get("roles"), None, "{claims}");
    assert_eq!(claims["idtyp"], json!("app"));
}

async fn unknown_parameters_are_ignored(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let mut form = daemon_form(&d);
    form.push(("client_info", "1".into()));
    form.push(("x-client-SKU", "MSAL.Python".into()));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = server.token(&d.tenant_id(), &form).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], json!("Bearer"));
    assert_eq!(body["expires_in"], json!(3600));
    assert!(body.get("refresh_token").is_none() && body.get("id_token").is_none());
}

async fn directory_changes_reach_the_next_token_at_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let state = server.state();
    let (tid, daemon) = (d.tenant_id(), d.daemon_id());
    let first = fetch_with_oauth2(&server, &tid, &daemon, &d.secret, &d.scope(), AuthType::RequestBody).await;
    assert_eq!(server.verify(&tid, &first).await["roles"], json!(["Forecast.Read.All"]));
    // Grant a second role and add a second secret: the cached lookups must not hide either.
    admin::require(&state.store, &d.tenant, &daemon, &d.api_uri, &[], &["Forecast.Write.All".to_owned()], server.now())
        .await
        .unwrap();
    admin::grant_consent(&state.store, &d.tenant, &daemon, server.now()).await.unwrap();
    let (_, second_secret) =
        admin::add_secret(&state.store, &state.kek, &d.tenant, &daemon, 1, server.now()).await.unwrap();
    let second =
        fetch_with_oauth2(&server, &tid, &daemon, second_secret.expose(), &d.scope(), AuthType::RequestBody).await;
    assert_eq!(server.verify(&tid, &second).await["roles"], json!(["Forecast.Read.All", "Forecast.Write.All"]));
}
