"""Administers a Signet tenant with Microsoft's own clients, configured only with Signet's base URL and
host: azure-identity's ClientSecretCredential gets an app-only token from Signet, and the Microsoft Graph
SDK for Python (msgraph-sdk) pointed at {base}/v1.0 registers an app with a role and a scope, adds a
client secret, adds the app's service principal and assigns the role to a user. Then the user signs in
to the new app with msal (the form-submitting browser of auth_code.py) and the script prints the app's
ids and the user's tokens for the test to check.

With the argument `delegated`, a member user signs in to an existing web app with msal for
User.ReadWrite.All (granted tenant-wide by an admin), reads /v1.0/me and tries to create a user; the
script prints both answers. Environment: BASE, TENANT_ID, CLIENT_ID and CLIENT_SECRET (the web app),
USERNAME, PASSWORD, REDIRECT_URI.

Environment without an argument: BASE (https://127.0.0.1:port), TENANT_ID, CLIENT_ID and CLIENT_SECRET (a daemon granted
Application.ReadWrite.All and AppRoleAssignment.ReadWrite.All), USER_ID, USERNAME, PASSWORD,
REDIRECT_URI, ORDERS_URI (the new app's identifier URI); REQUESTS_CA_BUNDLE and SSL_CERT_FILE name the
certificate that signs the server's TLS certificate.
"""
import asyncio
import json
import os
import sys
import urllib.parse
import uuid

import msal
import requests
from azure.identity.aio import ClientSecretCredential
from kiota_authentication_azure.azure_identity_authentication_provider import AzureIdentityAuthenticationProvider
from msgraph import GraphRequestAdapter, GraphServiceClient
from msgraph.generated.applications.item.add_password.add_password_post_request_body import (
    AddPasswordPostRequestBody,
)
from msgraph.generated.models.api_application import ApiApplication
from msgraph.generated.models.app_role import AppRole
from msgraph.generated.models.app_role_assignment import AppRoleAssignment
from msgraph.generated.models.application import Application
from msgraph.generated.models.password_credential import PasswordCredential
from msgraph.generated.models.permission_scope import PermissionScope
from msgraph.generated.models.service_principal import ServicePrincipal
from msgraph.generated.models.web_application import WebApplication

from auth_code import submit

GRAPH_SCOPE = "https://graph.microsoft.com/.default"


def graph_client(credential):
    base = os.environ["BASE"]
    host = urllib.parse.urlsplit(base).hostname
    auth = AzureIdentityAuthenticationProvider(credential, scopes=[GRAPH_SCOPE], allowed_hosts=[host])
    adapter = GraphRequestAdapter(auth)
    adapter.base_url = f"{base}/v1.0"
    return GraphServiceClient(request_adapter=adapter)


async def administer():
    credential = ClientSecretCredential(
        os.environ["TENANT_ID"],
        os.environ["CLIENT_ID"],
        os.environ["CLIENT_SECRET"],
        authority=os.environ["BASE"],
        disable_instance_discovery=True,
    )
    client = graph_client(credential)
    role_id = uuid.uuid4()
    app = await client.applications.post(
        Application(
            display_name="Orders",
            sign_in_audience="AzureADMyOrg",
            identifier_uris=[os.environ["ORDERS_URI"]],
            web=WebApplication(redirect_uris=[os.environ["REDIRECT_URI"]]),
            api=ApiApplication(
                oauth2_permission_scopes=[
                    PermissionScope(
                        id=uuid.uuid4(),
                        value="Orders.Read",
                        type="User",
                        admin_consent_display_name="Read orders",
                        admin_consent_description="Reads your orders.",
                        is_enabled=True,
                    )
                ]
            ),
            app_roles=[
                AppRole(
                    id=role_id,
                    value="Orders.Admin",
                    display_name="Order administrators",
                    description="Administers orders.",
                    allowed_member_types=["User"],
                    is_enabled=True,
                )
            ],
        )
    )
    password = await client.applications.by_application_id(app.id).add_password.post(
        AddPasswordPostRequestBody(password_credential=PasswordCredential(display_name="msgraph-sdk test"))
    )
    sp = await client.service_principals.post(ServicePrincipal(app_id=app.app_id))
    assignment = await client.service_principals.by_service_principal_id(sp.id).app_role_assigned_to.post(
        AppRoleAssignment(principal_id=uuid.UUID(os.environ["USER_ID"]), resource_id=uuid.UUID(sp.id), app_role_id=role_id)
    )
    fetched = await client.applications.by_application_id(app.id).get()
    await credential.close()
    return {
        "app_id": app.app_id,
        "object_id": app.id,
        "secret": password.secret_text,
        "secret_hint": password.hint,
        "listed_hints": [p.hint for p in fetched.password_credentials],
        "sp_id": sp.id,
        "sp_app_id": sp.app_id,
        "assignment": {
            "principal_id": str(assignment.principal_id),
            "resource_id": str(assignment.resource_id),
            "app_role_id": str(assignment.app_role_id),
            "principal_type": assignment.principal_type,
        },
    }


def sign_in(app_id, secret, scopes=None):
    app = msal.ConfidentialClientApplication(
        app_id,
        client_credential=secret,
        authority=f"{os.environ['BASE']}/{os.environ['TENANT_ID']}",
        instance_discovery=False,
    )
    scopes = scopes or [f"{os.environ['ORDERS_URI']}/Orders.Read"]
    flow = app.initiate_auth_code_flow(scopes, redirect_uri=os.environ["REDIRECT_URI"])
    browser = requests.Session()
    page = browser.get(flow["auth_uri"], allow_redirects=False)
    response = submit(browser, page, {"username": os.environ["USERNAME"], "password": os.environ["PASSWORD"]})
    if response.status_code == 200 and "Permissions requested" in response.text:
        response = submit(browser, response, {"decision": "accept"})
    location = response.headers.get("Location", "")
    auth_response = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))
    return app.acquire_token_by_auth_code_flow(flow, auth_response)


def delegated():
    tokens = sign_in(os.environ["CLIENT_ID"], os.environ["CLIENT_SECRET"], ["User.ReadWrite.All"])
    headers = {"Authorization": f"Bearer {tokens['access_token']}"}
    base = os.environ["BASE"]
    me = requests.get(f"{base}/v1.0/me", headers=headers)
    user = {
        "accountEnabled": True,
        "displayName": "Mallory",
        "mailNickname": "mallory",
        "userPrincipalName": "mallory@contoso.example",
        "passwordProfile": {"password": "a long enough password"},
    }
    created = requests.post(f"{base}/v1.0/users", headers=headers, json=user)
    return {"me": [me.status_code, me.json()], "create": [created.status_code, created.json()]}


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "delegated":
        print(json.dumps(delegated()))
        return
    administered = asyncio.run(administer())
    tokens = sign_in(administered["app_id"], administered["secret"])
    print(json.dumps({"administered": administered, "tokens": tokens}))


if __name__ == "__main__":
    main()
