"""Gets a client-credentials token from Signet with Microsoft's msal library and prints msal's result.

Usage: client_credentials.py secret|cert-sha1|cert-ps256
Environment: AUTHORITY, CLIENT_ID, SCOPE, and CLIENT_SECRET or PRIVATE_KEY_FILE + CERT_FILE + THUMBPRINT;
INSTANCE_DISCOVERY, the instance discovery endpoint msal asks (instance discovery is off without it);
REQUESTS_CA_BUNDLE names the certificate that signs the server's TLS certificate.
"""
import json
import os
import sys

import msal


def credential(mode):
    if mode == "secret":
        return os.environ["CLIENT_SECRET"]
    with open(os.environ["PRIVATE_KEY_FILE"]) as f:
        private_key = f.read()
    if mode == "cert-sha1":
        # RS256 with x5t (SHA-1 thumbprint).
        return {"private_key": private_key, "thumbprint": os.environ["THUMBPRINT"]}
    if mode == "cert-ps256":
        # PS256 with x5t#S256, which msal uses when given the certificate itself.
        with open(os.environ["CERT_FILE"]) as f:
            return {"private_key": private_key, "public_certificate": f.read()}
    raise SystemExit(f"unknown mode {mode}")


def main():
    app = msal.ConfidentialClientApplication(
        os.environ["CLIENT_ID"],
        client_credential=credential(sys.argv[1]),
        authority=os.environ["AUTHORITY"],
        instance_discovery=os.environ.get("INSTANCE_DISCOVERY") or False,
    )
    print(json.dumps(app.acquire_token_for_client(scopes=[os.environ["SCOPE"]])))


if __name__ == "__main__":
    main()
