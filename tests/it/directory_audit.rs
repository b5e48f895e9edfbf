//! The directory API's audit log (issue 17): every change, newest first, in Graph's `directoryAudit`
//! shape with its actor and correlation id, filtered by time and activity, paged by key.

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

use crate::on_every_backend;
use crate::support::Backend;
use crate::support::graph::{CLIENT_REQUEST_ID, GraphSetup, assert_graph_error};

on_every_backend!(the_audit_log_lists_changes_newest_first_filtered_by_time_and_activity);

fn names(body: &Value) -> Vec<String> {
    body["value"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["targetResources"][0]["userPrincipalName"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn the_audit_log_lists_changes_newest_first_filtered_by_time_and_activity(backend: Backend) {
    let s = GraphSetup::start(backend).await;
    s.grant_daemon(&["AuditLog.Read.All", "User.ReadWrite.All"]).await;
    let token = s.app_token().await;
    let start = s.server.now();
    for name in ["ann", "ben", "cat"] {
        s.server.clock.advance(60);
        let body = json!({
            "accountEnabled": true, "displayName": name, "mailNickname": name,
            "userPrincipalName": format!("{name}@contoso.example"),
            "passwordProfile": { "password": "a long enough password" },
        });
        let (status, _, created) = s.call(Method::POST, "/v1.0/users", Some(&token), Some(&body)).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
    }
    let (status, _, all) =
        s.get("/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq 'Add user'", Some(&token)).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(names(&all), ["cat@contoso.example", "ben@contoso.example", "ann@contoso.example"]);
    let newest = &all["value"][0];
    let when = time::OffsetDateTime::from_unix_timestamp(start + 180).unwrap();
    let when = when.format(&time::format_description::well_known::Rfc3339).unwrap();
    assert_eq!(
        newest,
        &json!({
            "id": newest["id"],
            "category": "UserManagement",
            "correlationId": CLIENT_REQUEST_ID,
            "result": "success",
            "resultReason": "",
            "activityDisplayName": "Add user",
            "activityDateTime": when,
            "loggedByService": "Signet",
            "operationType": "Add",
            "initiatedBy": { "user": null, "app": { "appId": s.d.daemon_id(), "displayName": null, "servicePrincipalId": null } },
            "targetResources": [{
                "id": null, "displayName": null, "type": "User",
                "userPrincipalName": "cat@contoso.example", "modifiedProperties": [],
            }],
            "additionalDetails": [
                { "key": "action", "value": "user.create" },
                { "key": "details", "value": "{\"accountEnabled\":true,\"isAdmin\":false,\"userPrincipalName\":\"cat@contoso.example\"}" },
            ],
        })
    );

    // By time: only what happened from the second minute on.
    let from = time::OffsetDateTime::from_unix_timestamp(start + 120).unwrap();
    let from = from.format(&time::format_description::well_known::Rfc3339).unwrap();
    let path = format!(
        "/v1.0/auditLogs/directoryAudits?$filter=activityDateTime ge {from} and activityDisplayName eq 'add user'"
    );
    let (_, _, recent) = s.get(&path, Some(&token)).await;
    assert_eq!(names(&recent), ["cat@contoso.example", "ben@contoso.example"]);

    // Paged by key: one a page, each page older than the last.
    let mut url =
        Some(s.server.url("/v1.0/auditLogs/directoryAudits?$top=1&$filter=activityDisplayName eq 'Add user'"));
    let mut seen = Vec::new();
    while let Some(next) = url {
        let (status, _, page) = s.get(&next, Some(&token)).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        seen.extend(names(&page));
        url = page["@odata.nextLink"].as_str().map(str::to_owned);
    }
    assert_eq!(seen, ["cat@contoso.example", "ben@contoso.example", "ann@contoso.example"]);

    // The seed's command-line changes are there too, by the command line.
    let (_, _, apps) =
        s.get("/v1.0/auditLogs/directoryAudits?$filter=activityDisplayName eq 'Add application'", Some(&token)).await;
    let cli = &apps["value"][0]["initiatedBy"]["app"];
    assert_eq!((cli["appId"].clone(), cli["displayName"].clone()), (Value::Null, json!("Signet command line")));

    for (query, code) in [
        ("$filter=result eq 'success'", "Request_UnsupportedQuery"),
        ("$filter=activityDateTime ge yesterday", "BadRequest"),
        ("$filter=activityDisplayName ge 'a'", "Request_UnsupportedQuery"),
    ] {
        let (status, _, body) = s.get(&format!("/v1.0/auditLogs/directoryAudits?{query}"), Some(&token)).await;
        assert_graph_error(status, &body, 400, code);
    }
    let other = s.app_token_of(&["User.Read.All"]).await;
    let (status, _, body) = s.get("/v1.0/auditLogs/directoryAudits", Some(&other)).await;
    assert_graph_error(status, &body, 403, "Authorization_RequestDenied");
}
