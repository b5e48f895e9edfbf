#!/usr/bin/env python3
"""Silent authorization-code flows per second: each worker signs in once (through the server's own
sign-in page, so it holds a real session cookie), then repeats the flow a signed-in user's app runs:
GET the authorization endpoint with a fresh PKCE challenge (answered with a redirect carrying a code,
no page), then POST the token endpoint with the code, verifier and client secret (answered 200 with
the tokens). Each worker keeps one keep-alive connection. Works with Signet and with the peer
(bench/peer/code-server.mjs). Prints `flows_per_s=<n> p50_ms=<n> p99_ms=<n> errors=<n>`.

usage: code-flow.py AUTHORIZE_URL TOKEN_URL CLIENT_ID CLIENT_SECRET REDIRECT_URI SCOPE USERNAME PASSWORD
                    [seconds=10] [concurrency=8]
"""
import base64
import hashlib
import http.client
import http.cookiejar
import json
import secrets
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from signin_pages import Form, NoRedirect, report, run_all


def session_cookie(authorize_url, redirect_uri, username, password):
    """Signs in through the sign-in page (following the server's redirects until the app's redirect URI)
    and returns the Cookie header the browser would send next."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())

    def until_page_or_app(url, data=None):
        while True:
            try:
                with opener.open(url, data=data, timeout=30) as response:
                    return url, response.read().decode()
            except urllib.error.HTTPError as redirect:
                location = redirect.headers.get("Location", "")
                if redirect.code not in (302, 303) or not location:
                    raise SystemExit(f"sign-in answered {redirect.code}")
                if location.startswith(redirect_uri):
                    return location, None
                url, data = urllib.parse.urljoin(url, location), None

    url, page = until_page_or_app(authorize_url)
    form = Form()
    form.feed(page)
    data = urllib.parse.urlencode(dict(form.fields, username=username, password=password)).encode()
    location, page = until_page_or_app(urllib.parse.urljoin(url, form.action), data)
    if page is not None or "code=" not in location:
        raise SystemExit("sign-in did not end at the app with a code")
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def main():
    authorize_url, token_url, client_id, client_secret, redirect_uri, scope, username, password = sys.argv[1:9]
    seconds = float(sys.argv[9]) if len(sys.argv) > 9 else 10
    concurrency = int(sys.argv[10]) if len(sys.argv) > 10 else 8
    parsed = urllib.parse.urlsplit(authorize_url)
    authorize_path, token_path = parsed.path, urllib.parse.urlsplit(token_url).path

    def authorize_query(challenge):
        return urllib.parse.urlencode({
            "client_id": client_id, "response_type": "code", "redirect_uri": redirect_uri, "scope": scope,
            "code_challenge": challenge, "code_challenge_method": "S256", "state": "s",
        })

    samples, errors, lock = [], [0], threading.Lock()
    cookies = [session_cookie(f"{authorize_url}?{authorize_query('x' * 43)}", redirect_uri, username, password)
               for _ in range(concurrency)]
    deadline = time.perf_counter() + seconds

    def flow(conn, cookie):
        verifier = secrets.token_urlsafe(48)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        conn.request("GET", f"{authorize_path}?{authorize_query(challenge)}", headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        location = response.getheader("Location", "")
        code = urllib.parse.parse_qs(urllib.parse.urlsplit(location).query).get("code")
        if response.status not in (302, 303) or not code:
            return False
        form = urllib.parse.urlencode({
            "grant_type": "authorization_code", "code": code[0], "redirect_uri": redirect_uri, "client_id": client_id,
            "client_secret": client_secret, "code_verifier": verifier, "scope": scope,
        })
        conn.request("POST", token_path, body=form,
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

    run_all([threading.Thread(target=work, args=(cookie,)) for cookie in cookies])
    report("flows_per_s", samples, errors[0], seconds)


if __name__ == "__main__":
    main()
