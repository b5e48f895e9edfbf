"""The admin consent request workflow in headless Chromium (Debian's, driven by Playwright), with
JavaScript off: a user the tenant's policy stops sends a request with a justification; a reviewer signs
in to the review page, opens the admin consent page from the request and accepts; the user then signs
in to the app without a prompt. Saves a screenshot of each page and prints what it saw as JSON.

Usage: consent_request.py
Environment: AUTHORIZE_URL, REVIEW_URL, USERNAME, REVIEWER, PASSWORD, SCREENSHOT_DIR,
CHROMIUM (default /usr/bin/chromium).
"""
import json
import os
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def sign_in(page, username):
    page.locator("#username").fill(username)
    page.locator("#password").fill(os.environ["PASSWORD"])
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def main():
    shots = os.environ["SCREENSHOT_DIR"]
    os.makedirs(shots, exist_ok=True)
    shot = lambda page, name: page.screenshot(path=os.path.join(shots, "request-" + name), full_page=True)
    seen = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)
        user = browser.new_context(java_script_enabled=False).new_page()
        user.goto(os.environ["AUTHORIZE_URL"])
        sign_in(user, os.environ["USERNAME"])
        seen["need_admin_title"] = user.title()
        seen["need_admin_text"] = user.locator("main").inner_text()
        user.get_by_label("Justify why you need this app").fill("I plan the team's forecasts")
        shot(user, "1-need-admin.png")
        with user.expect_navigation():
            user.get_by_role("button", name="Request approval").click()
        seen["requested_text"] = user.locator("main").inner_text()
        shot(user, "2-requested.png")

        reviewer = browser.new_context(java_script_enabled=False).new_page()
        reviewer.goto(os.environ["REVIEW_URL"])
        seen["review_sign_in_text"] = reviewer.locator("main").inner_text()
        sign_in(reviewer, os.environ["REVIEWER"])
        seen["review_text"] = reviewer.locator("main").inner_text()
        shot(reviewer, "3-review.png")
        with reviewer.expect_navigation():
            reviewer.get_by_role("link", name="Review permissions and consent").click()
        seen["approval_text"] = reviewer.locator("main").inner_text()
        shot(reviewer, "4-approval.png")
        with reviewer.expect_navigation():
            reviewer.get_by_role("button", name="Accept for").click()
        seen["after_approval_url"] = reviewer.url
        seen["after_approval_text"] = reviewer.locator("main").inner_text()
        shot(reviewer, "5-approved.png")

        user.goto(os.environ["AUTHORIZE_URL"])
        seen["landed"] = user.url
        query = parse_qs(urlsplit(seen["landed"]).query)
        seen["code"] = query.get("code", [None])[0]
        seen["state"] = query.get("state", [None])[0]
        shot(user, "6-signed-in.png")
        browser.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
