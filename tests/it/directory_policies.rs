//! The directory API's policies (issue 17): the user consent setting as Graph's `authorizationPolicy`
//! (`permissionGrantPoliciesAssigned`), and the admin consent request workflow as
//! `adminConsentRequestPolicy`.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use signet::domain::policy::UserConsent;

use crate::on_every_backend;
use crate::support::graph::{GraphSetup, assert_graph_error};
use crate::support::{Backend, seed};

on_every_backend!(
    the_user_consent_setting_is_graphs_authorization_policy,
    the_consent_request_workflow_is_graphs_admin_consent_request_policy,
    delegated_permissions_are_classified_low_impact_per_service_principal,
);

const AUTHORIZATION: &str = "/v1.0/policies/authorizationPolicy";
const REQUESTS: &str = "/v1.0/policies/adminConsentRequestPolicy";

fn assigned(body: &Value) -> Value {
    json!({ "defaultUserRolePermissions": { "permissionGrantPoliciesAssigned": body } })
}

async fn the_user_consent_setting_is_graphs_authorization_policy(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    s.grant_daemon(&["Policy.Read.All", "Policy.ReadWrite.Authorization"]).await;
    let token = s.app_token().await;
    let (status, _, policy) = s.get(AUTHORIZATION, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{policy}");
    assert_eq!(
        policy,
        json!({
            "@odata.context": format!("{}/v1.0/$metadata#policies/authorizationPolicy/$entity", s.server.base),
            "id": "authorizationPolicy",
            "displayName": "Authorization Policy",
            "description": "Used to manage authorization related settings across the company.",
            "defaultUserRolePermissions": {
                "allowedToCreateApps": false,
                "allowedToCreateSecurityGroups": false,
                "allowedToReadOtherUsers": true,
                "permissionGrantPoliciesAssigned": ["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"],
            },
        })
    );
    let store = &s.server.state().store;
    for (value, expected) in [
        (json!([]), UserConsent::Disabled),
        (json!(["ManagePermissionGrantsForSelf.microsoft-user-default-low"]), UserConsent::LowImpact),
        (json!(["ManagePermissionGrantsForSelf.microsoft-user-default-legacy"]), UserConsent::All),
    ] {
        let (status, _, body) = s.call(Method::PATCH, AUTHORIZATION, Some(&token), Some(&assigned(&value))).await;
        assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
        assert_eq!(store.tenant_policy(s.d.tenant.id).await.unwrap().user_consent, expected);
        let (_, _, policy) = s.get(AUTHORIZATION, Some(&token)).await;
        assert_eq!(policy["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"], value);
    }
    for (patch, code) in [
        (assigned(&json!(["ManagePermissionGrantsForSelf.custom"])), "Request_BadRequest"),
        (json!({ "allowInvitesFrom": "none" }), "BadRequest"),
    ] {
        let (status, _, body) = s.call(Method::PATCH, AUTHORIZATION, Some(&token), Some(&patch)).await;
        assert_graph_error(status, &body, 400, code);
    }
    let events = store.audit_events(s.d.tenant.id).await.unwrap();
    let by_daemon = events.iter().filter(|e| e.action == "policy.set" && e.actor == format!("app:{}", s.d.daemon_id()));
    assert_eq!(by_daemon.count(), 3);

    // Reading needs a policy permission; a member's token with the scope cannot write.
    let other = s.app_token_of(&[]).await;
    let (status, _, body) = s.get(AUTHORIZATION, Some(&other)).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
    let alice = seed::user(&s.server, &s.d, "alice").await;
    s.grant_web(&["Policy.ReadWrite.Authorization"]).await;
    let member = s.user_token(&alice.username, "Policy.ReadWrite.Authorization").await;
    let (status, _, body) = s.call(Method::PATCH, AUTHORIZATION, Some(&member), Some(&assigned(&json!([])))).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
}

async fn the_consent_request_workflow_is_graphs_admin_consent_request_policy(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    let root = seed::admin_user(&s.server, &s.d, "root").await;
    let fabrikam = seed::directory(&s.server, "fabrikam.example").await;
    let carol = seed::user(&s.server, &fabrikam, "carol").await;
    s.grant_daemon(&["Policy.Read.All", "Policy.ReadWrite.ConsentRequest"]).await;
    let token = s.app_token().await;
    let (status, _, policy) = s.get(REQUESTS, Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{policy}");
    let context = format!("{}/v1.0/$metadata#policies/adminConsentRequestPolicy/$entity", s.server.base);
    assert_eq!(
        policy,
        json!({
            "@odata.context": context, "isEnabled": false, "notifyReviewers": false, "remindersEnabled": false,
            "requestDurationInDays": 30, "version": 0, "reviewers": [],
        })
    );
    let put = json!({
        "isEnabled": true, "notifyReviewers": false, "remindersEnabled": false, "requestDurationInDays": 14,
        "reviewers": [{ "query": format!("/users/{}", root.id), "queryType": "MicrosoftGraph", "queryRoot": null }],
    });
    let (status, _, body) = s.call(Method::PUT, REQUESTS, Some(&token), Some(&put)).await;
    assert_eq!(status, StatusCode::NO_CONTENT, "{body}");
    let (_, _, policy) = s.get(REQUESTS, Some(&token)).await;
    assert_eq!(
        policy,
        json!({
            "@odata.context": context, "isEnabled": true, "notifyReviewers": false, "remindersEnabled": false,
            "requestDurationInDays": 14, "version": 0,
            "reviewers": [{ "query": format!("/users/{}", root.id), "queryType": "MicrosoftGraph", "queryRoot": null }],
        })
    );
    let stored = s.server.state().store.tenant_policy(s.d.tenant.id).await.unwrap();
    assert_eq!((stored.consent_requests, stored.request_days, stored.reviewers), (true, 14, vec![root.id]));

    let with = |key: &str, value: Value| {
        let mut body = put.clone();
        body[key] = value;
        body
    };
    for (body, message) in [
        (with("notifyReviewers", json!(true)), "Signet sends no e-mail"),
        (with("reviewers", json!([{ "query": "/groups/1b4e28ba-2fa1-11d2-883f-0016d3cca427" }])), "is not supported"),
        (with("reviewers", json!([{ "query": format!("/users/{}", carol.id) }])), "is not a user of this tenant"),
        (with("requestDurationInDays", json!(0)), "must be 1 to 365"),
    ] {
        let (status, _, response) = s.call(Method::PUT, REQUESTS, Some(&token), Some(&body)).await;
        assert_graph_error(status, &response, 400, "Request_BadRequest");
        assert!(response["error"]["message"].as_str().unwrap().contains(message), "{body}: {response}");
    }
    let unchanged = s.server.state().store.tenant_policy(s.d.tenant.id).await.unwrap();
    assert_eq!(unchanged.request_days, 14, "a refused change changes nothing");
}

async fn delegated_permissions_are_classified_low_impact_per_service_principal(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    s.grant_daemon(&["Policy.ReadWrite.PermissionGrant"]).await;
    let token = s.app_token().await;
    let path = format!("/v1.0/servicePrincipals(appId='{}')/delegatedPermissionClassifications", s.d.api.app_id);
    let (status, _, listed) = s.get(&path, Some(&token)).await;
    assert_eq!((status, listed["value"].clone()), (StatusCode::OK, json!([])), "{listed}");
    let scope = s.d.api.scope("Forecast.Read").unwrap().id.to_string();
    let body = json!({ "permissionName": "Forecast.Read", "classification": "low" });
    let (status, _, created) = s.call(Method::POST, &path, Some(&token), Some(&body)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let expected =
        json!({ "id": scope, "permissionId": scope, "permissionName": "Forecast.Read", "classification": "low" });
    let mut without_context = created.clone();
    without_context.as_object_mut().unwrap().remove("@odata.context");
    assert_eq!(without_context, expected);
    let (_, _, listed) = s.get(&path, Some(&token)).await;
    assert_eq!(listed["value"], json!([expected]));
    let store = &s.server.state().store;
    assert_eq!(
        store.low_impact_permissions(s.d.tenant.id).await.unwrap(),
        [(s.d.api.app_id, s.d.api.scope("Forecast.Read").unwrap().id)]
    );
    for body in [
        json!({ "permissionName": "Forecast.Read", "classification": "medium" }),
        json!({ "permissionName": "Forecast.Nope", "classification": "low" }),
    ] {
        let (status, _, response) = s.call(Method::POST, &path, Some(&token), Some(&body)).await;
        assert_graph_error(status, &response, 400, "Request_BadRequest");
    }
    let (status, _, _) = s.call(Method::DELETE, &format!("{path}/{scope}"), Some(&token), None).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (_, _, listed) = s.get(&path, Some(&token)).await;
    assert_eq!(listed["value"], json!([]));
    let (status, _, body) = s.call(Method::DELETE, &format!("{path}/{scope}"), Some(&token), None).await;
    assert_graph_error(status, &body, 404, "Request_ResourceNotFound");
}
