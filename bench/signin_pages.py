"""What the benchmark drivers share: reading Signet's sign-in form, a urllib opener that does not
follow redirects (the code is in the redirect), and running workers and reporting their latencies."""
import statistics
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


def run_all(threads):
    """Starts every worker thread and waits for all of them."""
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def report(rate_name, samples, errors, seconds):
    """Prints `{rate_name}=<n> p50_ms=<n> p99_ms=<n> errors=<n>` for the successful samples (seconds each)."""
    samples = sorted(samples)
    p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))] if samples else 0
    median = statistics.median(samples) if samples else 0
    print(f"{rate_name}={len(samples) / seconds:.1f} p50_ms={median * 1000:.1f} "
          f"p99_ms={p99 * 1000:.1f} errors={errors}")
