"""The admin portal's seeds, walked in headless Chromium (Debian's, driven by Playwright) as an admin
would, with axe-core run on every portal page and a screenshot of each:

1. register a web app with a redirect URI, add a secret, add a delegated permission of an API found by
   its name, grant admin consent; a user then signs in with no prompt and msal redeems the code with the
   secret read from the page;
4. give the API a scope (Expose an API) and a role for users (App roles), assign the user to that role
   from Enterprise applications; the role is in the user's next access token;
2. set user consent to "do not allow": the user is stopped at a new app while the granted one still
   signs in; revoking its grant from Enterprise applications stops the user there too;
3. turn consent requests on, the user asks for the new app, the admin blocks it from the review queue;
   its sign-ins are refused even once an admin consented, until Enterprise applications enables it.

Users sign in with JavaScript off. The admin's browser context bypasses the Content-Security-Policy,
which would refuse the injected axe-core script. Prints what it saw as JSON.

Environment: BASE, TENANT, ADMIN, USERNAME, PASSWORD, REDIRECT_URI, API_NAME, API_URI, ROLE, AXE
(axe.min.js), SCREENSHOT_DIR, CHROMIUM (default /usr/bin/chromium); REQUESTS_CA_BUNDLE names the
certificate that signs the server's TLS certificate.
"""
import base64
import json
import os
from urllib.parse import parse_qs, urlsplit

import msal
from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]
ENV = os.environ
PORTAL = f"{ENV['BASE']}/{ENV['TENANT']}/admin"
AUTHORITY = f"{ENV['BASE']}/{ENV['TENANT']}"
SCOPE = f"{ENV['API_URI']}/Forecast.Read"
AXE_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ['violations'] });
  return result.violations.map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')) }));
}"""


def claims(jwt):
    payload = jwt.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


class Admin:
    """The admin's browser: every page it lands on is checked by axe-core and photographed."""

    def __init__(self, browser):
        context = browser.new_context(bypass_csp=True, ignore_https_errors=True)
        self.page = context.new_page()
        self.axe = open(ENV["AXE"], encoding="utf-8").read()
        self.checked = []
        self.violations = {}

    def check(self, name):
        page = self.page
        page.add_script_tag(content=self.axe)
        serious = [v for v in page.evaluate(AXE_RUN) if v["impact"] in ("serious", "critical")]
        if serious:
            self.violations[name] = serious
        self.checked.append(name)
        page.screenshot(path=os.path.join(ENV["SCREENSHOT_DIR"], f"portal-{len(self.checked):02}-{name}.png"),
                        full_page=True)

    def go(self, url, name):
        self.page.goto(url)
        self.check(name)

    def click(self, role, label, name, exact=False):
        with self.page.expect_navigation():
            self.page.get_by_role(role, name=label, exact=exact).first.click()
        self.check(name)

    def form(self, form_id, button, name, fields=(), ticks=(), choices=()):
        """Fills the form `form_id` (`fields`: label → text, `ticks`: label → checked,
        `choices`: label → option) and presses `button` in it."""
        form = self.page.locator(f"form#{form_id}") if form_id else self.page.locator("main")
        for label, value in dict(fields).items():
            form.get_by_label(label, exact=True).fill(value)
        for label, checked in dict(ticks).items():
            form.get_by_label(label, exact=True).set_checked(checked)
        for label, option in dict(choices).items():
            form.get_by_label(label, exact=True).select_option(label=option)
        with self.page.expect_navigation():
            form.get_by_role("button", name=button, exact=True).click()
        self.check(name)

    def text(self, selector="main"):
        return self.page.locator(selector).inner_text()


class User:
    """A user's browser, JavaScript off, signing in to apps through msal's authorization code flow."""

    def __init__(self, browser):
        self.page = browser.new_context(java_script_enabled=False, ignore_https_errors=True).new_page()

    def sign_in(self, client_id, secret=None):
        """Signs in to `client_id`; returns msal's answer (a secret redeems the code) or the page that
        stopped the user."""
        app = msal.ConfidentialClientApplication(client_id, client_credential=secret or "unused",
                                                 authority=AUTHORITY, instance_discovery=False)
        flow = app.initiate_auth_code_flow([SCOPE], redirect_uri=ENV["REDIRECT_URI"])
        self.page.goto(flow["auth_uri"])
        if self.page.locator("#username").count():
            self.page.locator("#username").fill(ENV["USERNAME"])
            self.page.locator("#password").fill(ENV["PASSWORD"])
            with self.page.expect_navigation():
                self.page.get_by_role("button", name="Sign in").click()
        if not self.page.url.startswith(ENV["REDIRECT_URI"]):
            return {"stopped": self.page.locator("main").inner_text()}
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.page.url).query).items()}
        if "error" in query:
            return {"error": query["error"], "error_description": query.get("error_description", "")}
        if secret is None:
            return {"landed_with_code": "code" in query}
        result = app.acquire_token_by_auth_code_flow(flow, query)
        if "access_token" not in result:
            return {"msal_error": result}
        return {"access": claims(result["access_token"]), "id": result.get("id_token_claims", {})}


