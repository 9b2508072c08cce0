"""The built book, as a reader's browser shows it (Debian Chromium via Playwright, offline).

For every HTML page of _build/html: math is typeset by MathJax (no errors, no raw $...$ left),
every image loaded, every internal link and #anchor resolves; chapter pages have previous/next
navigation; notebook pages offer Binder, Colab and the .ipynb download; the search page finds
"reverse mode"; the landing page and a chapter fit a 390 px wide phone screen (screenshots in
_build/screenshots/).

Skipped, with the reason, when Chromium, the built HTML or the local MathJax copy is missing;
with BOOK_REQUIRE_BROWSER=1 (set by .ci/run) a missing prerequisite fails instead.
"""
import html.parser
import os
import pathlib
import re
import sys
import urllib.parse

import pytest

import bookbrowser

sys.path.insert(0, str(bookbrowser.ROOT / "scripts"))
import sync_chapters  # noqa: E402

MISSING = bookbrowser.missing_prerequisites()
if MISSING and not os.environ.get("BOOK_REQUIRE_BROWSER"):
    pytest.skip(f"browser check skipped: {MISSING}", allow_module_level=True)

HTML = bookbrowser.HTML
SCREENSHOTS = bookbrowser.ROOT / "_build" / "screenshots"
SKIP_DIRS = {"_static", "_sources", "_images", "_downloads", "_panels_static", ".doctrees"}
PAGES = sorted(
    p.relative_to(HTML).as_posix() for p in HTML.rglob("*.html")
    if not SKIP_DIRS & set(p.relative_to(HTML).parts)
) if HTML.is_dir() else []
TOC = [f"book/{name}" if not name.startswith("book/") else name
       for name in sync_chapters.toc_files(bookbrowser.ROOT)]
TOC_PAGES = [f"{name}.html" for name in TOC]
NOTEBOOK_PAGES = [f"{name}.html" for name in TOC if (bookbrowser.ROOT / f"{name}.ipynb").exists()]
RAW_MATH = re.compile(r"\$\$|\$[^$\s][^$\n]*\$|\\\(|\\\[")


def test_prerequisites():
    assert MISSING is None, MISSING


# ---------------------------------------------------------------- static checks (no browser)

