"""What the benchmark drivers share: reading Signet's sign-in form, and a urllib opener that does not
follow redirects (the code is in the redirect)."""
import urllib.request
from html.parser import HTMLParser


class Form(HTMLParser):
    """The first form of a page: its action and its hidden fields."""

    def __init__(self):
        super().__init__()
        self.action, self.fields = None, {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        elif tag == "input" and attrs.get("type") == "hidden":
            self.fields[attrs["name"]] = attrs.get("value", "")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