def register(admin, name, tag):
    """Registers a single-tenant web app with the test's redirect URI; returns its page's URL and appId."""
    admin.click("link", "App registrations", f"{tag}-apps", exact=True)
    admin.click("link", "New registration", f"{tag}-new-registration")
    admin.form(None, "Register", f"{tag}-app",
               fields={"Name": name, "Redirect URI": ENV["REDIRECT_URI"]}, choices={"Platform": "Web"})
    return admin.page.url, admin.page.locator("#client-id [data-copy]").inner_text()


def add_permissions(admin, app_url, tag):
    """Adds Forecast.Read of the API found by its name, and Signet Graph's sign-in scopes msal asks for."""
    admin.go(f"{app_url}/permissions", f"{tag}-permissions")
    admin.click("link", "Add a permission", f"{tag}-add-permission")
    admin.form(None, "Search", f"{tag}-api-search", fields={"Find an API by name": ENV["API_NAME"][:5]})
    admin.click("link", ENV["API_NAME"], f"{tag}-api-permissions", exact=True)
    admin.form(None, "Add permissions", f"{tag}-permission-added", ticks={"Forecast.Read Forecast.Read": True})
    admin.click("link", "Add a permission", f"{tag}-add-graph")
    admin.form(None, "Search", f"{tag}-graph-search", fields={"Find an API by name": "Signet"})
    admin.click("link", "Signet Graph", f"{tag}-graph-permissions", exact=True)
    ticks = {label: True for label in ("openid Sign users in", "profile View users' basic profile",
                                       "offline_access Maintain access to data you have given it access to")}
    admin.form(None, "Add permissions", f"{tag}-graph-added", ticks=ticks)


def grant(admin, tag):
    admin.click("link", "Grant admin consent for", f"{tag}-grant-confirm")
    admin.form(None, "Yes, grant", f"{tag}-granted")
    return [s.inner_text() for s in admin.page.locator("td.status").all()]


def seed_1(admin, user, seen):
    admin.go(f"{PORTAL}/", "sign-in")
    admin.form(None, "Sign in", "overview", fields={"Username": ENV["ADMIN"], "Password": ENV["PASSWORD"]})
    seen["overview"] = admin.text()
    web_url, web_id = register(admin, "Seed web app", "web")
    admin.form("add-secret", "Add client secret", "web-secret", fields={"Description of a new client secret": "walk"})
    secret = admin.text("#secret-value")
    add_permissions(admin, web_url, "web")
    seen["statuses_before"] = [s.inner_text() for s in admin.page.locator("td.status").all()]
    seen["statuses_after"] = grant(admin, "web")
    seen["seed1_sign_in"] = user.sign_in(web_id, secret)
    return web_url, web_id, secret


def seed_4(admin, user, seen, web_id, secret):
    admin.click("link", "App registrations", "apps", exact=True)
    admin.click("link", ENV["API_NAME"], "api-app", exact=True)
    admin.click("link", "Expose an API", "api-expose", exact=True)
    admin.form("add-scope", "Add scope", "api-scope-added",
               fields={"Scope name": "Forecast.Write", "Admin consent display name": "Write forecasts",
                       "Admin consent description": "Allows the app to write forecasts as the signed-in user."})
    seen["scopes"] = admin.text("table.scopes")
    admin.click("link", ENV["API_NAME"], "api-app-again", exact=True)
    admin.click("link", "App roles", "api-roles", exact=True)
    admin.form("add-role", "Create", "api-role-created",
               fields={"Display name": "Forecast approver", "Value": ENV["ROLE"],
                       "Description": "Approves the team's forecasts."},
               ticks={"Users/Groups": True})
    seen["roles"] = admin.text("table.roles")
    admin.click("link", "Enterprise applications", "enterprise-apps", exact=True)
    admin.click("link", ENV["API_NAME"], "api-enterprise-app", exact=True)
    admin.form("assign", "Assign", "api-assigned", fields={"User or group (username, group name or object ID)": ENV["USERNAME"]},
               choices={"Role": "Forecast approver"})
    seen["assigned"] = admin.text("table.assignments")
    seen["seed4_sign_in"] = user.sign_in(web_id, secret)


