"""Notebook hygiene: scripts/check_notebooks.py on the book, and on small bad notebooks to show
that it catches what it should. (Runs after the adlib unit tests: `make test`, step 2.)"""
import json
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "scripts"
sys.path.insert(0, str(SCRIPTS))

import check_notebooks  # noqa: E402
import nbio  # noqa: E402


def test_book_notebooks_are_clean():
    """Every notebook in book/: executed top to bottom, no errors, paths or addresses in outputs,
    kernelspec python3, checked against autograd, exercises, listed in _toc.yml."""
    result = subprocess.run([sys.executable, str(SCRIPTS / "check_notebooks.py")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


def _code(src, count, outputs=()):
    return {"cell_type": "code", "execution_count": count, "id": f"c{count}", "metadata": {},
            "outputs": list(outputs), "source": src}


def _md(src, i=0):
    return {"cell_type": "markdown", "id": f"m{i}", "metadata": {}, "source": src}


def _stream(text):
    return {"name": "stdout", "output_type": "stream", "text": text}


EXERCISES = "\n\n".join(
    f"```{{exercise}} E{n}\n:label: ex-demo-{n}\n\nDo it.\n```\n\n"
    f"````{{solution}} ex-demo-{n}\n:class: dropdown\n\nDone.\n````" for n in (1, 2, 3))


def _glue(text):
    """The output of myst_nb.glue(name, value, display=False), whose repr is ``text``."""
    return {"output_type": "display_data", "metadata": {"scrapbook": {"name": "x", "mime_prefix":
            "application/papermill.record/"}}, "data": {"application/papermill.record/text/plain": text}}


def _notebook(cells):
    return {"cells": cells, "metadata": {"kernelspec": dict(nbio.KERNELSPEC), "language_info": {"name": "python"}},
            "nbformat": 4, "nbformat_minor": 5}


@pytest.fixture
def book(tmp_path):
    """A minimal book: _toc.yml listing book/intro and book/demo."""
    (tmp_path / "book").mkdir()
    (tmp_path / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/demo\n")
    (tmp_path / "book" / "intro.ipynb").write_text(json.dumps(_notebook([_md("# Preface")])))
    return tmp_path


def _problems(book, cells, name="demo"):
    path = book / "book" / f"{name}.ipynb"
    path.write_text(json.dumps(_notebook(cells)))
    return check_notebook_output(book)


def check_notebook_output(book):
    labels = {}
    out = []
    for path in sorted((book / "book").glob("*.ipynb")):
        out += check_notebooks.check_notebook(path, path.name, labels)
    return out


GOOD = [
    _md("# Demo\n\n" + EXERCISES),
    _code("import adlib, autograd\nprint('ok')", 1, [_stream("ok\n")]),
    _code("assert abs(adlib_result - autograd_result) < 1e-12", 2),
]


def test_a_good_notebook_passes(book):
    assert _problems(book, GOOD) == []


@pytest.mark.parametrize("cells, expected", [
    ([GOOD[0], _code("x = 1", 2), _code("y = 2", 1)], "not 1..2"),
    ([GOOD[0], _code("x = 1", None)], "never executed"),
    ([GOOD[0], _code("1/0", 1, [{"output_type": "error", "ename": "ZeroDivisionError", "evalue": "",
                                  "traceback": []}])], "error output"),
    ([GOOD[0], _code("print(f)", 1, [_stream("<function f at 0x7f3a2b1c9d30>\n")])], "memory address"),
    ([GOOD[0], _code("print(p)", 1, [_stream("saved to /home/alice/book/fig.png\n")])], "machine path"),
    ([GOOD[0], _code("x", 1, [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                               "data": {"text/plain": "np.float64(0.5)"}}])], "unformatted NumPy scalar"),
    ([GOOD[0], _code("plt.plot(x)", 1, [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
                                         "data": {"text/plain": "[<matplotlib.lines.Line2D at 0x1>]"}}])],
     "stray matplotlib"),
    ([GOOD[0], _code("import adlib", 1)], "autograd"),
    ([GOOD[0], _code("print(err)", 1, [_stream("relative error 1.8e-16\n")])], "round-off"),
    ([GOOD[0], _code("print(err)", 1, [_stream("error 0.0e+00\n")])], "round-off"),
    ([GOOD[0], _code("glue('e', err)", 1, [_glue("3.5e-17")])], "round-off"),
    ([GOOD[0], _code("glue('r', r)", 1, [_glue("0.30000000000000004")])], "glues a float"),
    ([GOOD[0], _code("glue('r', r)", 1, [_glue("np.float64(0.3)")])], "glues an unformatted NumPy scalar"),
    ([_md("# Demo, no exercises"), *GOOD[1:]], "at least three"),
    ([_md("# Demo\n\n" + EXERCISES.replace(":class: dropdown\n", "")), *GOOD[1:]], "not hidden"),
])
def test_problems_are_caught(book, cells, expected):
    problems = _problems(book, cells)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("text, tags", [
    ("adlib and autograd agree to < 1e-12\n", []),          # a bound, not the round-off itself
    ("relative error below 1e-15, above 1e-17\n", []),
    ("softplus(-40) = 4.24835e-18\n", []),                  # a value printed with its digits
    ("step h = 1e-06, error 2.5e-05\n", []),                # not round-off in size
    ("relative error 1.8e-16\n", ["nbval-ignore-output"]),  # not compared by nbval
])
def test_bounds_and_values_are_not_round_off(book, text, tags):
    cell = _code("print(err)", 3, [_stream(text)])
    cell["metadata"]["tags"] = tags
    assert _problems(book, [*GOOD, cell]) == []


def test_glued_rounded_values_pass(book):
    assert _problems(book, [*GOOD, _code("glue('r', round(r, 2))", 3, [_glue("0.48")]),
                            _code("glue('n', 20829)", 4, [_glue("20829")])]) == []


def test_share_of_ignored_outputs_is_limited(book, capsys):
    """More than 5% of the book's code cells tagged nbval-ignore-output is a problem; 5% is not."""
    def write(n_tagged, n_cells=40):
        cells = [_code("x = 1", i + 1) for i in range(n_cells)]
        for cell in cells[:n_tagged]:
            cell["metadata"]["tags"] = ["nbval-ignore-output"]
        (book / "book" / "demo.ipynb").write_text(json.dumps(_notebook([*GOOD, *[
            {**c, "execution_count": i + 3} for i, c in enumerate(cells)]])))
        return check_notebooks.main(["--root", str(book)]), capsys.readouterr().out

    status, out = write(2)   # 2 of 42 code cells
    assert status == 0 and "2 of 42 code cells" in out, out
    status, out = write(4)   # 4 of 42: 9.5%
    assert status == 1 and "more than 5%" in out, out


def test_kernelspec_must_be_python3(book):
    nb = _notebook(GOOD)
    nb["metadata"]["kernelspec"] = {"name": "conda-env-x", "display_name": "x", "language": "python"}
    (book / "book" / "demo.ipynb").write_text(json.dumps(nb))
    assert any("kernelspec" in p for p in check_notebook_output(book))


def test_notebook_missing_from_toc_is_reported(book):
    (book / "book" / "extra.ipynb").write_text(json.dumps(_notebook([_md("# Extra\n\n" + EXERCISES)])))
    (book / "book" / "demo.ipynb").write_text(json.dumps(_notebook(GOOD)))
    result = subprocess.run([sys.executable, str(SCRIPTS / "check_notebooks.py"), "--root", str(book)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "book/extra.ipynb: not in _toc.yml" in result.stdout


def test_normalising_is_idempotent(tmp_path):
    """make notebooks: writing a notebook twice gives the same bytes, with the canonical kernelspec."""
    src = ROOT / "book" / "intro.ipynb"
    copy = tmp_path / "intro.ipynb"
    shutil.copy(src, copy)
    nb = nbio.read(copy)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    nb.metadata["language_info"]["version"] = "3.11.7"
    nb.metadata["widgets"] = {"state": {}}
    nbio.write(nb, copy)
    first = copy.read_bytes()
    assert not nbio.write(nbio.read(copy), copy)
    assert copy.read_bytes() == first
    meta = json.loads(first)["metadata"]
    assert meta["kernelspec"] == nbio.KERNELSPEC
    assert "version" not in meta["language_info"] and "widgets" not in meta


def test_links_follow_the_toc(tmp_path):
    """make links: a chapter listed in _toc.yml is linked from the glossary and the Preface's map,
    one that is not is named in plain text."""
    import sync_chapters

    (tmp_path / "scripts").mkdir()
    shutil.copy(SCRIPTS / "glossary.yml", tmp_path / "scripts" / "glossary.yml")
    shutil.copytree(ROOT / "book", tmp_path / "book")  # the pages give the chapter titles
    (tmp_path / "_toc.yml").write_text(
        "format: jb-book\nroot: book/intro\nparts:\n  - caption: Part I\n    chapters:\n"
        "      - file: book/reverse-mode\n")
    glossary = sync_chapters.glossary_md(tmp_path)
    assert "Introduced in: {doc}`reverse-mode`" in glossary
    assert "Introduced in: *Forward mode*" in glossary
    chapter_map = sync_chapters.chapter_map_md(tmp_path)
    assert "- {doc}`reverse-mode`" in chapter_map
    assert "- *Forward mode* (in preparation)" in chapter_map
