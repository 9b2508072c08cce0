"""Helpers for looking at the built book in a real browser, offline.

The built HTML (``_build/html``) is served over http on 127.0.0.1 from a thread; Debian's
Chromium is driven by Playwright. MathJax 3, which the pages load from a CDN, is answered from
a local copy (``make mathjax`` unpacks the npm package into ``.cache/mathjax/<version>``); every
other request that leaves 127.0.0.1 is aborted, so nothing waits on the network.
Used by tests/browser/test_html.py and scripts/screenshot.py.
"""
import contextlib
import functools
import http.server
import os
import pathlib
import re
import shutil
import threading

ROOT = pathlib.Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
MATHJAX_CACHE = ROOT / ".cache" / "mathjax"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# sphinx.ext.mathjax (Sphinx 7) loads https://cdn.jsdelivr.net/npm/mathjax@3/es5/tex-mml-chtml.js,
# which then loads its fonts and components relative to that address.
MATHJAX_URL = re.compile(r"^https://cdn\.jsdelivr\.net/npm/mathjax@3[^/]*/(?P<path>[^?#]*)")


def mathjax_dir():
    """The newest unpacked MathJax 3 under .cache/mathjax, or None."""
    found = sorted(
        (p for p in MATHJAX_CACHE.glob("3.*") if (p / "es5" / "tex-mml-chtml.js").is_file()),
        key=lambda p: [int(x) if x.isdigit() else 0 for x in p.name.split(".")],
    )
    return found[-1] if found else None


def missing_prerequisites():
    """Why the browser check cannot run here, or None when it can."""
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (install Debian's chromium, or set CHROMIUM=/path/to/chrome)"
    if not (HTML / "index.html").is_file():
        return f"the book is not built ({HTML.relative_to(ROOT)}/index.html is missing: run make book)"
    if mathjax_dir() is None:
        return "no local MathJax 3 in .cache/mathjax (run make mathjax; it needs npm and the npm registry)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright Python package is not installed (pip install -r requirements.txt)"
    return None


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serve(directory=HTML):
    """Serve ``directory`` on http://127.0.0.1:<free port>/ from a daemon thread; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, name="book-http", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)


def launch(playwright):
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


def offline_context(browser, base_url, blocked=None, **options):
    """A browser context that answers the MathJax CDN locally and aborts every other external
    request (their URLs are appended to ``blocked``)."""
    context = browser.new_context(**options)
    local_mathjax = mathjax_dir()

    def handle(route):
        url = route.request.url
        if url.startswith(base_url):
            route.continue_()
            return
        match = MATHJAX_URL.match(url)
        if match and local_mathjax is not None:
            path = local_mathjax / match.group("path")
            if path.is_file():
                route.fulfill(path=str(path))
            else:
                route.fulfill(status=404, body="not in the local MathJax copy")
            return
        if blocked is not None:
            blocked.append(url)
        route.abort()

    context.route("**/*", handle)
    context.set_default_timeout(30_000)
    return context


def wait_for_math(page, timeout=30_000):
    """Wait until MathJax (if the page loads it) has typeset the page."""
    if not page.evaluate("() => !!document.querySelector('script[src*=\"mathjax\"]')"):
        return False
    page.wait_for_function("() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                           timeout=timeout)
    page.evaluate("() => MathJax.startup.promise.then(() => true)")
    return True
