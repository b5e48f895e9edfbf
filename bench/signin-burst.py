#!/usr/bin/env python3
"""A burst of wrong-password sign-ins at once, each from its own loopback address (127.0.0.2 and up, so
no per-address throttle holds them back) with its own unknown username (so no per-account one does):
every attempt reaches the password check. Each worker first fetches its sign-in page (a form acts
once), then all post together. Prints `attempts=<n> checked=<n> busy=<n> throttled=<n> other=<n>
seconds=<s>`: checked answered "incorrect" (200), busy and throttled answered 429.

usage: signin-burst.py AUTHORIZE_URL [attempts=100]
"""
import http.client
import http.cookiejar
import sys
import threading
import time
import urllib.parse

from signin_pages import Form


def main():
    url = urllib.parse.urlsplit(sys.argv[1])
    attempts = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    target = f"{url.path}?{url.query}"
    ready, go = threading.Barrier(attempts + 1), threading.Event()
    outcomes, lock = [], threading.Lock()

    def attempt(n):
        source = (f"127.0.{n // 250}.{n % 250 + 2}", 0)
        conn = http.client.HTTPConnection(url.hostname, url.port, timeout=60, source_address=source)
        conn.request("GET", target)
        response = conn.getresponse()
        cookie = "; ".join(h.split(";")[0] for h in response.headers.get_all("Set-Cookie") or [])
        form = Form()
        form.feed(response.read().decode())
        body = urllib.parse.urlencode(dict(form.fields, username=f"nobody{n}@bench.example", password="wrong"))
        ready.wait()
        go.wait()
        conn.request("POST", form.action, body=body,
                     headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        response = conn.getresponse()
        page = response.read().decode()
        if response.status == 200 and "incorrect" in page:
            kind = "checked"
        elif response.status == 429 and "right now" in page:
            kind = "busy"
        elif response.status == 429:
            kind = "throttled"
        else:
            kind = "other"
        with lock:
            outcomes.append(kind)

    threads = [threading.Thread(target=attempt, args=(n,)) for n in range(attempts)]
    for t in threads:
        t.start()
    ready.wait()
    started = time.perf_counter()
    go.set()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    counts = {k: outcomes.count(k) for k in ("checked", "busy", "throttled", "other")}
    print(f"attempts={attempts} " + " ".join(f"{k}={v}" for k, v in counts.items()) + f" seconds={seconds:.2f}")


if __name__ == "__main__":
    main()
