#!/usr/bin/env python3
"""Silent authorization-code flows per second against Signet: each worker signs in once (the sign-in
form, so it holds a real session cookie), then repeats the flow a signed-in user's app runs: GET
/authorize with a fresh PKCE challenge (answered 302 with a code, no page), then POST /token with the
code, verifier and client secret (answered 200 with an access, ID and refresh token). Each worker keeps
one keep-alive connection. Prints `flows_per_s=<n> p50_ms=<n> p99_ms=<n> errors=<n>`.

usage: code-flow.py BASE_URL CLIENT_ID CLIENT_SECRET REDIRECT_URI SCOPE USERNAME PASSWORD [seconds=10] [concurrency=8]
BASE_URL is http://host:port/<tenant>.
"""
import base64
import hashlib
import http.client
import http.cookiejar
import json
import secrets
import statistics
import sys
import threading
import time
import urllib.parse
import urllib.request

from signin_pages import Form, NoRedirect


def session_cookie(authorize_url, username, password):
    """Signs in through the form and returns the Cookie header the browser would send next."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    with opener.open(authorize_url, timeout=30) as response:
        form = Form()
        form.feed(response.read().decode())
    data = urllib.parse.urlencode(dict(form.fields, username=username, password=password)).encode()
    try:
        opener.open(urllib.parse.urljoin(authorize_url, form.action), data=data, timeout=30)
        raise SystemExit("sign-in did not redirect")
    except urllib.error.HTTPError as redirect:
        if redirect.code != 302 or "code=" not in redirect.headers.get("Location", ""):
            raise SystemExit(f"sign-in answered {redirect.code}")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def main():
    base, client_id, client_secret, redirect_uri, scope, username, password = sys.argv[1:8]
    seconds = float(sys.argv[8]) if len(sys.argv) > 8 else 10
    concurrency = int(sys.argv[9]) if len(sys.argv) > 9 else 8
    parsed = urllib.parse.urlsplit(base)
    tenant_path = parsed.path.rstrip("/")

    def authorize_query(challenge):
        return urllib.parse.urlencode({
            "client_id": client_id, "response_type": "code", "redirect_uri": redirect_uri, "scope": scope,
            "code_challenge": challenge, "code_challenge_method": "S256", "state": "s",
        })

    samples, errors, lock = [], [0], threading.Lock()
    cookies = [session_cookie(f"{base}/oauth2/v2.0/authorize?{authorize_query('x' * 43)}", username, password)
               for _ in range(concurrency)]
    deadline = time.perf_counter() + seconds

    def flow(conn, cookie):
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        conn.request("GET", f"{tenant_path}/oauth2/v2.0/authorize?{authorize_query(challenge)}", headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        location = response.getheader("Location", "")
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).get("code")
        if response.status != 302 or not code:
            return False
        form = urllib.parse.urlencode({
            "grant_type": "authorization_code", "code": code[0], "redirect_uri": redirect_uri, "client_id": client_id,
            "client_secret": client_secret, "code_verifier": verifier, "scope": scope,
        })
        conn.request("POST", f"{tenant_path}/oauth2/v2.0/token", body=form,
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
        response = conn.getresponse()
        body = response.read()
        return response.status == 200 and "access_token" in json.loads(body)

    def work(cookie):
        conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            try:
                ok = flow(conn, cookie)
            except (OSError, http.client.HTTPException, ValueError):
                conn.close()
                conn = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=30)
                ok = False
            with lock:
                if ok:
                    samples.append(time.perf_counter() - started)
                else:
                    errors[0] += 1

    threads = [threading.Thread(target=work, args=(cookie,)) for cookie in cookies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    samples.sort()
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] if samples else 0
    median = statistics.median(samples) if samples else 0
    print(f"flows_per_s={len(samples) / seconds:.1f} p50_ms={median * 1000:.1f} "
          f"p99_ms={p99 * 1000:.1f} errors={errors[0]}")


if __name__ == "__main__":
    main()
