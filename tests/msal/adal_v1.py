"""Gets tokens from the v1.0 endpoint with ADAL for Python (the `adal` package, unchanged but for the
authority, which is not one ADAL knows, so validate_authority=False) and prints ADAL's result.

Usage: adal_v1.py client_credentials | authorization_code | device_code
Environment: AUTHORITY, RESOURCE, CLIENT_ID; CLIENT_SECRET but for device_code; for authorization_code
also CODE and REDIRECT_URI; for device_code FLOW_FILE, where the user code ADAL got is written at once
for the test to enter. REQUESTS_CA_BUNDLE names the certificate that signs the server's TLS certificate.
"""
import json
import os
import sys

import adal


def main():
    context = adal.AuthenticationContext(os.environ["AUTHORITY"], validate_authority=False)
    env = os.environ
    if sys.argv[1] == "device_code":
        code = context.acquire_user_code(env["RESOURCE"], env["CLIENT_ID"])
        with open(env["FLOW_FILE"] + ".tmp", "w") as out:
            json.dump(code, out)
        os.replace(env["FLOW_FILE"] + ".tmp", env["FLOW_FILE"])
        result = context.acquire_token_with_device_code(env["RESOURCE"], code, env["CLIENT_ID"])
    elif sys.argv[1] == "client_credentials":
        result = context.acquire_token_with_client_credentials(env["RESOURCE"], env["CLIENT_ID"], env["CLIENT_SECRET"])
    else:
        result = context.acquire_token_with_authorization_code(
            env["CODE"], env["REDIRECT_URI"], env["RESOURCE"], env["CLIENT_ID"], env["CLIENT_SECRET"]
        )
    print(json.dumps(result, default=str))


if __name__ == "__main__":
    main()
