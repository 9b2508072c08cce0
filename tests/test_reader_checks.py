"""The hygiene check's rules for readers (scripts/check_notebooks.py, check_for_readers): they
catch what they should, on small notebooks."""
import json
import pathlib
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import check_notebooks  # noqa: E402
import colab_cells  # noqa: E402
import nbio  # noqa: E402

PNG = {"output_type": "display_data", "metadata": {},
       "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure size 600x400 with 1 Axes>"}}


def _book(tmp_path, cells):
    (tmp_path / "book").mkdir()
    (tmp_path / "_config.yml").write_text("repository:\n  url: https://example.org/a/b\n  branch: main\n")
    (tmp_path / "requirements.txt").write_text("autograd==1.9.1\n")
    nb = {"cells": cells, "metadata": {"kernelspec": dict(nbio.KERNELSPEC)}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "book" / "demo.ipynb"
    path.write_text(json.dumps(nb))
    return path


def _code(src, outputs=(), metadata=None, count=1):
    return {"cell_type": "code", "execution_count": count, "id": f"c{count}", "metadata": metadata or {},
            "outputs": list(outputs), "source": src}


def test_long_code_lines_are_found(tmp_path):
    path = _book(tmp_path, [_code("x = 1\n" + "y = " + "1 + " * 20 + "1\n")])
    found = check_notebooks.check_for_readers(path, "demo", tmp_path)["code width"]
    assert len(found) == 1 and "line 2: 85 characters" in found[0], found


def test_figures_need_alt_text_and_caption(tmp_path):
    good = {"mystnb": {"figure": {"caption": "The loss falls.", "name": "fig-loss"},
                       "image": {"alt": "A line falling from 2 to 0.1 over 50 steps."}}}
    path_alt = {"mystnb": {"figure": {"caption": "x"}, "image": {"alt": "../_images/abc.png"}}}
    path = _book(tmp_path, [_code("plot()", [PNG], good, 1), _code("plot()", [PNG], None, 2),
                            _code("plot()", [PNG], path_alt, 3)])
    found = check_notebooks.check_for_readers(path, "demo", tmp_path)["figures"]
    assert not any("cell 0" in f for f in found), found
    assert sum("cell 1" in f for f in found) == 2, found          # neither alt nor caption
    assert [f for f in found if "cell 2" in f] == [f"demo: cell 2: a figure without alt text "
                                                   "(cell metadata mystnb.image.alt)"]


def test_colab_cell_out_of_step_is_found(tmp_path):
    path = _book(tmp_path, [_code("import adlib\nimport autograd")])
    assert check_notebooks.check_for_readers(path, "demo", tmp_path)["colab"]
    nb = nbio.read(path)
    colab_cells.sync(nb, tmp_path)
    nbio.write(nb, path)
    assert check_notebooks.check_for_readers(path, "demo", tmp_path)["colab"] == []


def test_an_unexecuted_colab_cell_keeps_the_counts_valid(tmp_path):
    """Inserted by the script, the set-up cell has no execution count: the other cells' counts
    1..n stay valid; once the notebook is executed again it is cell 1."""
    path = _book(tmp_path, [{"cell_type": "markdown", "id": "m", "metadata": {}, "source": "# Demo"},
                            _code("import adlib\nimport autograd\nassert autograd", count=1)])
    nb = nbio.read(path)
    colab_cells.sync(nb, tmp_path)
    nbio.write(nb, path)
    problems = check_notebooks.check_notebook(path, "demo", {})
    assert not any("execut" in p for p in problems), problems
