#!/usr/bin/env python3
"""Print the one-page book (Sphinx's singlehtml build) to a PDF with headless Chromium.

    python scripts/print_pdf.py _build/singlehtml _build/pdf/book.pdf

`make pdf` builds the page and runs this. The singlehtml builder writes the page where the root
document is (book/intro.html) but links its files as if it were at the top of the folder, so it
is served from there (as book.html) on 127.0.0.1 and opened offline, as the browser check opens
the HTML book (tests/browser/bookbrowser.py). Once MathJax has typeset the maths, every image
is decoded and book.js has fitted wide equations to the paper, Chromium prints it on A4 with
the book's print stylesheet (_static/book.css: no sidebars, code and outputs wrapped,
solutions shown), a title page from _config.yml, page numbers in the footer. MathJax's fonts
go into the PDF as outline fonts: the maths are vector glyphs, and text that can be searched
and copied.
"""
import pathlib
import re
import sys
import time
import urllib.parse

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
import bookbrowser  # noqa: E402
import yaml  # noqa: E402

# A title page, from _config.yml (the one-page build has the title only in its hidden header),
# at the top of the theme's print-only header, whose contents list the parts and chapters.
TITLE_PAGE = """([title, author]) => {
  const page = document.createElement('div');
  page.style.cssText = 'text-align: center; padding-top: 30vh; break-after: page;';
  const h = document.createElement('h1');
  h.textContent = title;
  h.style.fontSize = '2.4rem';
  const by = document.createElement('p');
  by.textContent = author;
  page.append(h, by);
  const header = document.getElementById('jb-print-docs-body');
  if (header && header.querySelector(':scope > h1')) header.querySelector(':scope > h1').remove();
  (header || document.querySelector('.bd-article') || document.body).prepend(page);
}"""
FOOTER = ('<div style="font-size: 8px; width: 100%; text-align: center; color: #555;">'
          '<span class="pageNumber"></span> / <span class="totalPages"></span></div>')


def the_page(folder):
    """The one page of a singlehtml build: where its index.html redirects to."""
    index = (folder / "index.html").read_text(encoding="utf-8") if (folder / "index.html").is_file() else ""
    match = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', index, re.I)
    page = folder / urllib.parse.unquote(match.group(1)) if match else folder / "index.html"
    return page if page.is_file() else None


def main(folder, out):
    folder, out = pathlib.Path(folder).resolve(), pathlib.Path(out)
    reason = bookbrowser.missing_prerequisites(folder)
    page_path = None if reason else the_page(folder)
    if reason or page_path is None:
        print(f"cannot print the book: {reason or f'no page in {folder} (run make pdf)'}")
        return 1
    from playwright.sync_api import sync_playwright

    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    blocked = []
    with bookbrowser.serve(folder) as base, sync_playwright() as pw:
        browser = bookbrowser.launch(pw)
        context = bookbrowser.offline_context(browser, base, blocked, viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.route(base + "book.html", lambda route: route.fulfill(path=str(page_path), content_type="text/html"))
        problems = bookbrowser.open_page(page, base + "book.html")
        if problems:
            print(f"cannot print the book: {'; '.join(problems)}")
            browser.close()
            return 1
        untypeset = page.evaluate("() => Array.from(document.querySelectorAll('.math'))"
                                  ".filter(e => !e.querySelector('mjx-container')).length")
        config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
        page.evaluate(TITLE_PAGE, [str(config.get("title", "")), str(config.get("author", ""))])
        page.emulate_media(media="print")
        # _static/book.js scales equations wider than the paper when print media applies
        page.wait_for_function("() => document.documentElement.dataset.mathFit === 'print'")
        page.pdf(path=str(out), prefer_css_page_size=True, print_background=True,
                 display_header_footer=True, header_template="<span></span>", footer_template=FOOTER)
        browser.close()
    data = out.read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page\b", data))
    print(f"wrote {out}: {pages} pages, {len(data) / 1e6:.1f} MB, in {time.monotonic() - start:.0f} s")
    if untypeset:
        print(f"warning: {untypeset} formulas were not typeset")
    if blocked:
        print(f"warning: {len(blocked)} requests outside the book were blocked, e.g. {blocked[:2]}")
    return 1 if untypeset or blocked else 0


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
