"""Helpers for looking at the built book in a real browser, offline.

The built HTML (``_build/html``) is served over http on 127.0.0.1 from a thread; Debian's
Chromium is driven by Playwright. The book serves everything it needs itself, MathJax included
(``_static/mathjax/``), so every request that leaves 127.0.0.1 is aborted and recorded: a page
that needed one would show it (raw TeX, a missing image) and the browser check fails.
Pages are inspected once they are ready, which is decided by events, not by time: the load
event, MathJax's startup promise (resolved when the page is typeset), the fonts and the decoding
of every image.
Used by tests/browser/test_html.py, scripts/screenshot.py and scripts/print_pdf.py.
"""
import contextlib
import functools
import http.server
import os
import pathlib
import shutil
import threading

ROOT = pathlib.Path(__file__).resolve().parents[2]
HTML = ROOT / "_build" / "html"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
# axe-core, the accessibility checker: make axe unpacks the npm package (the version the
# Makefile names) into .cache/axe-core/<version>/; the newest there is used.
AXE = max((ROOT / ".cache" / "axe-core").glob("*/axe.min.js"),
          key=lambda p: [int(x) if x.isdigit() else 0 for x in p.parent.name.split(".")],
          default=ROOT / ".cache" / "axe-core" / "axe.min.js")
# An upper bound for a page to get ready, only so that a broken page fails instead of hanging;
# nothing waits for it to pass.
READY_LIMIT_MS = 180_000


def missing_prerequisites(html=HTML):
    """Why the browser check cannot run here, or None when it can."""
    if not (os.access(CHROMIUM, os.X_OK) or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM} (install Debian's chromium, or set CHROMIUM=/path/to/chrome)"
    if not (html / "index.html").is_file() and not any(html.glob("*.html")):
        return f"the book is not built ({html.relative_to(ROOT)}/index.html is missing: run make book)"
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
    """A browser context in which every request outside ``base_url`` is aborted (and its URL
    appended to ``blocked``)."""
    context = browser.new_context(**options)

    def handle(route):
        url = route.request.url
        if url.startswith(base_url) or url.startswith("data:"):
            route.continue_()
            return
        if blocked is not None:
            blocked.append(url)
        route.abort()

    context.route("**/*", handle)
    context.set_default_timeout(READY_LIMIT_MS)
    context.set_default_navigation_timeout(READY_LIMIT_MS)
    return context


# Resolves when the page is ready to be looked at, or to the reason it never will be.
READY = """async (limit) => {
  const ready = (async () => {
    const problems = [];
    if (document.querySelector('script[src*="mathjax"]')) {
      const startup = window.MathJax && window.MathJax.startup;
      if (!startup || !startup.promise) {
        problems.push('MathJax did not load');
      } else {
        await startup.promise;
      }
    }
    await document.fonts.ready;
    for (const img of Array.from(document.images)) {
      img.loading = 'eager';
      await img.decode().catch(() => null);  // a broken image is reported by the checks
    }
    return problems;
  })();
  const late = new Promise(r => setTimeout(() => r(['not ready after ' + limit / 1000 + ' s']), limit));
  return Promise.race([ready, late]);
}"""


def open_page(page, url):
    """Load ``url`` and wait until it is ready; returns a list of problems (MathJax missing)."""
    page.goto(url, wait_until="load")
    return page.evaluate(READY, READY_LIMIT_MS)

