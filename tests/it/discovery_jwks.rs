//! Discovery documents per tenant form, and the shape of the published keys (protocol reference §1, §7).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};
use sha1_smol::Sha1;

use crate::on_every_backend;
use crate::support::seed::tenant;
use crate::support::{Backend, TestServer, x5c_der};

on_every_backend!(
    common_and_organizations_publish_the_template_issuer,
    named_tenants_publish_their_guid_issuer_and_echo_the_segment,
    jwks_keys_have_the_microsoft_shape,
);

async fn discovery(server: &TestServer, tenant: &str) -> (reqwest::header::HeaderMap, Value) {
    let response =
        server.http.get(server.url(&format!("/{tenant}/v2.0/.well-known/openid-configuration"))).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let headers = response.headers().clone();
    (headers, response.json().await.unwrap())
}

async fn common_and_organizations_publish_the_template_issuer(backend: Backend) {
    let server = TestServer::start(backend).await;
    for alias in ["common", "organizations"] {
        let (headers, doc) = discovery(&server, alias).await;
        assert_eq!(headers["cache-control"], "max-age=86400, private");
        assert_eq!(headers["access-control-allow-origin"], "*");
        assert_eq!(doc["issuer"], json!(format!("{}/{{tenantid}}/v2.0", server.base)));
        assert_eq!(doc["token_endpoint"], json!(format!("{}/{alias}/oauth2/v2.0/token", server.base)));
        assert_eq!(doc["authorization_endpoint"], json!(format!("{}/{alias}/oauth2/v2.0/authorize", server.base)));
        assert_eq!(doc["jwks_uri"], json!(format!("{}/{alias}/discovery/v2.0/keys", server.base)));
        assert_eq!(
            doc["token_endpoint_auth_methods_supported"],
            json!(["client_secret_post", "private_key_jwt", "client_secret_basic"])
        );
        assert_eq!(doc["id_token_signing_alg_values_supported"], json!(["RS256"]));
        assert_eq!(doc["subject_types_supported"], json!(["pairwise"]));
        assert_eq!(doc["request_uri_parameter_supported"], json!(false));
    }
}

async fn named_tenants_publish_their_guid_issuer_and_echo_the_segment(backend: Backend) {
    let server = TestServer::start(backend).await;
    let t = tenant(&server, "Contoso", "contoso.example").await;
    let issuer = json!(format!("{}/{}/v2.0", server.base, t.id));
    for segment in [t.id.to_string(), "contoso.example".to_owned()] {
        let (_, doc) = discovery(&server, &segment).await;
        assert_eq!(doc["issuer"], issuer);
        assert_eq!(doc["token_endpoint"], json!(format!("{}/{segment}/oauth2/v2.0/token", server.base)));
        let (status, jwks) = server.get_json(&format!("/{segment}/discovery/v2.0/keys")).await;
        assert_eq!(status, 200);
        assert!(jwks["keys"].as_array().unwrap().iter().all(|k| k["issuer"] == issuer));
    }
}

async fn jwks_keys_have_the_microsoft_shape(backend: Backend) {
    let server = TestServer::start(backend).await;
    let response = server.http.get(server.url("/common/discovery/v2.0/keys")).send().await.unwrap();
    assert_eq!(response.headers()["cache-control"], "max-age=86400, private");
    let jwks: Value = response.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    let key = &keys[0];
    let mut fields: Vec<&str> = key.as_object().unwrap().keys().map(String::as_str).collect();
    fields.sort_unstable();
    assert_eq!(fields, ["e", "issuer", "kid", "kty", "n", "use", "x5c", "x5t"]);
    assert_eq!((key["kty"].as_str(), key["use"].as_str(), key["e"].as_str()), (Some("RSA"), Some("sig"), Some("AQAB")));
    assert_eq!(key["issuer"], json!(format!("{}/{{tenantid}}/v2.0", server.base)));
    let der = x5c_der(key);
    let thumbprint = URL_SAFE_NO_PAD.encode(Sha1::from(&der).digest().bytes());
    assert_eq!((key["kid"].as_str(), key["x5t"].as_str()), (Some(thumbprint.as_str()), Some(thumbprint.as_str())));
    // The certificate holds the published modulus: a 2048-bit key.
    let cert = signet::signing::material::read_rsa_certificate(&der).unwrap();
    assert_eq!(key["n"], json!(URL_SAFE_NO_PAD.encode(&cert.n)));
    assert_eq!(cert.n.len(), 256);
}
