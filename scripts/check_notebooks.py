#!/usr/bin/env python3
"""Hygiene of the book's notebooks, from their stored contents (nothing is executed).

    python scripts/check_notebooks.py [--root DIR] [book/x.ipynb ...]

For every notebook in book/ (or those named), it reports
  * code cells not executed, or not executed top to bottom in one kernel (counts must be 1..n);
  * error outputs;
  * absolute paths or memory addresses (0x...) in outputs: they differ between machines and runs;
  * unformatted NumPy scalars in outputs (``np.float64(...)``): print numbers with a format;
  * round-off printed as a result: a number in scientific notation below 1e-9 (or a zero such as
    ``0.0e+00``), with at most three significant digits, that no bound ("< 1e-12", "below",
    "above", "than", ...) introduces. Such digits differ between maths kernels (see CONTRIBUTING.md):
    print a bound and let an assert check the value, or tag the cell ``nbval-ignore-output``;
  * a glued value (myst-nb ``glue``) that is an unformatted NumPy scalar or a float with more than
    12 significant digits: nbval compares the glued text too, so glue a rounded value;
  * a kernelspec other than python3 (``make notebooks`` normalises it);
  * stray matplotlib reprs (``[<matplotlib.lines.Line2D ...>]``, ``Text(...)``, ``<Axes: ...>``,
    a ``<Figure ...>`` with no image): end plot cells with ``plt.show()``;
  * fewer than three exercises (chapters only, not the Preface), an exercise without a
    dropdown solution, or an exercise label used twice in the book;
  * a notebook that uses adlib without a visible cell asserting agreement with autograd;
  * a notebook that is not in _toc.yml, and chapter links out of step with _toc.yml
    (the glossary and the Preface's map; fix with ``make links``);
  * book-wide (when no notebook is named): more than 5% of the code cells tagged
    ``nbval-ignore-output``, whose outputs nbval does not compare.
  * for readers (check_for_readers): a Colab set-up cell out of step (``make links``), code
    lines over 80 characters, figures without alt text and caption.
Exit status 1 when anything is found.
"""
import argparse
import json
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import colab_cells  # noqa: E402
import sync_chapters  # noqa: E402

CODE_WIDTH = 80  # the book's code column fits 80 characters at 1280 px (_static/book.css)

ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,}\b")
ABS_PATH = re.compile(
    r"(?<![\w:/.~\\])/(?:[\w.@+-]+/)+[\w.@+-]+"  # /home/user/x, /usr/lib/python3/...
    r"|\b[A-Za-z]:\\[\w.-]+"                     # C:\Users
    r"|site-packages|~/[\w.-]+/"
)
NP_SCALAR = re.compile(r"\bnp\.(float|int|complex|bool|str)_?\d*\(")
STRAY_MPL = re.compile(
    r"^\s*(\[?<matplotlib\.|\[?Text\(|\[?<Axes|\(?<Figure size|<matplotlib\.legend|"
    r"\[?<mpl_toolkits\.|\(array\(\[.*\]\), array\(\[.*\]\), <BarContainer)"
)
EXERCISE = re.compile(r"^(?:```+|:::+)\s*\{exercise(?:-start)?\}.*?(?:\n:label:\s*(\S+))?", re.M)
EXERCISE_LABEL = re.compile(r"^(?:```+|:::+)\s*\{exercise(?:-start)?\}[^\n]*\n(?:[^\n]*\n)*?:label:\s*(\S+)", re.M)
SOLUTION = re.compile(r"^(?:```+|:::+)\s*\{solution(?:-start)?\}\s*(\S+)[^\n]*\n((?::[\w-]+:[^\n]*\n)*)", re.M)
HIDDEN = {"remove-cell", "remove-input", "remove_cell", "remove_input"}
NOT_CHAPTERS = {"intro"}
IGNORE_OUTPUT = "nbval-ignore-output"
MAX_IGNORE_SHARE = 0.05  # of the book's code cells
# A number in scientific notation; group 1 is its mantissa.
SCI_NUMBER = re.compile(r"(?<![\w.])[-+]?(\d+(?:\.\d*)?)[eE][-+]?\d+\b")
# Text right before a number that makes it a bound or an estimate, not a result: "< 1e-12",
# "below 1e-10", "≈ 5e-11" (a model's value).
BOUND_BEFORE = re.compile(r"(?:[<>≤≥≲≈~]|<=|>=|\b(?:below|under|above|over|than|within|to|at most|at least|up to))\s*$")
GLUE_PLAIN = "application/papermill.record/text/plain"  # what glue(..., display=False) stores
FLOAT_REPR = re.compile(r"^-?(\d+)\.?(\d*)(?:e[-+]?\d+)?$")


