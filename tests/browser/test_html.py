"""The built book, as a reader's browser shows it (Debian Chromium via Playwright, offline).

Every HTML page of _build/html is opened once, with the network cut off (the book serves its
own MathJax), and looked at three ways:
  * at 1280 px: maths typeset (no errors, no raw TeX), images loaded, figures with alt text
    that is not a file path, axe-core with no serious or critical violation (WCAG 2.1 A/AA),
    an 80-character code line fits the column, outputs wrap, internal links and anchors resolve,
    previous/next links, the Binder and Colab buttons and the .ipynb download;
  * at 390 px (a phone): the page does not scroll sideways, and every display equation or table
    too wide for the screen scrolls inside its own box, whose edge fades as the cue;
  * as print media on A4: nothing is cut off at the paper's edge (code and outputs wrap),
    solutions are shown without their on-screen controls, and there are no sidebars.
The search page finds "reverse mode" and only it loads the search index; the landing page and a
chapter are screenshotted at phone size (_build/screenshots/).

Pages become ready by events, not after a time: the load event, MathJax's startup promise, the
fonts, every image decoded (bookbrowser.open_page).

Skipped, with the reason, when Chromium or the built HTML is missing (the axe test alone when
axe-core is: make axe); with BOOK_REQUIRE_BROWSER=1 (set by .ci/run) a missing prerequisite
fails instead.
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
import check_notebooks  # noqa: E402
import sync_chapters  # noqa: E402

REQUIRE = bool(os.environ.get("BOOK_REQUIRE_BROWSER"))
MISSING = bookbrowser.missing_prerequisites()
if MISSING and not REQUIRE:
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
CONTENT_PAGES = [p for p in PAGES if p != "index.html"]
RAW_MATH = re.compile(r"\$\$|\$[^$\s][^$\n]*\$|\\\(|\\\[")
# An alt text that is a file name or path (myst-nb's default: the image's own path).
PATH_LIKE = re.compile(r"(^|/)[\w.-]+\.(png|jpe?g|gif|svg|webp)$|^\.{0,2}/|_images/", re.I)

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
# The printable width of A4 with the margins of _static/book.css (@page: 14 mm each side):
# 182 mm at the 96 px per inch of CSS.
PRINT = {"width": round(182 / 25.4 * 96), "height": round(269 / 25.4 * 96)}
CODE_LINE = 80  # characters, the limit of the hygiene check
# axe-core: WCAG 2.1 A and AA. Math is left out: MathJax's visible glyphs are aria-hidden (they
# take the colour of the text around them); screen readers read its assistive MathML instead.
# Code cells, half of axe's time, are checked on one chapter (AXE_CODE_PAGE): their colours are
# the same highlighting theme on every page.
AXE_OPTIONS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]},
               "resultTypes": ["violations"]}


def axe_context(rel):
    return {"exclude": [["mjx-container"]] + ([] if rel == AXE_CODE_PAGE else [["div.highlight"]])}


def _chapter_page():
    """The page shown as 'a chapter': the first notebook chapter after the Preface, else the
    first page after it."""
    chapters = [p for p in NOTEBOOK_PAGES if p != TOC_PAGES[0]]
    return chapters[0] if chapters else TOC_PAGES[1]


AXE_CODE_PAGE = _chapter_page()


def test_prerequisites():
    assert MISSING is None, MISSING


# ---------------------------------------------------------------- static checks (no browser)

class _Parser(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids, self.links, self.refresh, self.scripts = set(), [], None, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for key in ("id", "name") if tag == "a" else ("id",):
            if attrs.get(key):
                self.ids.add(attrs[key])
        if tag == "a" and attrs.get("href") is not None:
            self.links.append(attrs["href"])
        if tag == "script" and attrs.get("src"):
            self.scripts.append(attrs["src"])
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


def test_search_index_only_on_the_search_page():
    """searchindex.js (the whole book's index) is loaded by search.html alone."""
    loading = [rel for rel in PAGES if any(s.endswith("searchindex.js") for s in parse(rel).scripts)]
    assert loading == ["search.html"], f"pages that load searchindex.js: {loading}"


def test_mathjax_is_served_by_the_book():
    """Every page with maths loads MathJax from the book's own _static/, which has it."""
    problems = []
    for rel in PAGES:
        for src in parse(rel).scripts:
            if "mathjax" in src.lower():
                target = ((HTML / rel).parent / urllib.parse.urlsplit(src).path).resolve()
                if urllib.parse.urlsplit(src).netloc or not target.is_file():
                    problems.append(f"{rel}: {src}")
    assert not problems, "MathJax not served from the built book:\n" + "\n".join(problems)


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
    ctx = bookbrowser.offline_context(browser, base_url, blocked, viewport=DESKTOP)
    yield ctx
    ctx.close()


DESKTOP_JS = """(codeLine) => {
  const r = {};
  const maths = Array.from(document.querySelectorAll('.math'));
  r.nMath = maths.length;
  r.untypeset = maths.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60));
  r.mathErrors = Array.from(document.querySelectorAll('mjx-merror, [data-mjx-error]'))
    .map(e => e.getAttribute('data-mjx-error') || e.textContent);
  const text = (document.querySelector('main') || document.body).cloneNode(true);
  text.querySelectorAll('pre, code, script, style, textarea, mjx-container, .highlight, .cell_output, .output')
    .forEach(e => e.remove());
  r.text = text.textContent;
  r.images = Array.from(document.images).map(img => ({
    src: img.getAttribute('src'), alt: img.getAttribute('alt'),
    loaded: img.complete && img.naturalWidth > 0, output: !!img.closest('.cell_output'),
    caption: ((img.closest('figure') || {querySelector: () => null}).querySelector('figcaption') || {}).textContent || ''}));
  // Does a line of codeLine characters fit each code box? Do outputs stay in theirs?
  // (One probe per font, and no writes to the page while measuring: one layout in all.)
  r.codeTooNarrow = []; r.codeScrolls = 0; r.nCode = 0; r.outputsScroll = [];
  const pres = Array.from(document.querySelectorAll('div.highlight pre')).filter(p => !p.closest('.cell_output'));
  const widths = {};
  for (const pre of pres) {
    const cs = getComputedStyle(pre);
    const font = cs.fontFamily + '|' + cs.fontSize;
    if (!(font in widths)) {
      const probe = document.createElement('span');
      probe.style.cssText = `position:absolute; visibility:hidden; white-space:pre; font-family:${cs.fontFamily}; font-size:${cs.fontSize}`;
      probe.textContent = '0'.repeat(codeLine);
      document.body.appendChild(probe);
      widths[font] = probe.getBoundingClientRect().width;
      probe.remove();
    }
  }
  for (const pre of pres) {
    const cs = getComputedStyle(pre);
    const need = widths[cs.fontFamily + '|' + cs.fontSize];
    const room = pre.clientWidth - parseFloat(cs.paddingLeft) - parseFloat(cs.paddingRight);
    r.nCode += 1;
    if (pre.clientWidth > 0 && need > room + 0.5) r.codeTooNarrow.push([Math.round(need), Math.round(room)]);
    if (pre.scrollWidth > pre.clientWidth + 1) r.codeScrolls += 1;
  }
  for (const out of document.querySelectorAll('.cell_output pre, .cell_output .output')) {
    if (out.scrollWidth > out.clientWidth + 1)
      r.outputsScroll.push([out.scrollWidth - out.clientWidth, out.textContent.slice(0, 60)]);
  }
  r.scrollWidth = document.documentElement.scrollWidth;
  r.clientWidth = document.documentElement.clientWidth;
  return r;
}"""

PHONE_JS = """() => {
  const W = document.documentElement.clientWidth;
  const r = {scrollWidth: document.documentElement.scrollWidth, clientWidth: W, wide: {}, noCue: [], past: []};
  const scrolls = e => ['auto', 'scroll'].includes(getComputedStyle(e).overflowX);
  const cue = e => { const cs = getComputedStyle(e); return (cs.maskImage || cs.webkitMaskImage || '').includes('gradient'); };
  for (const e of document.querySelectorAll('div.math mjx-math, table')) {
    const b = e.getBoundingClientRect();
    if (!b.width) continue;
    // the box that scrolls it: the nearest ancestor that scrolls sideways
    let box = e.parentElement;
    while (box && box !== document.body && !scrolls(box)) box = box.parentElement;
    const what = e.tagName === 'TABLE' ? 'table' : 'equation';
    const text = (e.closest('div.math') || e).textContent.trim().slice(0, 50);
    if (box && box !== document.body) {
      if (box.scrollWidth > box.clientWidth + 1) {
        r.wide[what] = (r.wide[what] || 0) + 1;
        if (!cue(box)) r.noCue.push(what + ': ' + text);
      }
    } else if (b.right > W + 1) {
      r.past.push(what + ' without a scroll box: ' + text);
    }
  }
  if (r.scrollWidth > W + 1) {
    // what sticks out, outside any box that scrolls
    for (const e of document.querySelectorAll('body *')) {
      const b = e.getBoundingClientRect();
      if (b.width && b.right > W + 1) {
        let p = e.parentElement, inside = false;
        for (; p && p !== document.body; p = p.parentElement) if (scrolls(p)) { inside = true; break; }
        if (!inside) r.past.push(e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || '') + ' right edge '
          + Math.round(b.right) + ': ' + (e.textContent || '').trim().slice(0, 40));
      }
      if (r.past.length > 8) break;
    }
  }
  return r;
}"""

PRINT_JS = """() => {
  const W = document.documentElement.clientWidth;
  const r = {cut: [], chrome: [], hiddenSolutions: 0, solutions: 0, controls: []};
  const visible = e => { const b = e.getBoundingClientRect(); return b.width > 0 && b.height > 0
    && getComputedStyle(e).visibility !== 'hidden'; };
  const sel = 'pre, div.math, div.math mjx-math, table, img, figure, .cell_output, .admonition, p, li, dl, blockquote';
  for (const e of document.querySelectorAll(sel)) {
    if (!e.closest('.bd-article') || !visible(e)) continue;
    const b = e.getBoundingClientRect();
    const overflow = getComputedStyle(e).overflowX;
    const what = e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || '').split(' ')[0] + ': '
      + (e.textContent || e.getAttribute('src') || '').trim().slice(0, 50);
    if (b.right > W + 1 || b.left < -1) r.cut.push(what + ' (' + Math.round(b.right - W) + ' px past the edge)');
    else if (overflow !== 'visible' && e.scrollWidth > e.clientWidth + 1)
      r.cut.push(what + ' (' + (e.scrollWidth - e.clientWidth) + ' px cut off)');
  }
  for (const s of ['.bd-sidebar-primary', '.bd-sidebar-secondary', '.bd-header', '.bd-header-article',
                   '.prev-next-area', '.bd-footer']) {
    for (const e of document.querySelectorAll(s)) if (visible(e)) r.chrome.push(s);
  }
  for (const e of document.querySelectorAll('button.toggle-button, details.above-input > summary, .headerlink')) {
    if (visible(e)) r.controls.push(e.className || e.tagName);
  }
  for (const s of document.querySelectorAll('.solution')) {
    r.solutions += 1;
    const body = s.querySelector('.admonition-title ~ *');
    if (body && !visible(body)) r.hiddenSolutions += 1;
  }
  return r;
}"""


_inspected = {}


def inspect(context, base_url, rel):
    """Open page ``rel`` once, and measure it at desktop and phone width and as print media."""
    if rel in _inspected:
        return _inspected[rel]
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        r = {"ready": bookbrowser.open_page(page, base_url + rel)}
        r["desktop"] = page.evaluate(DESKTOP_JS, CODE_LINE)
        r["nav"] = {
            "prev": page.locator(".prev-next-area a.left-prev").count() > 0,
            "next": page.locator(".prev-next-area a.right-next").count() > 0,
        }
        if rel in NOTEBOOK_PAGES:
            source = rel[:-len(".html")] + ".ipynb"
            wanted = {
                "Binder launch button": f'a[href^="https://mybinder.org/v2/gh/"][href*="{source}"]',
                "Colab launch button": f'a[href^="https://colab.research.google.com/github/"][href$="{source}"]',
                ".ipynb download button": f'a[href$="_sources/{source}"]',
            }
            r["launch_missing"] = [f"{what} ({sel})" for what, sel in wanted.items()
                                   if page.locator(sel).count() == 0]
        r["axe"] = None
        if bookbrowser.AXE.is_file():
            page.add_script_tag(path=str(bookbrowser.AXE))
            r["axe"] = page.evaluate("([c, o]) => axe.run(c, o).then(res => res.violations.map("
                                     "v => ({id: v.id, impact: v.impact, n: v.nodes.length, help: v.help,"
                                     " html: v.nodes.slice(0, 2).map(n => n.html.slice(0, 160))})))",
                                     [axe_context(rel), AXE_OPTIONS])
        page.set_viewport_size(PHONE)
        # _static/book.js sets the scroll cues on resizing
        page.wait_for_function(f"() => document.documentElement.dataset.scrollCues === '{PHONE['width']}'")
        r["phone"] = page.evaluate(PHONE_JS)
        page.set_viewport_size(PRINT)
        page.emulate_media(media="print")
        # _static/book.js fits wide equations to the paper when print media starts to apply
        page.wait_for_function("() => document.documentElement.dataset.mathFit === 'print'")
        r["print"] = page.evaluate(PRINT_JS)
    finally:
        page.close()
    r["js_errors"] = errors
    _inspected[rel] = r
    return r


@pytest.mark.parametrize("rel", CONTENT_PAGES)
def test_page_renders(context, base_url, rel):
    """Maths typeset, images loaded, no JavaScript errors, navigation and launch buttons."""
    r = inspect(context, base_url, rel)
    d, problems = r["desktop"], list(r["ready"])
    if d["untypeset"]:
        problems.append(f"{len(d['untypeset'])} of {d['nMath']} math elements not typeset, e.g. {d['untypeset'][:3]}")
    if d["mathErrors"]:
        problems.append(f"MathJax errors: {d['mathErrors'][:5]}")
    raw = RAW_MATH.findall(d["text"])
    if raw:
        problems.append(f"raw TeX left in the text: {raw[:5]}")
    bad = [i["src"] for i in d["images"] if not i["loaded"]]
    if bad:
        problems.append(f"images that did not load: {bad}")
    if r["js_errors"]:
        problems.append(f"JavaScript errors: {r['js_errors'][:3]}")
    if rel in TOC_PAGES:
        i = TOC_PAGES.index(rel)
        if i > 0 and not r["nav"]["prev"]:
            problems.append("no 'previous' link")
        if i < len(TOC_PAGES) - 1 and not r["nav"]["next"]:
            problems.append("no 'next' link")
    problems += [f"no {what}" for what in r.get("launch_missing", [])]
    assert not problems, f"{rel}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("rel", CONTENT_PAGES)
def test_figures_have_alt_text(context, base_url, rel):
    """Every image has alt text that is not a file path; a notebook figure is a <figure> with a
    caption. Enforced once the notebooks carry the metadata (check_notebooks.ENFORCE_FIGURE_METADATA);
    until then an expected failure that lists what is missing."""
    images = inspect(context, base_url, rel)["desktop"]["images"]
    problems = []
    for img in images:
        alt = (img["alt"] or "").strip()
        if not alt or PATH_LIKE.search(alt):
            problems.append(f"{img['src']}: alt text {alt!r}")
        elif img["output"] and not img["caption"].strip():
            problems.append(f"{img['src']}: a notebook figure without a <figure> caption")
    if problems and not check_notebooks.ENFORCE_FIGURE_METADATA:
        pytest.xfail(f"{len(problems)} of {len(images)} images without alt text or caption "
                     "(not enforced yet: check_notebooks.ENFORCE_FIGURE_METADATA)")
    assert not problems, f"{rel}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("rel", CONTENT_PAGES)
def test_accessibility(context, base_url, rel):
    """axe-core (WCAG 2.1 A/AA): no serious or critical violation."""
    r = inspect(context, base_url, rel)
    if r["axe"] is None:
        message = f"no axe-core at {bookbrowser.AXE.relative_to(bookbrowser.ROOT)} (run make axe; it needs npm)"
        if REQUIRE:
            pytest.fail(message)
        pytest.skip(message)
    serious = [v for v in r["axe"] if v["impact"] in ("serious", "critical")]
    assert not serious, f"{rel}: axe-core violations:\n  " + "\n  ".join(
        f"{v['id']} ({v['impact']}, {v['n']}x): {v['help']}; e.g. {v['html']}" for v in serious)


@pytest.mark.parametrize("rel", CONTENT_PAGES)
def test_code_and_outputs_fit_the_column(context, base_url, rel):
    """At 1280 px a code line of 80 characters fits its box, and outputs wrap instead of
    scrolling sideways."""
    d = inspect(context, base_url, rel)["desktop"]
    problems = []
    if d["codeTooNarrow"]:
        need, room = d["codeTooNarrow"][0]
        problems.append(f"{len(d['codeTooNarrow'])} code boxes too narrow for {CODE_LINE} characters "
                        f"({need} px needed, {room} px there)")
    if d["outputsScroll"]:
        problems.append(f"{len(d['outputsScroll'])} outputs scroll sideways, e.g. {d['outputsScroll'][:2]}")
    if d["scrollWidth"] > d["clientWidth"] + 1:
        problems.append(f"the page scrolls sideways at 1280 px: {d['scrollWidth']} > {d['clientWidth']}")
    assert not problems, f"{rel}:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("rel", CONTENT_PAGES)
def test_phone_width(context, base_url, rel):
    """At 390 px the page does not scroll sideways; wide equations and tables scroll in their
    own box, with a visible cue."""
    p = inspect(context, base_url, rel)["phone"]
    problems = []
    if p["scrollWidth"] > p["clientWidth"] + 1:
        problems.append(f"the page scrolls sideways: scrollWidth {p['scrollWidth']} > {p['clientWidth']}")
    problems += p["past"]
    problems += [f"scrolls without a cue: {x}" for x in p["noCue"]]
    assert not problems, f"{rel} at 390 px:\n  " + "\n  ".join(problems)


@pytest.mark.parametrize("rel", CONTENT_PAGES)
def test_print(context, base_url, rel):
    """Printed on A4: nothing cut off, solutions shown without controls, no sidebars."""
    p = inspect(context, base_url, rel)["print"]
    problems = [f"cut off: {x}" for x in p["cut"][:10]]
    if len(p["cut"]) > 10:
        problems.append(f"... {len(p['cut'])} in all")
    if p["chrome"]:
        problems.append(f"printed: {sorted(set(p['chrome']))}")
    if p["controls"]:
        problems.append(f"on-screen controls printed: {sorted(set(p['controls']))}")
    if p["hiddenSolutions"]:
        problems.append(f"{p['hiddenSolutions']} of {p['solutions']} solutions not printed")
    assert not problems, f"{rel} printed:\n  " + "\n  ".join(problems)


def test_search_finds_reverse_mode(context, base_url):
    page = context.new_page()
    try:
        page.goto(base_url + "search.html?q=reverse+mode", wait_until="load")
        results = page.locator("#search-results ul.search li")
        results.first.wait_for()
        texts = results.all_inner_texts()
    finally:
        page.close()
    assert texts, "no search results for 'reverse mode'"
    assert any("glossary" in t.lower() or "reverse" in t.lower() for t in texts), texts


@pytest.mark.parametrize("rel", [TOC_PAGES[0], AXE_CODE_PAGE], ids=["landing", "chapter"])
def test_phone_screenshot(browser, base_url, blocked, rel):
    """A phone's view (touch, 2x pixels) of the landing page and a chapter, for people to look at."""
    context = bookbrowser.offline_context(browser, base_url, blocked, viewport=PHONE,
                                          device_scale_factor=2, is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        assert not bookbrowser.open_page(page, base_url + rel)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"phone-{pathlib.Path(rel).stem}.png"))
        widths = page.evaluate(
            "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
        assert widths[0] <= widths[1] + 1, f"{rel} scrolls sideways on a phone: scrollWidth {widths[0]} > {widths[1]}"
    finally:
        context.close()


def test_pages_load_nothing_from_outside(blocked):
    """The pages above asked for nothing outside the book, MathJax included: a reader offline,
    or behind a strict network, sees the same pages. (Runs last: the requests are collected, and
    aborted, by the tests above.)"""
    hosts = sorted({urllib.parse.urlsplit(u).netloc for u in blocked})
    assert not blocked, f"{len(blocked)} external requests (aborted) to {hosts}, e.g. {blocked[:3]}"
