"""A single-page app built on Microsoft's @azure/msal-browser, in headless Chromium (Debian's, driven
by Playwright): the app's page, served by the test from another origin than Signet's, calls
loginRedirect; the user signs in and consents; msal redeems the code cross-origin, then
acquireTokenSilent answers from its cache, then forceRefresh redeems the refresh token. Prints what
each page reported as JSON.

Environment: SPA_URL (the single-page app's page), WEB_URL (the same page for an app registered on the
web platform), USERNAME, PASSWORD, SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium).
"""
import json
import os

from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]


def run(browser, url, shot):
    """Opens the app's page, signs in and consents on Signet's pages, and waits for the page's report."""
    page = browser.new_context(ignore_https_errors=True).new_page()
    page.goto(url)
    page.wait_for_selector("#username")
    page.locator("#username").fill(os.environ["USERNAME"])
    page.locator("#password").fill(os.environ["PASSWORD"])
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    if page.get_by_role("button", name="Accept").count():
        page.get_by_role("button", name="Accept").click()
    page.wait_for_function("document.getElementById('out') && document.getElementById('out').dataset.done")
    page.screenshot(path=os.path.join(os.environ["SCREENSHOT_DIR"], shot), full_page=True)
    report = json.loads(page.locator("#out").inner_text())
    report["landed"] = page.url.split("#")[0]
    return report


def main():
    os.makedirs(os.environ["SCREENSHOT_DIR"], exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=os.environ.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)
        seen = {"spa": run(browser, os.environ["SPA_URL"], "spa-signed-in.png"),
                "web": run(browser, os.environ["WEB_URL"], "spa-web-app-refused.png")}
        browser.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    main()
