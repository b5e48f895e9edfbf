"""Signs a user in to Signet with Microsoft's msal library: the authorization code flow, with the sign-in
and consent forms submitted as a browser would, then a silent refresh. Prints what msal returned.

Usage: auth_code.py confidential|public
Environment: AUTHORITY, CLIENT_ID, SCOPE, REDIRECT_URI, USERNAME, PASSWORD, CLIENT_SECRET (confidential);
REQUESTS_CA_BUNDLE names the certificate that signs the server's TLS certificate.
"""
import json
import os
import sys
import urllib.parse
from html.parser import HTMLParser

import msal
import requests


class FormReader(HTMLParser):
    """The first form of a page: its action and the values of its inputs (passwords left out)."""

    def __init__(self):
        super().__init__()
        self.action = None
        self.fields = {}
        self.done = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.done:
            return
        if tag == "form" and self.action is None:
            self.action = attrs.get("action", "")
        elif tag == "input" and self.action is not None and attrs.get("name"):
            if attrs.get("type") != "password":
                self.fields[attrs["name"]] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form" and self.action is not None:
            self.done = True


def submit(browser, response, extra):
    reader = FormReader()
    reader.feed(response.text)
    if reader.action is None:
        raise SystemExit(f"no form on the page ({response.status_code}): {response.text[:500]}")
    fields = dict(reader.fields, **extra)
    return browser.post(urllib.parse.urljoin(response.url, reader.action), data=fields, allow_redirects=False)


def main():
    mode = sys.argv[1]
    common = dict(authority=os.environ["AUTHORITY"], instance_discovery=False)
    if mode == "confidential":
        app = msal.ConfidentialClientApplication(
            os.environ["CLIENT_ID"], client_credential=os.environ["CLIENT_SECRET"], **common
        )
    else:
        app = msal.PublicClientApplication(os.environ["CLIENT_ID"], **common)
    scopes = [os.environ["SCOPE"]]
    flow = app.initiate_auth_code_flow(scopes, redirect_uri=os.environ["REDIRECT_URI"])

    browser = requests.Session()
    page = browser.get(flow["auth_uri"], allow_redirects=False)
    if "<h1>Sign in</h1>" not in page.text:
        raise SystemExit(f"expected the sign-in page ({page.status_code}): {page.text[:500]}")
    response = submit(browser, page, {"username": os.environ["USERNAME"], "password": os.environ["PASSWORD"]})
    if response.status_code == 200 and "Permissions requested" in response.text:
        response = submit(browser, response, {"decision": "accept"})
    location = response.headers.get("Location", "")
    if not location.startswith(os.environ["REDIRECT_URI"]):
        raise SystemExit(f"expected a redirect to the app ({response.status_code}): {response.text[:500]}")
    auth_response = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(location).query))

    first = app.acquire_token_by_auth_code_flow(flow, auth_response)
    accounts = app.get_accounts()
    silent = app.acquire_token_silent(scopes, account=accounts[0], force_refresh=True) if accounts else None
    print(json.dumps({"first": first, "accounts": [a["username"] for a in accounts], "silent": silent}))


if __name__ == "__main__":
    main()
