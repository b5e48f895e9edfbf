//! The admin consent request workflow: a user the tenant's policy stops asks for approval with a
//! justification; requests are grouped per app; reviewers approve (through the admin consent page),
//! deny (users may ask again) or block (the app is disabled in the tenant); requests expire; and no
//! reviewer of one tenant sees or decides another's.

use reqwest::StatusCode;
use signet::admin::{self, PolicyChange};
use signet::domain::app::GrantConsentType;
use signet::domain::consent_request::{ConsentRequest, RequestStatus};
use signet::domain::graph::GRAPH_APP_ID;
use signet::domain::policy::UserConsent;
use signet::store::User;

use crate::on_every_backend;
use crate::support::browser::{Browser, Form, page};
use crate::support::flow::*;
use crate::support::seed::{self, ClientApp, Directory, PASSWORD};
use crate::support::{Backend, TestServer};

on_every_backend!(
    blocked_users_file_one_request_per_app_and_an_admin_approves_it,
    a_denied_request_can_be_asked_again_and_a_blocked_app_signs_in_nobody,
    requests_expire_after_the_tenant_lifetime,
    reviewers_are_checked_and_tenants_isolated,
    script_in_names_and_justifications_is_text_on_the_review_pages,
    the_directory_api_reads_requests_as_app_consent_requests,
);

/// A tenant whose users may not consent, with the request workflow on: the users alice and bob, the
/// reviewer rita (not an admin), the admin root, and a web app asking for the API's `Forecast.Read`.
struct Workflow {
    server: TestServer,
    d: Directory,
    web: ClientApp,
    alice: User,
    bob: User,
    rita: User,
    root: User,
}

async fn workflow(backend: Backend) -> Workflow {
    workflow_on(TestServer::start(backend).await, "contoso.example").await
}

async fn workflow_on(server: TestServer, domain: &str) -> Workflow {
    let d = seed::directory(&server, domain).await;
    let web = seed::client_app(&server, &d, "Web App", false, false).await;
    let alice = seed::user(&server, &d, "alice").await;
    let bob = seed::user(&server, &d, "bob").await;
    let rita = seed::user(&server, &d, "rita").await;
    let root = seed::admin_user(&server, &d, "root").await;
    let change = PolicyChange {
        user_consent: Some(UserConsent::Disabled),
        consent_requests: Some(true),
        reviewers: Some(vec![rita.username.clone()]),
        request_days: Some(2),
        ..PolicyChange::default()
    };
    admin::set_policy(&server.state().store, &d.tenant, change, server.now()).await.unwrap();
    Workflow { server, d, web, alice, bob, rita, root }
}

impl Workflow {
    fn url(&self) -> String {
        let scope = format!("openid {}/Forecast.Read", self.d.api_uri);
        authorize_url(&self.server, &self.d.tenant_id(), &self.web, &[("scope", &scope)])
    }

    fn requests_url(&self) -> String {
        self.server.url(&format!("/{}/admin/consent-requests", self.d.tenant_id()))
    }

