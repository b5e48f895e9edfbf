//! Directory roles in tokens (issue 19): a tenant administrator's access and ID tokens carry `wids`
//! with the Global Administrator template id, as Entra's do; a member's carry no `wids`.

use reqwest::StatusCode;
use serde_json::json;

use crate::on_every_backend;
use crate::support::browser::Browser;
use crate::support::flow::{VERIFIER, authorize_url, code_of, post_token, redeem_form, sign_in_and_consent};
use crate::support::seed;
use crate::support::{Backend, TestServer, jwt_claims};

on_every_backend!(an_administrators_tokens_carry_the_global_administrator_role_in_wids);

async fn an_administrators_tokens_carry_the_global_administrator_role_in_wids(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let alice = seed::user(&server, &d, "alice").await;
    let web = seed::client_app(&server, &d, "Web App", false, false).await;
    let tid = d.tenant_id();
    for (user, wids) in [(&root, json!(["62e90394-69f5-4237-9190-012177145e10"])), (&alice, json!(null))] {
        let url = authorize_url(&server, &tid, &web, &[("scope", &format!("openid {}/Forecast.Read", d.api_uri))]);
        let code = code_of(&sign_in_and_consent(&Browser::new(&server), &url, &user.username).await);
        let (status, tokens) = post_token(&server, &tid, &redeem_form(&web, &code, VERIFIER)).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        for token in ["access_token", "id_token"] {
            let claims = jwt_claims(tokens[token].as_str().unwrap());
            assert_eq!(claims["wids"], wids, "{} {token}: {claims}", user.username);
        }
    }
}
