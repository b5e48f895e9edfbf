"""Signs a user in with Microsoft's msal library by the device code flow (initiate_device_flow, then
acquire_token_by_device_flow, a public client) and prints msal's result. The flow msal got (with the
user code) is written to FLOW_FILE at once, for the test to enter the code as the user would.

Usage: device_flow.py public
Environment: AUTHORITY, CLIENT_ID, SCOPE, FLOW_FILE; REQUESTS_CA_BUNDLE names the certificate that signs
the server's TLS certificate.
"""
import json
import os

import msal


def main():
    app = msal.PublicClientApplication(
        os.environ["CLIENT_ID"], authority=os.environ["AUTHORITY"], instance_discovery=False
    )
    flow = app.initiate_device_flow(scopes=[os.environ["SCOPE"]])
    if "user_code" not in flow:
        print(json.dumps(flow))
        return
    with open(os.environ["FLOW_FILE"] + ".tmp", "w") as out:
        json.dump(flow, out)
    os.replace(os.environ["FLOW_FILE"] + ".tmp", os.environ["FLOW_FILE"])
    result = app.acquire_token_by_device_flow(flow)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
