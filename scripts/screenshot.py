#!/usr/bin/env python3
"""Take the README's screenshot: a chapter of the built book at desktop width.

    python scripts/screenshot.py docs/screenshot.png [book/forward-mode.html]

Uses the offline browser set-up of the browser check (tests/browser/bookbrowser.py). Without a
page argument it takes the first notebook chapter after the Preface in _toc.yml (the Preface
itself while there is none).
"""
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "scripts"))
import bookbrowser  # noqa: E402
import sync_chapters  # noqa: E402


def default_page():
    names = sync_chapters.toc_files(ROOT)
    chapters = [n for n in names[1:] if (ROOT / "book" / f"{n}.ipynb").exists()]
    return f"book/{(chapters or names)[0]}.html"


def main(out, rel=None):
    reason = bookbrowser.missing_prerequisites()
    if reason:
        print(f"cannot take the screenshot: {reason}")
        return 1
    from playwright.sync_api import sync_playwright

    rel = rel or default_page()
    out = pathlib.Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with bookbrowser.serve() as base, sync_playwright() as pw:
        browser = bookbrowser.launch(pw)
        context = bookbrowser.offline_context(browser, base, viewport={"width": 1280, "height": 800})
        page = context.new_page()
        problems = bookbrowser.open_page(page, base + rel)
        if problems:
            print(f"cannot take the screenshot: {'; '.join(problems)}")
            browser.close()
            return 1
        page.screenshot(path=str(out))
        browser.close()
    print(f"wrote {out} ({rel} at 1280x800)")
    return 0


if __name__ == "__main__":
    if not 2 <= len(sys.argv) <= 3:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