def output_texts(out):
    """The text an output shows (images and other binary data are skipped)."""
    if "text" in out:
        yield "".join(out["text"]) if isinstance(out["text"], list) else out["text"]
    for mime, val in out.get("data", {}).items():
        if mime.startswith("text/") or mime in ("application/json",):
            yield "".join(val) if isinstance(val, list) else str(val)


def roundoff_numbers(text):
    """Numbers in ``text`` that look like round-off printed as a result: scientific notation,
    below 1e-9 in size (or zero), at most three significant digits, not introduced as a bound."""
    found = []
    for m in SCI_NUMBER.finditer(text):
        value = float(m.group(0))
        if value != 0 and abs(value) >= 1e-9:
            continue
        if len(m.group(1).replace(".", "").lstrip("0")) > 3:  # 4.24835e-18: a value, printed as one
            continue
        if BOUND_BEFORE.search(text[max(0, m.start() - 12):m.start()]):
            continue
        found.append(m.group(0))
    return found


def unrounded_glue(text):
    """Why a glued text/plain value is not machine-independent, or None."""
    if NP_SCALAR.search(text):
        return "an unformatted NumPy scalar (glue float(x) or int(x))"
    m = FLOAT_REPR.match(text.strip())
    if m and "." in text and len((m.group(1) + m.group(2)).lstrip("0")) > 12:
        return "a float with all its digits (glue round(x, n) or a formatted string)"
    return None


