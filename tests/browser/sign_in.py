"""Signs a user in to Signet in headless Chromium (Debian's, driven by Playwright): the sign-in page by
keyboard, the consent (or admin consent) page by click, with JavaScript off, landing on the app's
redirect URI. Saves a screenshot of each page and prints what it saw as JSON.

Usage: sign_in.py
Environment: AUTHORIZE_URL (an authorize or admin consent URL), USERNAME, PASSWORD, SCREENSHOT_DIR,
SHOT_PREFIX (default none), CHROMIUM (default /usr/bin/chromium).
"""
import json
import os
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def main():
    shots = os.environ["SCREENSHOT_DIR"]
    prefix = os.environ.get("SHOT_PREFIX", "")
    os.makedirs(shots, exist_ok=True)
    seen = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(os.environ["AUTHORIZE_URL"])
        seen["signin_title"] = page.title()
        seen["username_label"] = page.locator("label[for=username]").inner_text()
        seen["password_label"] = page.locator("label[for=password]").inner_text()
        page.screenshot(path=os.path.join(shots, prefix + "1-sign-in.png"), full_page=True)

        # Keyboard only: the username has focus, Tab moves to the password, Enter submits.
        page.locator("#username").focus()
        page.keyboard.type(os.environ["USERNAME"])
        page.keyboard.press("Tab")
        seen["focus_after_username"] = page.locator(":focus").get_attribute("id")
        page.keyboard.type(os.environ["PASSWORD"])
        page.keyboard.press("Tab")
        seen["focus_after_password"] = page.locator(":focus").inner_text()
        with page.expect_navigation():
            page.keyboard.press("Enter")

        seen["consent_title"] = page.title()
        seen["consent_text"] = page.locator("main").inner_text()
        page.screenshot(path=os.path.join(shots, prefix + "2-consent.png"), full_page=True)
        with page.expect_navigation():
            page.get_by_role("button", name="Accept").click()

        page.screenshot(path=os.path.join(shots, prefix + "3-redirect.png"), full_page=True)
        seen["landed"] = page.url
        query = parse_qs(urlsplit(seen["landed"]).query)
        seen["query"] = {name: values[0] for name, values in query.items()}
        seen["code"] = query.get("code", [None])[0]
        seen["state"] = query.get("state", [None])[0]
        browser.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