    /// Signs `user` in to the web app in a new browser; returns it and the "Need admin approval" page.
    async fn blocked(&self, user: &User) -> (Browser, String) {
        let browser = Browser::new(&self.server);
        let (status, html) = page(browser.get(&self.url()).await).await;
        assert_eq!(status, StatusCode::OK, "{html}");
        let (status, html) = page(browser.sign_in(&html, &user.username, PASSWORD).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
        assert!(html.contains("<h1>Need admin approval</h1>") && html.contains("AADSTS90095"), "{html}");
        (browser, html)
    }

    /// Sends the request form of `html` with `justification`; returns the page that follows.
    async fn ask(&self, browser: &Browser, html: &str, justification: &str) -> String {
        let form = Form::first(html).set("justification", justification);
        let (status, html) = page(browser.submit(&form, Some(("decision", "request"))).await).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
        html
    }

    /// A reviewer's browser, signed in to the review page; returns it and the page.
    async fn reviewer(&self, user: &User) -> (Browser, String) {
        review_session(&self.server, &self.d, user).await
    }

    async fn requests(&self) -> Vec<ConsentRequest> {
        self.server.state().store.consent_requests(self.d.tenant.id).await.unwrap()
    }

    /// Posts the review form (deny or block) of request `id` on the list page `html`.
    async fn refuse(&self, browser: &Browser, html: &str, id: &str, what: &str, reason: &str) -> (StatusCode, String) {
        let path = format!("/{}/admin/consent-requests/{id}/{what}", self.d.tenant_id());
        let form =
            Form::all(html).into_iter().find(|f| f.action == path).unwrap_or_else(|| panic!("no {path}: {html}"));
        page(browser.submit(&form.set("justification", reason), None).await).await
    }

    /// The tenant's audit entries of the workflow, as `action username`.
    async fn request_audit(&self) -> Vec<String> {
        let events = self.server.state().store.audit_events(self.d.tenant.id).await.unwrap();
        events
            .into_iter()
            .filter(|e| e.action.starts_with("consent_request."))
            .map(|e| format!("{} {}", e.action, e.actor.rsplit(' ').next().unwrap()))
            .collect()
    }
}

/// Signs `user` in to the review page of `d`'s tenant in a new browser; returns it and the list.
async fn review_session(server: &TestServer, d: &Directory, user: &User) -> (Browser, String) {
    let browser = Browser::new(server);
    let url = server.url(&format!("/{}/admin/consent-requests", d.tenant_id()));
    let (status, html) = page(browser.get(&url).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    assert!(html.contains("to continue to <strong>Signet administration</strong>"), "{html}");
    let response = browser.sign_in(&html, &user.username, PASSWORD).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    assert_eq!(response.headers()["location"], format!("/{}/admin/consent-requests", d.tenant_id()));
    let (status, html) = page(browser.get(&url).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    (browser, html)
}

fn assert_page_error(status: StatusCode, html: &str, want_status: u16, code: u32) {
    assert_eq!(status.as_u16(), want_status, "{html}");
    assert!(html.contains(&format!("<strong>AADSTS{code}</strong>")), "{html}");
}

async fn blocked_users_file_one_request_per_app_and_an_admin_approves_it(backend: Backend) {
    let w = workflow(backend).await;
    let (alice, html) = w.blocked(&w.alice).await;
    assert!(html.contains("Request approval") && html.contains("name=\"justification\""), "{html}");

    // A request needs a justification.
    let html = w.ask(&alice, &html, "   ").await;
    assert!(html.contains("Say why you need this app, in at most 500 characters."), "{html}");
    assert!(w.requests().await.is_empty());

    let html = w.ask(&alice, &html, "I plan the team's forecasts").await;
    assert!(html.contains("Your request is waiting for a reviewer"), "{html}");
    assert!(!html.contains("Request approval"), "no second request while one is open: {html}");
    // Posting the request form again, and signing in again, add nothing.
    let (_, again) = w.blocked(&w.alice).await;
    assert!(again.contains("Your request is waiting for a reviewer"), "{again}");
    let stale = Form::first(&html).set("justification", "again");
    alice.submit(&stale, Some(("decision", "request"))).await;

    w.server.clock.advance(1);
    let (bob, html) = w.blocked(&w.bob).await;
    w.ask(&bob, &html, "Me too").await;
    let requests = w.requests().await;
    assert_eq!(requests.len(), 1, "one request per app: {requests:?}");
    let request = &requests[0];
    let asked = vec![format!("{GRAPH_APP_ID}/openid"), format!("{}/Forecast.Read", w.d.api.app_id)];
    assert_eq!((request.status, request.app_id, &request.scopes), (RequestStatus::Pending, w.web.app.app_id, &asked));
    let who: Vec<(_, &str)> = request.requesters.iter().map(|r| (r.user_id, r.justification.as_str())).collect();
    assert_eq!(who, vec![(w.alice.id, "I plan the team's forecasts"), (w.bob.id, "Me too")]);
    assert_eq!(request.expires_at - request.created_at, 2 * 86_400, "the first request opened it");

    // The reviewer, not an admin, sees everything but cannot approve.
    let (rita, list) = w.reviewer(&w.rita).await;
    for text in [
        "Web App",
        "Forecast.Read",
        "alice@contoso.example",
        "“I plan the team&#39;s forecasts”",
        "bob@contoso.example",
    ] {
        assert!(list.contains(text), "{text} missing: {list}");
    }
    assert!(!list.contains("Review permissions and consent"), "{list}");
    let approve_url = w.server.url(&format!("/{}/admin/consent-requests/{}/approve", w.d.tenant_id(), request.id));
    let (status, html) = page(rita.get(&approve_url).await).await;
    assert_page_error(status, &html, 400, 90094);

    // The admin approves through the admin consent page.
    let (root, list) = w.reviewer(&w.root).await;
    assert!(
        list.contains(&format!("href=\"/{}/admin/consent-requests/{}/approve\"", w.d.tenant_id(), request.id)),
        "{list}"
    );
    // Only the admin consent page's form approves: a token of the list's forms does not.
    let deny = Form::all(&list).into_iter().find(|f| f.action.ends_with("/deny")).unwrap();
    let skipped =
        Form { action: format!("/{}/admin/consent-requests/{}/approve", w.d.tenant_id(), request.id), ..deny };
    let (status, html) = page(root.submit(&skipped, Some(("decision", "accept"))).await).await;
    assert_page_error(status, &html, 400, 90102);
    let (status, approval) = page(root.get(&approve_url).await).await;
    assert_eq!(status, StatusCode::OK, "{approval}");
    assert!(
        approval.contains("<h2>Forecast API</h2>") && approval.contains("<strong>Forecast.Read</strong>"),
        "{approval}"
    );
    assert!(approval.contains("Accepting grants these permissions for everyone in Test tenant."), "{approval}");
    let response = root.submit(&Form::first(&approval), Some(("decision", "accept"))).await;
    assert_eq!(response.status(), StatusCode::SEE_OTHER);
    let (_, list) = page(root.get(&w.requests_url()).await).await;
    assert!(
        list.contains("No request is waiting for a review.") && list.contains("<td class=\"status\">approved</td>"),
        "{list}"
    );

    let store = &w.server.state().store;
    let sp = store.service_principal(w.d.tenant.id, w.web.app.app_id).await.unwrap().expect("client SP");
    let grants: Vec<_> =
        store.permission_grants(w.d.tenant.id).await.unwrap().into_iter().filter(|g| g.client_id == sp.id).collect();
    let mut granted: Vec<_> = grants.iter().map(|g| (g.scope.as_str(), g.consent_type, g.principal_id)).collect();
    granted.sort_by_key(|g| g.0);
    let all = GrantConsentType::AllPrincipals;
    assert_eq!(granted, vec![("Forecast.Read", all, None), ("openid", all, None)], "exactly what was asked");
    let request = &w.requests().await[0];
    assert_eq!(request.status, RequestStatus::Approved);
    assert_eq!(request.decided_by.as_deref(), Some(format!("user:{} {}", w.root.id, w.root.username).as_str()));

    // The users now sign in without a prompt.
    for browser in [&alice, &bob] {
        code_of(&browser.get(&w.url()).await);
    }
    // Administrators read the audit log; the sign-in leads back to it. Reviewers who are not admins cannot.
    let audit_url = w.server.url(&format!("/{}/admin/audit", w.d.tenant_id()));
    let auditor = Browser::new(&w.server);
    let (_, html) = page(auditor.get(&audit_url).await).await;
    let response = auditor.sign_in(&html, &w.root.username, PASSWORD).await;
    assert_eq!(response.headers()["location"], format!("/{}/admin/audit", w.d.tenant_id()));
    let (status, html) = page(auditor.get(&audit_url).await).await;
    assert_eq!(status, StatusCode::OK, "{html}");
    let approved = w.server.state().store.audit_events(w.d.tenant.id).await.unwrap().pop().unwrap();
    assert_eq!(approved.action, "consent_request.approve");
    let row = format!("<td class=\"action\">consent_request.approve</td><td>app:{}</td>", w.web.id());
    assert!(html.contains(&row) && html.contains(&approved.correlation_id.to_string()), "{html}");
    let (status, html) = page(rita.get(&audit_url).await).await;
    assert_page_error(status, &html, 403, 90104);

    // The approval form acts once; and a decided request cannot be decided again.
    let (status, html) = page(root.submit(&Form::first(&approval), Some(("decision", "accept"))).await).await;
    assert_page_error(status, &html, 400, 90102);
    let (status, html) = page(root.get(&approve_url).await).await;
    assert_page_error(status, &html, 409, 90096);
    assert_eq!(
        w.request_audit().await,
        [
            "consent_request.file alice@contoso.example",
            "consent_request.file bob@contoso.example",
            "consent_request.approve root@contoso.example"
        ]
    );
}

async fn a_denied_request_can_be_asked_again_and_a_blocked_app_signs_in_nobody(backend: Backend) {
    let w = workflow(backend).await;
    let (alice, html) = w.blocked(&w.alice).await;
    w.ask(&alice, &html, "For the forecasts").await;
    let first = w.requests().await[0].id.to_string();

    let (rita, list) = w.reviewer(&w.rita).await;
    let (status, html) = w.refuse(&rita, &list, &first, "deny", "  ").await;
    assert_page_error(status, &html, 400, 90014);
    assert_eq!(w.requests().await[0].status, RequestStatus::Pending, "a denial needs a justification");
    let (status, _) = w.refuse(&rita, &list, &first, "deny", "Use the approved planning tool").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let request = &w.requests().await[0];
    assert_eq!(
        (request.status, request.reason.as_deref()),
        (RequestStatus::Denied, Some("Use the approved planning tool"))
    );

    // The requester sees the outcome at the next sign-in, and may ask again: a new request opens.
    let (status, html) = page(alice.get(&w.url()).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(
        html.contains("A reviewer denied your request") && html.contains("“Use the approved planning tool”"),
        "{html}"
    );
    let html = w.ask(&alice, &html, "The planning tool cannot export").await;
    assert!(html.contains("Your request is waiting for a reviewer"), "{html}");
    let requests = w.requests().await;
    let statuses: Vec<_> = requests.iter().map(|r| r.status).collect();
    assert_eq!(statuses, vec![RequestStatus::Pending, RequestStatus::Denied], "newest first");
    let second = requests[0].id.to_string();

    // Block: the app is disabled in the tenant; its sign-ins and any further request stop.
    let (_, list) = page(rita.get(&w.requests_url()).await).await;
    let (status, _) = w.refuse(&rita, &list, &second, "block", "Exports customer data").await;
    assert_eq!(status, StatusCode::SEE_OTHER);
    let store = &w.server.state().store;
    let sp = store.service_principal(w.d.tenant.id, w.web.app.app_id).await.unwrap().expect("disabled SP");
    assert!(!sp.account_enabled);
    assert_eq!(w.requests().await[0].status, RequestStatus::Blocked);
    for user in [&alice, &Browser::new(&w.server)] {
        let response = user.get(&w.url()).await;
        let response = match response.status() {
            StatusCode::OK => user.sign_in(&page(response).await.1, &w.bob.username, PASSWORD).await,
            _ => response,
        };
        assert_error_redirect(&response, "unauthorized_client", 7000112);
    }
    // Even an admin's consent does not open a blocked app.
    let root = Browser::new(&w.server);
    let (_, html) = page(root.get(&w.url()).await).await;
    assert_error_redirect(&root.sign_in(&html, &w.root.username, PASSWORD).await, "unauthorized_client", 7000112);
    assert_eq!(w.requests().await.len(), 2);
    assert_eq!(
        w.request_audit().await,
        [
            "consent_request.file alice@contoso.example",
            "consent_request.deny rita@contoso.example",
            "consent_request.file alice@contoso.example",
            "consent_request.block rita@contoso.example",
        ]
    );
}

async fn requests_expire_after_the_tenant_lifetime(backend: Backend) {
    let w = workflow(backend).await;
    let (alice, html) = w.blocked(&w.alice).await;
    w.ask(&alice, &html, "For the forecasts").await;
    let first = w.requests().await[0].id;

    // Sessions last 12 hours, so each look after the wait signs in again.
    w.server.clock.advance(2 * 86_400 - 1);
    let (_, html) = w.blocked(&w.alice).await;
    assert!(html.contains("Your request is waiting for a reviewer"), "open for exactly two days: {html}");

    w.server.clock.advance(1);
    let (alice, html) = w.blocked(&w.alice).await;
    assert!(html.contains("expired before a reviewer decided. You can ask again."), "{html}");
    w.ask(&alice, &html, "Still needed").await;
    let requests = w.requests().await;
    let statuses: Vec<_> = requests.iter().map(|r| (r.id == first, r.status)).collect();
    assert_eq!(statuses, vec![(false, RequestStatus::Pending), (true, RequestStatus::Expired)]);

    // Reviewers see the expired request in the history, and cannot decide it any more.
    let (rita, list) = w.reviewer(&w.rita).await;
    assert!(
        list.contains(&format!("<tr id=\"request-{first}\"><td>Web App</td><td class=\"status\">expired</td>")),
        "{list}"
    );
    // The history offers no form for it, and another request's form is bound to that request.
    let open = Form::all(&list).into_iter().find(|f| f.action.ends_with("/deny")).expect("the new request's form");
    let expired = Form { action: format!("/{}/admin/consent-requests/{first}/deny", w.d.tenant_id()), ..open };
    let (status, html) = page(rita.submit(&expired.set("justification", "Too late"), None).await).await;
    assert_page_error(status, &html, 400, 90102);
    let (root, _) = w.reviewer(&w.root).await;
    let approve = w.server.url(&format!("/{}/admin/consent-requests/{first}/approve", w.d.tenant_id()));
    let (status, html) = page(root.get(&approve).await).await;
    assert_page_error(status, &html, 409, 90096);
}

async fn reviewers_are_checked_and_tenants_isolated(backend: Backend) {
    let w = workflow(backend).await;
    let (alice, html) = w.blocked(&w.alice).await;
    w.ask(&alice, &html, "For the forecasts").await;
    let id = w.requests().await[0].id.to_string();

    // A user who is neither a reviewer nor an admin is refused the list.
    let bob = Browser::new(&w.server);
    let (_, html) = page(bob.get(&w.requests_url()).await).await;
    bob.sign_in(&html, &w.bob.username, PASSWORD).await;
    let (status, html) = page(bob.get(&w.requests_url()).await).await;
    assert_page_error(status, &html, 403, 90097);

    // The admin of another tenant, with a request of their own: their session does not count here,
    // their password does not work here, and their forms cannot decide this tenant's requests.
    let b = seed::directory(&w.server, "fabrikam.example").await;
    let b_root = seed::admin_user(&w.server, &b, "root").await;
    let b_web = seed::client_app(&w.server, &b, "Web App B", false, false).await;
    let change = PolicyChange {
        user_consent: Some(UserConsent::Disabled),
        consent_requests: Some(true),
        ..PolicyChange::default()
    };
    admin::set_policy(&w.server.state().store, &b.tenant, change, w.server.now()).await.unwrap();
    let b_user = seed::user(&w.server, &b, "carol").await;
    let scope = format!("openid {}/Forecast.Read", b.api_uri);
    let b_url = authorize_url(&w.server, &b.tenant_id(), &b_web, &[("scope", &scope)]);
    let carol = Browser::new(&w.server);
    let (_, html) = page(carol.get(&b_url).await).await;
    let (_, html) = page(carol.sign_in(&html, &b_user.username, PASSWORD).await).await;
    w.ask(&carol, &html, "Fabrikam forecasts").await;

    let (root_b, list_b) = review_session(&w.server, &b, &b_root).await;
    assert!(list_b.contains("Fabrikam forecasts") && !list_b.contains("alice@contoso.example"), "{list_b}");
    let (status, html) = page(root_b.get(&w.requests_url()).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<h1>Sign in</h1>") && !html.contains("alice@contoso.example"), "{html}");
    let (status, html) = page(root_b.sign_in(&html, &b_root.username, PASSWORD).await).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Your account or password is incorrect."), "{html}");
    let b_form = Form::all(&list_b).into_iter().find(|f| f.action.ends_with("/block")).expect("B's block form");
    let aimed = Form { action: format!("/{}/admin/consent-requests/{id}/block", w.d.tenant_id()), ..b_form.clone() };
    // B's form is bound to B's request: aimed at A's request, at either tenant's path, it is refused.
    let (status, html) = page(root_b.submit(&aimed.set("justification", "mine now"), None).await).await;
    assert_page_error(status, &html, 400, 90102);
    let crossed = format!("/{}/admin/consent-requests/{id}/block", b.tenant_id());
    let (status, html) =
        page(root_b.submit(&Form { action: crossed, ..b_form }.set("justification", "x"), None).await).await;
    assert_page_error(status, &html, 400, 90102);
    let (status, html) = page(root_b.get(&w.server.url(&format!("/{}/admin/audit", w.d.tenant_id()))).await).await;
    assert!(status == StatusCode::OK && html.contains("<h1>Sign in</h1>"), "{status} {html}");
    let approve = w.server.url(&format!("/{}/admin/consent-requests/{id}/approve", b.tenant_id()));
    let (status, html) = page(root_b.get(&approve).await).await;
    assert_page_error(status, &html, 404, 90099);
    assert_eq!(w.requests().await[0].status, RequestStatus::Pending);

    // A form without this browser's token is refused.
    let (rita, list) = w.reviewer(&w.rita).await;
    let path = format!("/{}/admin/consent-requests/{id}/deny", w.d.tenant_id());
    let form = Form::all(&list).into_iter().find(|f| f.action == path).unwrap();
    let (status, html) =
        page(Browser::new(&w.server).submit(&form.clone().set("justification", "no"), None).await).await;
    assert_page_error(status, &html, 400, 90102);
    let (status, html) = page(rita.submit(&form.set("csrf", "forged").set("justification", "no"), None).await).await;
    assert_page_error(status, &html, 400, 90102);
    assert_eq!(w.requests().await[0].status, RequestStatus::Pending);

    // With the workflow off, the page offers no request and a posted one is not filed.
    let change = PolicyChange { consent_requests: Some(false), ..PolicyChange::default() };
    admin::set_policy(&w.server.state().store, &w.d.tenant, change, w.server.now()).await.unwrap();
    let (bob_user, html) = blocked_without_workflow(&w, &w.bob).await;
    let form = Form::first(&html).set("justification", "please");
    let (status, html) = page(bob_user.submit(&form, Some(("decision", "request"))).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(html.contains("AADSTS90093") && !html.contains("Request approval"), "{html}");
    assert_eq!(w.requests().await[0].requesters.len(), 1);
}

/// "Need admin approval" without the workflow: AADSTS90093 and no request form.
async fn blocked_without_workflow(w: &Workflow, user: &User) -> (Browser, String) {
    let browser = Browser::new(&w.server);
    let (_, html) = page(browser.get(&w.url()).await).await;
    let (status, html) = page(browser.sign_in(&html, &user.username, PASSWORD).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{html}");
    assert!(html.contains("AADSTS90093") && !html.contains("Request approval"), "{html}");
    (browser, html)
}

/// Issue 16's probe of script in displayed names, on the workflow's pages: the user's "Need admin
/// approval" page, the reviewer's list, the approval page and the audit log.
async fn script_in_names_and_justifications_is_text_on_the_review_pages(backend: Backend) {
    let w = workflow(backend).await;
    let script = "<script>alert(1)</script>";
    let mut app = w.web.app.clone();
    app.display_name = script.into();
    w.server.state().store.save_app(w.d.tenant.id, &app, None).await.unwrap();
    let (alice, blocked) = w.blocked(&w.alice).await;
    w.ask(&alice, &blocked, script).await;
    let (root, list) = w.reviewer(&w.root).await;
    let id = w.requests().await[0].id;
    let approve = w.server.url(&format!("/{}/admin/consent-requests/{id}/approve", w.d.tenant_id()));
    let (_, approval) = page(root.get(&approve).await).await;
    let (_, audit) = page(root.get(&w.server.url(&format!("/{}/admin/audit", w.d.tenant_id()))).await).await;
    for (name, html) in [("blocked", &blocked), ("list", &list), ("approval", &approval), ("audit", &audit)] {
        assert!(!html.contains(script), "{name} carries the script as markup:\n{html}");
    }
    for (name, html) in [("blocked", &blocked), ("list", &list), ("approval", &approval)] {
        assert!(
            html.contains("&#60;script&#62;alert(1)&#60;/script&#62;") || html.contains("&lt;script&gt;"),
            "{name}:\n{html}"
        );
    }
}

/// The directory API's view of the workflow (issue 17): `appConsentRequests` with their users' parts,
/// for apps with `ConsentRequest.Read.All`, and for administrators and reviewers only among users.
async fn the_directory_api_reads_requests_as_app_consent_requests(backend: Backend) {
    let w = workflow(backend).await;
    let (browser, html) = w.blocked(&w.alice).await;
    w.ask(&browser, &html, "Needed for the weekly report").await;
    w.server.clock.advance(60);
    let (browser, html) = w.blocked(&w.bob).await;
    w.ask(&browser, &html, "Me too").await;
    let request = w.requests().await.remove(0);

    let store = &w.server.state().store;
    let roles = ["ConsentRequest.Read.All".to_owned()];
    admin::require(store, &w.d.tenant, &w.d.daemon_id(), "https://graph.microsoft.com", &[], &roles, w.server.now())
        .await
        .unwrap();
    admin::grant_consent(store, &w.d.tenant, &w.d.daemon_id(), w.server.now()).await.unwrap();
    let form = [
        ("grant_type", "client_credentials"),
        ("client_id", &w.d.daemon_id()),
        ("client_secret", &w.d.secret),
        ("scope", "https://graph.microsoft.com/.default"),
    ];
    let (_, tokens) = w.server.token(&w.d.tenant_id(), &form).await;
    let token = tokens["access_token"].as_str().unwrap().to_owned();
    let get = |path: String, token: String| {
        let server = &w.server;
        async move {
            let response = server.http.get(server.url(&path)).bearer_auth(token).send().await.unwrap();
            (response.status(), response.json::<serde_json::Value>().await.unwrap())
        }
    };
    let base = "/v1.0/identityGovernance/appConsent/appConsentRequests";
    let (status, listed) = get(base.to_owned(), token.clone()).await;
    assert_eq!(status, StatusCode::OK, "{listed}");
    let pending: Vec<serde_json::Value> =
        request.scopes.iter().map(|s| serde_json::json!({ "displayName": s.rsplit('/').next().unwrap() })).collect();
    assert_eq!(
        listed["value"],
        serde_json::json!([{
            "id": request.id, "appId": w.web.id(), "appDisplayName": "Web App", "pendingScopes": pending,
        }])
    );
    let (status, parts) = get(format!("{base}/{}/userConsentRequests", request.id), token.clone()).await;
    assert_eq!(status, StatusCode::OK, "{parts}");
    let reasons: Vec<(&str, &str, &str, &str)> = parts["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["createdBy"]["user"]["userPrincipalName"].as_str().unwrap(),
                p["reason"].as_str().unwrap(),
                p["status"].as_str().unwrap(),
                p["approval"]["stages"][0]["reviewResult"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        reasons,
        [
            ("alice@contoso.example", "Needed for the weekly report", "InProgress", "NotReviewed"),
            ("bob@contoso.example", "Me too", "InProgress", "NotReviewed"),
        ]
    );
    let (status, _) = get(format!("{base}/{}", uuid::Uuid::new_v4()), token.clone()).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Among users, the reviewer rita reads them and the member alice does not, with the same scope.
    let scopes = ["ConsentRequest.Read.All".to_owned()];
    admin::require(store, &w.d.tenant, &w.web.id(), "https://graph.microsoft.com", &scopes, &[], w.server.now())
        .await
        .unwrap();
    admin::grant_consent(store, &w.d.tenant, &w.web.id(), w.server.now()).await.unwrap();
    for (user, want) in [(&w.rita, StatusCode::OK), (&w.alice, StatusCode::FORBIDDEN)] {
        let url = authorize_url(&w.server, &w.d.tenant_id(), &w.web, &[("scope", "ConsentRequest.Read.All")]);
        let code = code_of(&sign_in_and_consent(&Browser::new(&w.server), &url, &user.username).await);
        let (status, tokens) = post_token(&w.server, &w.d.tenant_id(), &redeem_form(&w.web, &code, VERIFIER)).await;
        assert_eq!(status, StatusCode::OK, "{tokens}");
        let (status, body) = get(base.to_owned(), tokens["access_token"].as_str().unwrap().to_owned()).await;
        assert_eq!(status, want, "{}: {body}", user.username);
    }
}
