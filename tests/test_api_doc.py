"""The usage examples of the API reference (book/api.md) run and print what the page shows.

Every ```pycon block of the page is a doctest, run in a fresh namespace after the page's first
block (the imports). Examples that end in an error show its type only (``TypeError: ...``):
doctest's IGNORE_EXCEPTION_DETAIL compares the exception's type, not its message. Each block is
named after the ``autofunction``/``autoclass``/``automodule`` entry above it, and every public
name of ``adlib`` must have one; every function of ``adlib.scipy.special`` must appear in an
example after that module's entry.
"""
import doctest
import pathlib
import re

import pytest

import adlib
from adlib.scipy import special

PAGE = pathlib.Path(__file__).resolve().parent.parent / "book" / "api.md"
BLOCK = re.compile(r"^```pycon\n(.*?)^```", re.M | re.S)
ENTRY = re.compile(r"^\.\. auto(?:function|class|module):: (\S+)", re.M)
FLAGS = doctest.ELLIPSIS | doctest.IGNORE_EXCEPTION_DETAIL | doctest.NORMALIZE_WHITESPACE


def _blocks():
    """(entry name, first line number, source) of each pycon block, in page order."""
    text = PAGE.read_text(encoding="utf-8")
    found = []
    for m in BLOCK.finditer(text):
        entries = ENTRY.findall(text, 0, m.start())
        lineno = text.count("\n", 0, m.start(1))  # 0-based, as doctest counts
        found.append((entries[-1] if entries else "imports", lineno, m.group(1)))
    return found


BLOCKS = _blocks()


def _run(name, lineno, source, globs):
    """Run one block as a doctest on a copy of ``globs``.
    Returns (failures, tries, report, the namespace afterwards)."""
    test = doctest.DocTestParser().get_doctest(source, globs, name, str(PAGE), lineno)
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    report = []
    runner.run(test, out=report.append, clear_globs=False)
    return runner.failures, runner.tries, "".join(report), test.globs


@pytest.mark.parametrize("name, lineno, source", BLOCKS[1:],
                         ids=[f"{name}:{lineno + 1}" for name, lineno, _ in BLOCKS[1:]])
def test_example(name, lineno, source):
    failures, _, report, globs = _run(*BLOCKS[0], {})
    assert failures == 0, report
    failures, tries, report, _ = _run(name, lineno, source, globs)
    assert tries > 0, f"{name}: the block at line {lineno + 1} has no example"
    assert failures == 0, report


def test_every_public_name_has_an_example():
    assert BLOCKS and BLOCKS[0][0] == "imports", "api.md must start with a block of imports"
    with_example = {name for name, _, _ in BLOCKS}
    missing = [n for n in adlib.__all__ if f"adlib.{n}" not in with_example]
    assert not missing, f"book/api.md has no example after the entry of: {missing}"


def test_every_special_function_has_an_example():
    examples = "".join(src for name, _, src in BLOCKS if name == "adlib.scipy.special")
    missing = [n for n in special.__all__ if not re.search(rf"\bspecial\.{n}\b", examples)]
    assert examples and not missing, \
        f"book/api.md: no example of adlib.scipy.special's {missing or 'functions'}"


def test_a_wrong_output_fails():
    """The harness itself: an example whose printed output is wrong must be reported."""
    failures, tries, _, _ = _run("wrong", 0, ">>> print(1 + 1)\n3\n", {})
    assert (failures, tries) == (1, 1)
