"""Signs a user in with Microsoft's msal library by username and password
(acquire_token_by_username_password, a public client) and prints msal's result, with the user realm
requests msal sent.

MSAL Python asks the user realm at `https://{host}/common/userrealm/…`, without the authority's port:
it assumes 443. The test server listens on another port, so requests to the host without a port go to
that port, as they would reach a server on 443 in production.

Usage: password.py public
Environment: AUTHORITY, CLIENT_ID, SCOPE, USERNAME, PASSWORD; REQUESTS_CA_BUNDLE names the certificate
that signs the server's TLS certificate.
"""
import json
import os
from urllib.parse import urlsplit

import msal
import requests

AUTHORITY = urlsplit(os.environ["AUTHORITY"])
REALM_REQUESTS = []


class AuthorityPort(requests.adapters.HTTPAdapter):
    def send(self, request, **kwargs):
        url = urlsplit(request.url)
        if url.hostname == AUTHORITY.hostname and url.port is None:
            request.url = url._replace(netloc=AUTHORITY.netloc).geturl()
            REALM_REQUESTS.append(url.path)
        return super().send(request, **kwargs)


def main():
    session = requests.Session()
    session.mount("https://", AuthorityPort())
    app = msal.PublicClientApplication(
        os.environ["CLIENT_ID"], authority=os.environ["AUTHORITY"], instance_discovery=False, http_client=session
    )
    result = app.acquire_token_by_username_password(
        os.environ["USERNAME"], os.environ["PASSWORD"], scopes=[os.environ["SCOPE"]]
    )
    print(json.dumps({"result": result, "realm_requests": REALM_REQUESTS}))


if __name__ == "__main__":
    main()
