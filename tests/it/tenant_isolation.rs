//! Tenant isolation: tenant B can neither read nor change tenant A's rows, at the store and at the
//! token endpoint.

use signet::admin;
use signet::domain::app::GrantConsentType;
use signet::signing::material::thumbprint_sha1;
use signet::store::{GrantTo, StoreError};

use crate::on_every_backend;
use crate::support::certs::ClientCert;
use crate::support::seed::{daemon_form, directory, scope};
use crate::support::{Backend, TestServer, assert_error};

on_every_backend!(
    store_calls_of_tenant_b_never_reach_tenant_a_rows,
    tokens_of_tenant_a_apps_are_not_issued_in_tenant_b
);

async fn store_calls_of_tenant_b_never_reach_tenant_a_rows(backend: Backend) {
    let server = TestServer::start(backend).await;
    let a = directory(&server, "contoso.example").await;
    let b = directory(&server, "fabrikam.example").await;
    let store = &server.state().store;
    let now = server.now();
    let (a_tenant, b_tenant) = (a.tenant.id, b.tenant.id);

    // Reads.
    assert_eq!(store.app_in_tenant(b_tenant, a.daemon.app_id).await.unwrap(), None);
    assert_eq!(store.sp_with_app(b_tenant, a.daemon.app_id).await.unwrap(), None);
    assert_eq!(store.service_principal(b_tenant, a.api.app_id).await.unwrap(), None);
    assert!(store.password_credentials(b_tenant, a.daemon.app_id).await.unwrap().is_empty());
    assert!(!store.password_credentials(a_tenant, a.daemon.app_id).await.unwrap().is_empty());
    let b_sps = store.service_principals(b_tenant).await.unwrap();
    let mut b_apps: Vec<_> = b_sps.iter().map(|sp| sp.app_id).collect();
    b_apps.sort();
    let mut expected = vec![b.api.app_id, b.daemon.app_id, signet::domain::graph::GRAPH_APP_ID];
    expected.sort();
    assert_eq!(b_apps, expected, "B's own apps and the built-in directory API, nothing of A's");
    assert!(b_sps.iter().all(|sp| sp.tenant_id == b_tenant));
    assert!(store.permission_grants(b_tenant).await.unwrap().is_empty());
    let b_assignments = store.all_app_role_assignments(b_tenant).await.unwrap();
    assert_eq!(b_assignments.len(), 1);
    assert!(b_assignments.iter().all(|x| x.tenant_id == b_tenant));

    // Writes through B's id to A's app are refused and leave A's rows as they were.
    let mut changed = a.api.clone();
    changed.display_name = "Hijacked".into();
    assert!(matches!(store.save_app(b_tenant, &changed, None).await, Err(StoreError::NotFound(_))));
    assert!(matches!(
        admin::add_secret(store, &server.state().kek, &b.tenant, &a.daemon_id(), 1, now).await,
        Err(admin::AdminError::NotFound(_))
    ));
    let cert = ClientCert::generate();
    assert!(matches!(
        admin::add_cert(store, &b.tenant, &a.daemon_id(), &cert.cert_pem, server.now()).await,
        Err(admin::AdminError::NotFound(_))
    ));
    assert!(
        store
            .key_credentials(a_tenant, a.daemon.app_id)
            .await
            .unwrap()
            .iter()
            .all(|k| k.thumbprint_sha1 != thumbprint_sha1(&cert.cert_der))
    );
    assert!(matches!(
        admin::add_scope(store, &b.tenant, &a.api.app_id.to_string(), scope("Steal", false), server.now()).await,
        Err(admin::AdminError::NotFound(_))
    ));
    let a_api = store.app_in_tenant(a_tenant, a.api.app_id).await.unwrap().unwrap();
    assert_eq!(a_api, a.api, "tenant A's registration is unchanged");
    // A single-tenant app of A cannot be consented in B.
    assert!(matches!(
        admin::grant_consent(store, &b.tenant, &a.daemon_id(), now).await,
        Err(admin::AdminError::Invalid(_))
    ));
    assert_eq!(store.service_principal(b_tenant, a.daemon.app_id).await.unwrap(), None);
    // A delegated grant made in A is listed in A only.
    let a_daemon_sp = store.service_principal(a_tenant, a.daemon.app_id).await.unwrap().unwrap();
    let a_api_sp = store.service_principal(a_tenant, a.api.app_id).await.unwrap().unwrap();
    let to = GrantTo {
        client: a_daemon_sp.id,
        resource: a_api_sp.id,
        consent_type: GrantConsentType::AllPrincipals,
        principal: None,
    };
    store.grant_delegated(a_tenant, to, &["Forecast.Read".into()], now).await.unwrap();
    assert_eq!(store.permission_grants(a_tenant).await.unwrap().len(), 1);
    assert!(store.permission_grants(b_tenant).await.unwrap().is_empty());
}

async fn tokens_of_tenant_a_apps_are_not_issued_in_tenant_b(backend: Backend) {
    let server = TestServer::start(backend).await;
    let a = directory(&server, "contoso.example").await;
    let b = directory(&server, "fabrikam.example").await;
    let form = daemon_form(&a);
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = server.token(&b.tenant_id(), &form).await;
    assert_error(status, &body, 400, "unauthorized_client", 700016);
    // B's daemon asking for A's API: it has no service principal in B.
    let mut form = daemon_form(&b);
    form.retain(|(k, _)| *k != "scope");
    form.push(("scope", a.scope()));
    let form: Vec<(&str, &str)> = form.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (status, body) = server.token(&b.tenant_id(), &form).await;
    assert_error(status, &body, 400, "invalid_resource", 500011);
}