class _Parser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.refresh = set(), [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "a" and attrs.get("href") is not None:
            self.links.append(attrs["href"])
        if tag == "meta" and (attrs.get("http-equiv") or "").lower() == "refresh":
            self.refresh = attrs.get("content", "")


_parsed = {}


def parse(rel):
    if rel not in _parsed:
        parser = _Parser()
        parser.feed((HTML / rel).read_text(encoding="utf-8"))
        _parsed[rel] = parser
    return _parsed[rel]


def broken_links(rel):
    """Internal links of page ``rel`` whose file or #anchor does not exist."""
    broken = []
    for href in parse(rel).links:
        url = urllib.parse.urlsplit(href)
        if url.scheme or url.netloc or href.startswith(("javascript:", "mailto:", "data:")):
            continue
        path = urllib.parse.unquote(url.path)
        target = (HTML / rel).parent / path if path else HTML / rel
        if path.endswith("/") or target.is_dir():
            target = target / "index.html"
        target = target.resolve()
        if not target.is_relative_to(HTML.resolve()) or not target.is_file():
            broken.append(f"{href} (no file {target.relative_to(HTML.resolve()) if target.is_relative_to(HTML.resolve()) else target})")
            continue
        fragment = urllib.parse.unquote(url.fragment)
        if fragment and target.suffix == ".html":
            if fragment not in parse(target.relative_to(HTML.resolve()).as_posix()).ids:
                broken.append(f"{href} (no id {fragment!r} in {target.relative_to(HTML.resolve())})")
    return broken


@pytest.mark.parametrize("rel", PAGES)
def test_internal_links_resolve(rel):
    assert not broken_links(rel), f"{rel}: broken internal links:\n" + "\n".join(broken_links(rel))


def test_toc_pages_are_built():
    missing = [p for p in TOC_PAGES if p not in PAGES]
    assert not missing, f"pages listed in _toc.yml but not built: {missing}"


def test_landing_page_redirects_to_preface():
    refresh = parse("index.html").refresh
    assert refresh and refresh.rstrip("/").endswith(TOC_PAGES[0]), f"index.html refresh: {refresh!r}"


# ---------------------------------------------------------------- in the browser

@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = bookbrowser.launch(pw)
        yield b
        b.close()


@pytest.fixture(scope="module")
def base_url():
    with bookbrowser.serve() as url:
        yield url


@pytest.fixture(scope="module")
def blocked():
    return []


@pytest.fixture(scope="module")
def context(browser, base_url, blocked):
    ctx = bookbrowser.offline_context(browser, base_url, blocked, viewport={"width": 1280, "height": 900})
    yield ctx
    ctx.close()


@pytest.fixture
def page(context):
    p = context.new_page()
    p.js_errors = []
    p.on("pageerror", lambda exc: p.js_errors.append(str(exc)))
    yield p
    p.close()


def open_page(page, base_url, rel):
    page.goto(base_url + rel, wait_until="load")
    page.wait_for_load_state("networkidle")
    bookbrowser.wait_for_math(page)


IMAGES_NOT_LOADED = """async () => {
  const bad = [];
  for (const img of Array.from(document.images)) {
    img.loading = 'eager';
    await Promise.race([img.decode().catch(() => null), new Promise(r => setTimeout(r, 10000))]);
    if (!(img.complete && img.naturalWidth > 0)) bad.push(img.getAttribute('src'));
  }
  return bad;
}"""

VISIBLE_TEXT_WITHOUT_CODE = """() => {
  const root = (document.querySelector('main') || document.body).cloneNode(true);
  root.querySelectorAll('pre, code, script, style, textarea, mjx-container, mjx-assistive-mml, '
    + '.highlight, .cell_output, .output').forEach(e => e.remove());
  return root.textContent;
}"""


CONTENT_PAGES = [p for p in PAGES if p != "index.html"]


@pytest.mark.parametrize("rel", CONTENT_PAGES)
def test_page_renders(page, base_url, rel):
    open_page(page, base_url, rel)
    problems = []

    n_math = page.locator(".math").count()
    if n_math:
        untypeset = page.eval_on_selector_all(
            ".math", "els => els.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60))")
        if untypeset:
            problems.append(f"{len(untypeset)} of {n_math} math elements not typeset, e.g. {untypeset[:3]}")
        errors = page.eval_on_selector_all(
            "mjx-merror, merror, [data-mjx-error]", "els => els.map(e => e.getAttribute('data-mjx-error') || e.textContent)")
        if errors:
            problems.append(f"MathJax errors: {errors[:5]}")
    raw = RAW_MATH.findall(page.evaluate(VISIBLE_TEXT_WITHOUT_CODE))
    if raw:
        problems.append(f"raw TeX left in the text: {raw[:5]}")

    bad_images = page.evaluate(IMAGES_NOT_LOADED)
    if bad_images:
        problems.append(f"images that did not load: {bad_images}")

    if page.js_errors:
        problems.append(f"JavaScript errors: {page.js_errors[:3]}")

    if rel in TOC_PAGES:
        i = TOC_PAGES.index(rel)
        has_prev = page.locator(".prev-next-area a.left-prev").count() > 0
        has_next = page.locator(".prev-next-area a.right-next").count() > 0
        if i > 0 and not has_prev:
            problems.append("no 'previous' link")
        if i < len(TOC_PAGES) - 1 and not has_next:
            problems.append("no 'next' link")

    if rel in NOTEBOOK_PAGES:
        source = rel[:-len(".html")] + ".ipynb"
        wanted = {
            "Binder launch button": f'a[href^="https://mybinder.org/v2/gh/"][href*="{source}"]',
            "Colab launch button": f'a[href^="https://colab.research.google.com/github/"][href$="{source}"]',
            ".ipynb download button": f'a[href$="_sources/{source}"]',
        }
        for what, selector in wanted.items():
            if page.locator(selector).count() == 0:
                problems.append(f"no {what} ({selector})")

    assert not problems, f"{rel}:\n  " + "\n  ".join(problems)


def test_search_finds_reverse_mode(page, base_url):
    page.goto(base_url + "search.html?q=reverse+mode", wait_until="load")
    results = page.locator("#search-results ul.search li")
    results.first.wait_for(timeout=30_000)
    texts = results.all_inner_texts()
    assert texts, "no search results for 'reverse mode'"
    assert any("glossary" in t.lower() or "reverse" in t.lower() for t in texts), texts


def _chapter_page():
    """The page shown as 'a chapter': the first notebook chapter after the Preface, else the
    first page after it."""
    chapters = [p for p in NOTEBOOK_PAGES if p != TOC_PAGES[0]]
    return chapters[0] if chapters else TOC_PAGES[1]


@pytest.mark.parametrize("rel", [TOC_PAGES[0], _chapter_page()], ids=["landing", "chapter"])
def test_phone_width_screenshot(browser, base_url, rel):
    context = bookbrowser.offline_context(browser, base_url, viewport={"width": 390, "height": 844},
                                          device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        open_page(page, base_url, rel)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        name = pathlib.Path(rel).stem
        page.screenshot(path=str(SCREENSHOTS / f"phone-{name}.png"))
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1] + 1, f"{rel} scrolls sideways at 390 px: scrollWidth {widths[0]} > {widths[1]}"
    finally:
        context.close()


def test_pages_load_nothing_from_outside(blocked):
    """Besides MathJax (answered locally), the pages above asked for nothing outside the book:
    a reader offline, or behind a strict network, sees the same pages. (Runs last: the
    requests are collected, and aborted, by the tests above.)"""
    hosts = sorted({urllib.parse.urlsplit(u).netloc for u in blocked})
    assert not blocked, f"{len(blocked)} external requests (aborted) to {hosts}, e.g. {blocked[:3]}"
