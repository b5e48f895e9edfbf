"""Gets tokens from the v1.0 endpoint with ADAL for Python (the `adal` package, unchanged but for the
authority, which is not one ADAL knows, so validate_authority=False) and prints ADAL's result.

Usage: adal_v1.py client_credentials | authorization_code
Environment: AUTHORITY, RESOURCE, CLIENT_ID, CLIENT_SECRET; for authorization_code also CODE and
REDIRECT_URI. REQUESTS_CA_BUNDLE names the certificate that signs the server's TLS certificate.
"""
import json
import os
import sys

import adal


def main():
    context = adal.AuthenticationContext(os.environ["AUTHORITY"], validate_authority=False)
    env = os.environ
    if sys.argv[1] == "client_credentials":
        result = context.acquire_token_with_client_credentials(env["RESOURCE"], env["CLIENT_ID"], env["CLIENT_SECRET"])
    else:
        result = context.acquire_token_with_authorization_code(
            env["CODE"], env["REDIRECT_URI"], env["RESOURCE"], env["CLIENT_ID"], env["CLIENT_SECRET"]
        )
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