def check_notebook(path, rel, labels):
    problems = []
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"{rel}: not a readable notebook ({exc})"]

    ks = nb.get("metadata", {}).get("kernelspec", {})
    if ks.get("name") != "python3" or ks.get("language", "python") != "python":
        problems.append(f"{rel}: kernelspec is {ks.get('name')!r}, expected 'python3' (run make notebooks)")

    counts, code, markdown = [], [], []
    checked_against_autograd = False
    for i, cell in enumerate(nb.get("cells", [])):
        src = "".join(cell.get("source", ""))
        where = f"{rel}: cell {i}"
        if cell.get("cell_type") == "markdown":
            markdown.append(src)
            continue
        if cell.get("cell_type") != "code":
            continue
        if cell.get("execution_count") is None and colab_cells.is_setup_cell(cell):
            continue  # written by scripts/colab_cells.py, not yet executed: it does nothing here
        code.append(src)
        tags = set(cell.get("metadata", {}).get("tags", []))
        if "assert" in src and ("autograd" in src or "agnp" in src) and not tags & HIDDEN:
            checked_against_autograd = True
        if not src.strip():
            continue
        if cell.get("execution_count") is None:
            problems.append(f"{where}: code cell was never executed")
        else:
            counts.append(cell["execution_count"])
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"{where}: error output ({out.get('ename')}: {out.get('evalue', '')[:80]})")
                continue
            data = out.get("data", {})
            glued = data.get(GLUE_PLAIN)
            glued = "".join(glued) if isinstance(glued, list) else glued
            if glued is not None and unrounded_glue(glued):
                problems.append(f"{where}: glues {unrounded_glue(glued)}: nbval compares the glued "
                                f"text on every machine")
            if IGNORE_OUTPUT not in tags and "raises-exception" not in tags:
                for text in [*output_texts(out), *([glued] if glued else [])]:
                    for number in roundoff_numbers(text)[:1]:
                        problems.append(
                            f"{where}: output prints round-off as a result ({number!r}), which differs "
                            f"between machines: print a bound ('< 1e-12') and assert the value")
            for text in output_texts(out):
                if ADDRESS.search(text):
                    problems.append(f"{where}: output shows a memory address {ADDRESS.search(text).group()!r}")
                if ABS_PATH.search(text):
                    problems.append(f"{where}: output shows a machine path {ABS_PATH.search(text).group()!r}")
                if NP_SCALAR.search(text):
                    problems.append(f"{where}: output shows an unformatted NumPy scalar "
                                    f"{NP_SCALAR.search(text).group()!r}...: print it with a format")
            plain = data.get("text/plain", "")
            plain = "".join(plain) if isinstance(plain, list) else plain
            stray = out.get("output_type") == "execute_result" and STRAY_MPL.search(plain)
            figure_as_text = plain.lstrip().startswith("<Figure size") and "image/png" not in data \
                and "image/svg+xml" not in data
            if stray or figure_as_text:
                problems.append(f"{where}: stray matplotlib output {plain.strip()[:60]!r} "
                                f"(end the cell with plt.show())")
    if counts != list(range(1, len(counts) + 1)):
        problems.append(f"{rel}: execution counts {counts[:10]}{'...' if len(counts) > 10 else ''} are not "
                        f"1..{len(counts)}: re-execute it top to bottom (make notebooks NB={rel})")

    all_code = "\n".join(code)
    if re.search(r"\badlib\b", all_code) and not checked_against_autograd:
        problems.append(f"{rel}: uses adlib but has no visible cell asserting agreement with autograd")

    md = "\n".join(markdown)
    ex_labels = EXERCISE_LABEL.findall(md)
    n_ex = len(EXERCISE.findall(md))
    if path.stem not in NOT_CHAPTERS and n_ex < 3:
        problems.append(f"{rel}: {n_ex} exercises, a chapter needs at least three")
    if len(ex_labels) < n_ex:
        problems.append(f"{rel}: {n_ex - len(ex_labels)} exercise(s) without a :label:")
    solutions = {}
    for label, options in SOLUTION.findall(md):
        solutions[label] = options
    for label in ex_labels:
        if label in labels:
            problems.append(f"{rel}: exercise label {label!r} is also used in {labels[label]}")
        labels[label] = rel
        if label not in solutions:
            problems.append(f"{rel}: exercise {label!r} has no {{solution}}")
        elif not re.search(r":class:[^\n]*\bdropdown\b", solutions[label]):
            problems.append(f"{rel}: the solution of {label!r} is not hidden (add :class: dropdown)")
    return problems


def ignore_output_share(paths):
    """(cells tagged nbval-ignore-output, non-empty code cells) over the notebooks ``paths``."""
    tagged = total = 0
    for path in paths:
        try:
            cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
        except (OSError, ValueError):
            continue  # reported by check_notebook
        for cell in cells:
            if cell.get("cell_type") == "code" and "".join(cell.get("source", "")).strip():
                total += 1
                tagged += IGNORE_OUTPUT in cell.get("metadata", {}).get("tags", [])
    return tagged, total


IMAGE_MIMES = ("image/png", "image/svg+xml", "image/jpeg", "image/gif")
PATH_LIKE = re.compile(r"(^|/)[\w.-]+\.(png|jpe?g|gif|svg|webp)$|^\.{0,2}/", re.I)


