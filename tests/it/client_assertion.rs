//! `private_key_jwt` client authentication: RS256 + `x5t` and PS256 + `x5t#S256`, and every way an
//! assertion can be wrong.

use jsonwebtoken::Algorithm;
use serde_json::{Value, json};
use signet::admin;

use crate::on_every_backend;
use crate::support::certs::ClientCert;
use crate::support::seed::{Directory, directory};
use crate::support::{Backend, TestServer, assert_error};

on_every_backend!(
    rs256_and_ps256_assertions_get_tokens_with_azpacr_2,
    replayed_jti_is_refused_50013,
    assertion_claims_are_checked_50013,
    unknown_or_wrong_key_is_700027,
);

struct Setup {
    server: TestServer,
    d: Directory,
    cert: ClientCert,
}

async fn setup(backend: Backend) -> Setup {
    let server = TestServer::start(backend).await;
    let d = directory(&server, "contoso.example").await;
    let cert = ClientCert::generate();
    admin::add_cert(&server.state().store, &d.tenant, &d.daemon_id(), &cert.cert_pem, server.now())
        .await
        .expect("add cert");
    Setup { server, d, cert }
}

impl Setup {
    fn aud(&self) -> String {
        self.server.token_url(&self.d.tenant_id())
    }

    async fn exchange(&self, assertion: &str) -> (reqwest::StatusCode, Value) {
        self.exchange_as(assertion, "urn:ietf:params:oauth:client-assertion-type:jwt-bearer").await
    }

    async fn exchange_as(&self, assertion: &str, assertion_type: &str) -> (reqwest::StatusCode, Value) {
        let scope = self.d.scope();
        let client_id = self.d.daemon_id();
        let form = [
            ("grant_type", "client_credentials"),
            ("client_id", client_id.as_str()),
            ("client_assertion_type", assertion_type),
            ("client_assertion", assertion),
            ("scope", scope.as_str()),
        ];
        self.server.token(&self.d.tenant_id(), &form).await
    }
}

async fn rs256_and_ps256_assertions_get_tokens_with_azpacr_2(backend: Backend) {
    let s = setup(backend).await;
    let now = s.server.now();
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        let assertion = s.cert.assertion(alg, &ClientCert::claims(&s.d.daemon_id(), &s.aud(), now));
        let (status, body) = s.exchange(&assertion).await;
        assert_eq!(status, 200, "{alg:?}: {body}");
        let claims = s.server.verify(&s.d.tenant_id(), body["access_token"].as_str().unwrap()).await;
        assert_eq!((claims["azp"].clone(), claims["azpacr"].clone()), (json!(s.d.daemon_id()), json!("2")));
        assert_eq!(claims["roles"], json!(["Forecast.Read.All"]));
    }
    // The audience may name the tenant by a verified domain too.
    let aud = s.server.token_url("contoso.example");
    let assertion = s.cert.assertion(Algorithm::RS256, &ClientCert::claims(&s.d.daemon_id(), &aud, now));
    assert_eq!(s.exchange(&assertion).await.0, 200);
}

async fn replayed_jti_is_refused_50013(backend: Backend) {
    let s = setup(backend).await;
    let assertion = s.cert.assertion(Algorithm::RS256, &ClientCert::claims(&s.d.daemon_id(), &s.aud(), s.server.now()));
    assert_eq!(s.exchange(&assertion).await.0, 200);
    let (status, body) = s.exchange(&assertion).await;
    assert_error(status, &body, 401, "invalid_client", 50013);
    assert!(body["error_description"].as_str().unwrap().contains("already used"));
}

async fn assertion_claims_are_checked_50013(backend: Backend) {
    let s = setup(backend).await;
    let now = s.server.now();
    let client = s.d.daemon_id();
    let good = ClientCert::claims(&client, &s.aud(), now);
    let with = |name: &str, value: Value| {
        let mut claims = good.clone();
        claims[name] = value;
        claims["jti"] = json!(uuid::Uuid::new_v4().to_string());
        claims
    };
    let cases = [
        ("wrong audience", with("aud", json!("https://elsewhere.example/token"))),
        ("expired", with("exp", json!(now - 3600))),
        ("not yet valid", with("nbf", json!(now + 3600))),
        ("issuer is another app", with("iss", json!(uuid::Uuid::new_v4().to_string()))),
        ("subject is another app", with("sub", json!("someone"))),
        ("no expiry", with("exp", Value::Null)),
        ("no jti", with("jti", Value::Null)),
        // An assertion lives at most an hour (issue 16, item 8), and no `exp` overflows the arithmetic.
        ("valid for ten years", with("exp", json!(now + 10 * 365 * 86_400))),
        ("exp 1e300", with("exp", json!(1e300))),
        ("exp -1e300", with("exp", json!(-1e300))),
        ("nbf -1e300 and exp 1e300", {
            let mut claims = with("nbf", json!(-1e300));
            claims["exp"] = json!(1e300);
            claims
        }),
    ];
    for (case, claims) in cases {
        let mut claims = claims;
        if case == "no jti" {
            claims.as_object_mut().unwrap().remove("jti");
        }
        let (status, body) = s.exchange(&s.cert.assertion(Algorithm::RS256, &claims)).await;
        assert_eq!(body["error_codes"], json!([50013]), "{case}: {body}");
        assert_error(status, &body, 401, "invalid_client", 50013);
    }
    let (status, body) = s.exchange("not.a-jwt").await;
    assert_error(status, &body, 401, "invalid_client", 50013);
    // An hour ahead, with the skew, is still accepted.
    let (status, body) = s.exchange(&s.cert.assertion(Algorithm::RS256, &with("exp", json!(now + 3600 + 300)))).await;
    assert_eq!(status, 200, "{body}");
    let assertion = s.cert.assertion(Algorithm::RS256, &ClientCert::claims(&client, &s.aud(), now));
    let (status, body) = s.exchange_as(&assertion, "urn:ietf:params:oauth:client-assertion-type:saml2-bearer").await;
    assert_error(status, &body, 401, "invalid_client", 50013);
}

async fn unknown_or_wrong_key_is_700027(backend: Backend) {
    let s = setup(backend).await;
    let now = s.server.now();
    // Signed by a certificate that is not registered.
    let stranger = ClientCert::generate();
    let (status, body) =
        s.exchange(&stranger.assertion(Algorithm::RS256, &ClientCert::claims(&s.d.daemon_id(), &s.aud(), now))).await;
    assert_error(status, &body, 401, "invalid_client", 700027);
    // Names the registered certificate but is signed by another key.
    let forged = stranger.assertion(Algorithm::RS256, &ClientCert::claims(&s.d.daemon_id(), &s.aud(), now));
    let mut parts: Vec<String> = forged.split('.').map(str::to_owned).collect();
    let honest = s.cert.assertion(Algorithm::RS256, &ClientCert::claims(&s.d.daemon_id(), &s.aud(), now));
    parts[0] = honest.split('.').next().unwrap().to_owned();
    let (status, body) = s.exchange(&parts.join(".")).await;
    assert_error(status, &body, 401, "invalid_client", 700027);
}