def seed_2(admin, user, seen, web_id, secret):
    admin.click("link", "Consent and permissions", "consent-settings", exact=True)
    admin.form("user-consent", "Save", "consent-saved",
               ticks={"Do not allow user consent (an administrator grants every app)": True})
    new_url, new_id = register(admin, "Seed new app", "new")
    add_permissions(admin, new_url, "new")
    seen["seed2_new_app"] = user.sign_in(new_id)
    seen["seed2_granted_app"] = user.sign_in(web_id, secret)
    admin.click("link", "Enterprise applications", "enterprise-apps-again", exact=True)
    admin.click("link", "Seed web app", "web-enterprise-app", exact=True)
    admin.click("link", f"Revoke Admin consent on {ENV['API_NAME']}", "revoke-confirm")
    admin.form(None, "Yes, revoke", "revoked")
    seen["seed2_after_revoke"] = user.sign_in(web_id, secret)
    return new_url, new_id


def seed_3(admin, user, seen, new_url, new_id):
    admin.click("link", "Consent and permissions", "consent-settings-again", exact=True)
    admin.form("consent-requests", "Save", "requests-saved",
               fields={"Reviewers (usernames, separated by commas)": ENV["ADMIN"]},
               ticks={"Users can request admin consent to apps they are unable to consent to": True})
    stopped = user.sign_in(new_id)
    seen["seed3_need_approval"] = stopped
    user.page.get_by_label("Justify why you need this app").fill("I plan the team's forecasts")
    with user.page.expect_navigation():
        user.page.get_by_role("button", name="Request approval").click()
    admin.click("link", "Admin consent requests", "consent-requests", exact=True)
    queue = admin.page.locator("section.request").first
    queue.get_by_label("Reason for blocking", exact=False).fill("Not for this tenant")
    with admin.page.expect_navigation():
        queue.get_by_role("button", name="Block", exact=True).click()
    admin.check("blocked")
    seen["seed3_blocked"] = user.sign_in(new_id)
    admin.go(f"{new_url}/permissions", "new-permissions-again")
    grant(admin, "new")
    seen["seed3_blocked_granted"] = user.sign_in(new_id)
    admin.click("link", "Enterprise applications", "enterprise-apps-blocked", exact=True)
    seen["enterprise_list"] = admin.text("table.enterprise-apps")
    admin.click("link", "Seed new app", "new-enterprise-app", exact=True)
    admin.form("properties", "Save", "new-enabled", ticks={"Enabled for users to sign in": True})
    seen["seed3_unblocked"] = user.sign_in(new_id)


def other_pages(admin):
    """The portal pages the seeds do not pass through."""
    admin.click("link", "Users", "users", exact=True)
    admin.click("link", ENV["USERNAME"], "user", exact=True)
    admin.click("link", "Users", "users-again", exact=True)
    admin.click("link", "New user", "new-user")
    admin.click("link", "Audit log", "audit", exact=True)
    admin.click("link", "Signing keys", "keys", exact=True)
    admin.click("link", "Rotate now", "rotate-confirm")
    admin.form(None, "Cancel", "rotate-cancelled")
    admin.click("link", "App registrations", "apps-last", exact=True)
    admin.click("link", "Seed web app", "web-app-last", exact=True)
    admin.click("link", "API permissions", "web-permissions-last", exact=True)
    admin.click("link", "Revoke admin consent", "revoke-admin-consent-confirm")
    admin.form(None, "Cancel", "revoke-admin-consent-cancelled")


def copy_and_keyboard(browser, app_url, seen):
    """The copy button under the real Content-Security-Policy, and the keyboard: Tab reaches the
    navigation with a visible focus ring."""
    context = browser.new_context(ignore_https_errors=True)
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    page.goto(app_url)
    page.get_by_label("Username").fill(ENV["ADMIN"])
    page.get_by_label("Password").fill(ENV["PASSWORD"])
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    page.goto(app_url)
    page.get_by_role("button", name="Copy the application (client) ID").click()
    page.get_by_text("Copied").first.wait_for()
    seen["copied"] = page.evaluate("navigator.clipboard.readText()")
    seen["client_id"] = page.locator("#client-id [data-copy]").inner_text()
    page.goto(app_url)
    page.keyboard.press("Tab")
    seen["first_tab"] = page.evaluate("document.activeElement.textContent")
    seen["focus_outline"] = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    seen["csp_refusals"] = refused
    context.close()


def main():
    os.makedirs(ENV["SCREENSHOT_DIR"], exist_ok=True)
    seen = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=ENV.get("CHROMIUM", "/usr/bin/chromium"), args=ARGS)
        admin, user = Admin(browser), User(browser)
        web_url, web_id, secret = seed_1(admin, user, seen)
        seed_4(admin, user, seen, web_id, secret)
        new_url, new_id = seed_2(admin, user, seen, web_id, secret)
        seed_3(admin, user, seen, new_url, new_id)
        other_pages(admin)
        copy_and_keyboard(browser, web_url, seen)
        seen["checked"] = admin.checked
        seen["violations"] = admin.violations
        browser.close()
    print(json.dumps(seen, indent=1))


if __name__ == "__main__":
    main()
