"""A middle-tier API exchanges a user's access token for a token to a downstream API with Microsoft's
msal library (acquire_token_on_behalf_of) and prints msal's result.

Usage: on_behalf_of.py secret
Environment: AUTHORITY, CLIENT_ID, CLIENT_SECRET, USER_ASSERTION, SCOPE; REQUESTS_CA_BUNDLE names the
certificate that signs the server's TLS certificate.
"""
import json
import os

import msal


def main():
    app = msal.ConfidentialClientApplication(
        os.environ["CLIENT_ID"],
        client_credential=os.environ["CLIENT_SECRET"],
        authority=os.environ["AUTHORITY"],
        instance_discovery=False,
    )
    print(json.dumps(app.acquire_token_on_behalf_of(os.environ["USER_ASSERTION"], scopes=[os.environ["SCOPE"]])))


if __name__ == "__main__":
    main()