def check_for_readers(path, rel, root):
    """The reader-facing rules, by kind: {"colab": [...], "code width": [...], "figures": [...]}."""
    found = {"colab": colab_cells.problems(path, rel, root), "code width": [], "figures": []}
    nb = json.loads(path.read_text(encoding="utf-8"))
    for i, cell in enumerate(nb.get("cells", [])):
        if cell.get("cell_type") != "code":
            continue
        src = "".join(cell.get("source", ""))
        for n, line in enumerate(src.splitlines(), 1):
            if len(line) > CODE_WIDTH:
                found["code width"].append(f"{rel}: cell {i} line {n}: {len(line)} characters "
                                           f"(at most {CODE_WIDTH})")
        if any(m in out.get("data", {}) for out in cell.get("outputs", []) for m in IMAGE_MIMES):
            meta = cell.get("metadata", {}).get("mystnb", {})
            alt = str(meta.get("image", {}).get("alt", "")).strip()
            caption = str(meta.get("figure", {}).get("caption", "")).strip()
            if not alt or PATH_LIKE.search(alt):
                found["figures"].append(f"{rel}: cell {i}: a figure without alt text "
                                        "(cell metadata mystnb.image.alt)")
            if not caption:
                found["figures"].append(f"{rel}: cell {i}: a figure without a caption "
                                        "(cell metadata mystnb.figure.caption)")
    return found


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("notebooks", nargs="*", type=pathlib.Path)
    ap.add_argument("--root", type=pathlib.Path, default=sync_chapters.ROOT,
                    help="the book's top folder (default: this repository)")
    args = ap.parse_args(argv)
    root = args.root.resolve()
    book = root / "book"
    all_notebooks = sorted(p for p in book.rglob("*.ipynb")
                           if "_build" not in p.parts and ".ipynb_checkpoints" not in p.parts)
    notebooks = [p.resolve() for p in args.notebooks] if args.notebooks else all_notebooks

    problems, labels = [], {}
    for path in notebooks:
        rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
        problems += check_notebook(path, rel, labels)
        for found in check_for_readers(path, rel, root).values():
            problems += found

    toc_path = root / "_toc.yml"
    if not toc_path.exists():
        problems.append("_toc.yml: missing")
    else:
        in_toc = set(sync_chapters.toc_files(root))
        for path in notebooks:
            if path.is_relative_to(book) and path.relative_to(book).with_suffix("").as_posix() not in in_toc:
                problems.append(f"{path.relative_to(root).as_posix()}: not in _toc.yml")
        for name in sorted(in_toc):
            if not any((book / f"{name}{ext}").exists() for ext in (".ipynb", ".md")):
                problems.append(f"_toc.yml: lists book/{name}, which does not exist")
        if (root / "scripts" / "glossary.yml").exists() and (book / "intro.ipynb").exists():
            if (book / "glossary.md").read_text(encoding="utf-8") != sync_chapters.glossary_md(root):
                problems.append("book/glossary.md: out of step with _toc.yml or scripts/glossary.yml "
                                "(run make links)")
            readme = root / "README.md"
            text = readme.read_text(encoding="utf-8") if readme.exists() else ""
            if sync_chapters.README_START in text and \
                    sync_chapters.readme_with_contents(text, root) != text:
                problems.append("README.md: the contents table is out of step with _toc.yml "
                                "(run make links)")
            intro = sync_chapters.nbio.read(book / "intro.ipynb")
            if sync_chapters.map_cell(intro, book / "intro.ipynb").source != sync_chapters.chapter_map_md(root):
                problems.append("book/intro.ipynb: the chapter map is out of step with _toc.yml (run make links)")

    tagged, total = ignore_output_share(all_notebooks)
    share = f"{tagged} of {total} code cells ({tagged / max(total, 1):.1%})"
    if not args.notebooks and tagged > MAX_IGNORE_SHARE * total:
        problems.append(f"book: {share} are tagged {IGNORE_OUTPUT}, more than {MAX_IGNORE_SHARE:.0%}: "
                        f"nbval checks none of their outputs. Show timings in a figure and print "
                        f"what holds on any machine (see CONTRIBUTING.md)")

    for p in problems:
        print(p)
    print(f"check_notebooks: book-wide, {share} are tagged {IGNORE_OUTPUT} "
          f"(at most {MAX_IGNORE_SHARE:.0%})")
    print(f"check_notebooks: {len(notebooks)} notebook(s), {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
