//! The admin portal's audit log (issue 18): filtered by activity, by who made the change and by day,
//! 50 entries a page with a link to the older ones; a value it cannot use is shown beside the filters.
//! A reviewer who is not an administrator sees only the consent request queue.

use reqwest::StatusCode;
use signet::admin::{self, Actor, PolicyChange, UserSpec};

use crate::on_every_backend;
use crate::portal_apps::{assert_page_error, signed_in};
use crate::support::browser::page;
use crate::support::seed::{self, PASSWORD};
use crate::support::{Backend, TestServer};

on_every_backend!(
    the_audit_log_filters_by_activity_actor_and_day_and_pages_fifty_at_a_time,
    a_reviewer_who_is_not_an_administrator_sees_only_the_queue,
);

/// The rows of an audit page, each as "who|what".
fn rows(html: &str) -> Vec<String> {
    html.split("<tr><td>")
        .skip(1)
        .map(|row| {
            let cells: Vec<&str> = row.split("</td><td").map(|c| c.rsplit('>').next().unwrap_or(c)).collect();
            format!("{}|{}", cells[1], cells[2])
        })
        .collect()
}

async fn the_audit_log_filters_by_activity_actor_and_day_and_pages_fifty_at_a_time(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let store = &server.state().store;
    let tid = d.tenant_id();
    // 55 users made by the command line, then one change by the administrator.
    for n in 0..55 {
        let username = format!("user{n:02}@contoso.example");
        admin::create_user(store, &d.tenant, UserSpec::new(&username, PASSWORD), &Actor::cli(), server.now())
            .await
            .unwrap();
    }
    let actor = Actor { name: format!("user:{} {}", root.id, root.username), correlation_id: uuid::Uuid::new_v4() };
    let change = PolicyChange { integrated_apps: Some(false), ..PolicyChange::default() };
    admin::set_policy_by(store, &d.tenant, change, &actor, server.now()).await.unwrap();
    let newest_first: Vec<String> = store
        .audit_events(d.tenant.id)
        .await
        .unwrap()
        .iter()
        .rev()
        .map(|e| format!("{}|{}", e.actor, e.action))
        .collect();
    let audit = format!("/{tid}/admin/audit");
    let admin = signed_in(&server, &tid, &root.username, "/audit").await;
    let get = |query: String| {
        let (admin, server, audit) = (&admin, &server, &audit);
        async move { page(admin.get(&server.url(&format!("{audit}{query}"))).await).await }
    };

    // Newest first, 50 a page; the older page holds the rest, with no entry twice.
    let (status, html) = get(String::new()).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let first = rows(&html);
    assert_eq!(first.len(), 50);
    assert_eq!(first[0], format!("user:{} {}|policy.set", root.id, root.username));
    let older = html.split("<a href=\"").find(|s| s.contains("rel=\"next\"")).unwrap().split('"').next().unwrap();
    let older = older.replace("&#38;", "&");
    assert!(older.starts_with(&format!("{audit}?before=")), "{older}");
    let (_, html) = page(admin.get(&server.url(&older)).await).await;
    let second = rows(&html);
    assert_eq!([first.clone(), second].concat(), newest_first, "each entry once, newest first");
    assert!(!html.contains("rel=\"next\""), "the last page links no further");

    // By activity (Entra's name), by actor (a username), by day.
    let (_, html) = get("?activity=Update+authorization+policy".into()).await;
    assert_eq!(rows(&html), [format!("user:{} {}|policy.set", root.id, root.username)]);
    assert!(html.contains("<option value=\"Update authorization policy\" selected>"), "{html}");
    let (_, html) = get(format!("?actor={}", root.username)).await;
    assert_eq!(rows(&html).len(), 1, "{html}");
    let (_, html) = get("?actor=cli&activity=Add+user".into()).await;
    assert_eq!(rows(&html).len(), 50, "the first page of the 56 users the command line added");
    let older = html.split("<a href=\"").find(|s| s.contains("rel=\"next\"")).unwrap().split('"').next().unwrap();
    assert!(
        older.replace("&#38;", "&").starts_with(&format!("{audit}?activity=Add+user&actor=cli&before=")),
        "{older}"
    );
    let today = &signet::error::format_timestamp(server.now())[..10];
    let (_, html) = get(format!("?from={today}&to={today}&activity=Update+authorization+policy")).await;
    assert_eq!(rows(&html).len(), 1, "{html}");
    let tomorrow = &signet::error::format_timestamp(server.now() + 86_400)[..10];
    let (_, html) = get(format!("?from={tomorrow}")).await;
    assert!(rows(&html).is_empty() && html.contains("<p id=\"no-events\">No entry matches.</p>"), "{html}");
    assert!(html.contains(&format!("name=\"from\" value=\"{tomorrow}\"")), "the filter is kept: {html}");

    // A value the log cannot use is shown beside the filters.
    for (query, message) in [
        ("?from=yesterday", "&#39;yesterday&#39; is not a day (YYYY-MM-DD)."),
        ("?actor=nobody@contoso.example", "No user nobody@contoso.example in this organization."),
        ("?activity=Hack", "&#39;Hack&#39; is not an activity of the audit log."),
        ("?before=not-a-key", "&#39;not-a-key&#39; is not a page key."),
    ] {
        let (status, html) = get(query.into()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{query}: {html}");
        assert!(html.contains(&format!("<p class=\"message\" id=\"audit-error\">{message}</p>")), "{query}: {html}");
    }
}

async fn a_reviewer_who_is_not_an_administrator_sees_only_the_queue(backend: Backend) {
    let server = TestServer::start(backend).await;
    let d = seed::directory(&server, "contoso.example").await;
    let rita = seed::user(&server, &d, "rita").await;
    let store = &server.state().store;
    let change = PolicyChange {
        consent_requests: Some(true),
        reviewers: Some(vec![rita.username.clone()]),
        ..PolicyChange::default()
    };
    admin::set_policy(store, &d.tenant, change, server.now()).await.unwrap();
    let tid = d.tenant_id();
    let queue = format!("/{tid}/admin/consent-requests");
    let reviewer = signed_in(&server, &tid, &rita.username, "/consent-requests").await;
    let (status, html) = page(reviewer.get(&server.url(&queue)).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let nav = html.split("<nav").nth(1).unwrap().split("</nav>").next().unwrap();
    assert_eq!(nav.matches("<li>").count(), 1, "{nav}");
    assert!(nav.contains(&format!("<a href=\"{queue}\" aria-current=\"page\">Admin consent requests</a>")), "{nav}");
    for path in ["/audit", "/apps", "/users", "/signing-keys"] {
        let (status, html) = page(reviewer.get(&server.url(&format!("/{tid}/admin{path}"))).await).await;
        assert_page_error(status, &html, 403, 90104);
    }
    let response = reviewer.get(&server.url(&format!("/{tid}/admin/"))).await;
    assert_eq!(response.headers()["location"], queue.as_str(), "the overview sends a reviewer to the queue");
}
