//! Signing keys in the admin portal (issue 18): the keys with their state, and "Rotate now" after a
//! confirmation: the next key is published at once and signs after the publish lead.

use reqwest::StatusCode;

use crate::on_every_backend;
use crate::support::browser::{Browser, Form, page};
use crate::support::seed::{self, PASSWORD};
use crate::support::{Backend, TestServer};

on_every_backend!(an_admin_sees_the_signing_keys_and_rotates_them_after_confirming);

async fn an_admin_sees_the_signing_keys_and_rotates_them_after_confirming(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let tid = d.tenant_id();
    let admin = Browser::new(&server);
    let keys_url = server.url(&format!("/{tid}/admin/signing-keys"));
    let (_, html) = page(admin.get(&keys_url).await).await;
    assert_eq!(
        admin.sign_in(&html, &root.username, PASSWORD).await.headers()["location"],
        format!("/{tid}/admin/signing-keys").as_str()
    );
    let store = &server.state().store;
    let before = store.signing_keys().await.unwrap();
    let (status, html) = page(admin.get(&keys_url).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("<td class=\"state\">Signing</td>").count(), 1, "{html}");
    assert!(html.contains(&format!("<code>{}</code>", before[0].kid)), "{html}");

    // Cancel changes nothing; Yes publishes the next key, which does not sign yet.
    let rotate_url = server.url(&format!("/{tid}/admin/signing-keys/rotate"));
    let (_, confirm) = page(admin.get(&rotate_url).await).await;
    admin.submit(&Form::first(&confirm), Some(("decision", "cancel"))).await;
    assert_eq!(store.signing_keys().await.unwrap().len(), before.len());
    let (_, confirm) = page(admin.get(&rotate_url).await).await;
    let yes = admin.submit(&Form::first(&confirm), Some(("decision", "accept"))).await;
    assert_eq!(yes.headers()["location"], format!("/{tid}/admin/signing-keys").as_str());
    let after = store.signing_keys().await.unwrap();
    assert_eq!(after.len(), before.len() + 1);
    let (_, html) = page(admin.get(&keys_url).await).await;
    assert_eq!(html.matches("<td class=\"state\">Signing</td>").count(), 1, "the current key still signs: {html}");
    assert!(html.contains("<td class=\"state\">Published, signs from its activation</td>"), "{html}");
    let events = store.audit_events(d.tenant.id).await.unwrap();
    let last = events.last().unwrap();
    assert_eq!(
        (last.action.as_str(), last.actor.clone()),
        ("keys.rotate", format!("user:{} {}", root.id, root.username))
    );
}
