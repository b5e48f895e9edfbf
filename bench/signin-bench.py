#!/usr/bin/env python3
"""Password sign-ins per second: each worker, with a fresh cookie jar, opens the authorization URL,
posts the sign-in form with the right password, and expects the redirect to the app with a code
(consent is granted beforehand). Prints `signins_per_s=<n> p50_ms=<n> p99_ms=<n> errors=<n>`.

usage: signin-bench.py AUTHORIZE_URL USERNAME PASSWORD [seconds=10] [concurrency=4]
"""
import http.cookiejar
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

from signin_pages import Form, NoRedirect, report, run_all


def sign_in(url, username, password):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect())
    with opener.open(url, timeout=30) as response:
        page = response.read().decode()
    form = Form()
    form.feed(page)
    data = urllib.parse.urlencode(dict(form.fields, username=username, password=password)).encode()
    try:
        opener.open(urllib.parse.urljoin(url, form.action), data=data, timeout=30)
    except urllib.error.HTTPError as redirect:
        if redirect.code == 302 and "code=" in redirect.headers.get("Location", ""):
            return True
    return False


def main():
    url, username, password = sys.argv[1:4]
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 10
    concurrency = int(sys.argv[5]) if len(sys.argv) > 5 else 4
    deadline = time.perf_counter() + seconds
    samples, errors, lock = [], [0], threading.Lock()

    def work():
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            ok = sign_in(url, username, password)
            with lock:
                if ok:
                    samples.append(time.perf_counter() - started)
                else:
                    errors[0] += 1

    run_all([threading.Thread(target=work) for _ in range(concurrency)])
    report("signins_per_s", samples, errors[0], seconds)


if __name__ == "__main__":
    main()
