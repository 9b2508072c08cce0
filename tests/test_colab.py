"""A chapter opened in Colab runs top to bottom: its first code cell (written by
scripts/colab_cells.py) installs the book's library, after which the chapter's imports work.

Offline, as a stand-in for a fresh Colab runtime: a new virtual environment that sees the
packages of this one (NumPy, autograd, ...; Colab has its own) but not adlib, and a stand-in
``google.colab`` module. The cell's install source is pointed at a clone of this repository
(BOOK_INSTALL_SOURCE, ``git+file://...``), and pip is told to use nothing but what is there
(no index, no dependencies, no build isolation).
"""
import ast
import os
import pathlib
import shutil
import subprocess
import sys
import sysconfig
import venv

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import colab_cells  # noqa: E402
import nbio  # noqa: E402


def _chapter():
    """The chapter whose cell installs the most (ties: the first in name order)."""
    def n_installs(path):
        return len(colab_cells.imported_modules(nbio.read(path)) & set(colab_cells.COLAB_MISSING))
    return max(colab_cells.notebooks(), key=n_installs)


def _imports(nb):
    """The notebook's import statements, as written, outside the set-up cell."""
    found = []
    for cell in nb.cells:
        if cell.cell_type != "code" or colab_cells.is_setup_cell(cell):
            continue
        code = "\n".join("" if l.lstrip().startswith(("%", "!")) else l for l in cell.source.splitlines())
        for node in ast.walk(ast.parse(code)):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.append(ast.unparse(node))
    return list(dict.fromkeys(found))


def _without_adlib(site, farm):
    """A folder of links to everything in ``site`` except adlib (its files, its metadata and
    the hook of its editable install)."""
    farm.mkdir()
    for entry in site.iterdir():
        if "adlib" in entry.name.lower():
            continue
        (farm / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git, to clone the repository")
def test_colab_cell_installs_what_the_chapter_imports(tmp_path):
    path = _chapter()
    nb = nbio.read(path)
    cells = [c for c in nb.cells if colab_cells.is_setup_cell(c)]
    assert len(cells) == 1, f"{path.name}: {len(cells)} Colab set-up cells (run make links)"
    cell = cells[0].source
    imports = _imports(nb)
    assert any("adlib" in line for line in imports), imports

    # A clone of this repository, as Colab's pip would clone the real one.
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True, timeout=120)

    # A fresh environment that sees this one's packages but not adlib.
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    site = pathlib.Path(subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                       capture_output=True, text=True, check=True).stdout.strip())
    _without_adlib(pathlib.Path(sysconfig.get_paths()["purelib"]), tmp_path / "shared")
    (site / "shared.pth").write_text(str(tmp_path / "shared") + "\n")
    standin = tmp_path / "standin" / "google" / "colab"
    standin.mkdir(parents=True)
    (standin / "__init__.py").write_text('"""A stand-in for Colab\'s module: the cell only asks whether it is there."""\n')

    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PYTHON", "VIRTUAL_ENV"))}
    env |= {
        "PYTHONPATH": str(tmp_path / "standin"),
        "BOOK_INSTALL_SOURCE": f"git+file://{clone}",
        "PIP_NO_INDEX": "1", "PIP_NO_DEPS": "1", "PIP_NO_BUILD_ISOLATION": "0",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1", "PIP_NO_INPUT": "1",
    }

    def run(code):
        return subprocess.run([python, "-c", code], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=300)

    before = run("import adlib")
    assert before.returncode != 0 and "No module named 'adlib'" in before.stderr, \
        "the fresh environment already has adlib: the test would prove nothing"

    setup = run("import google.colab\n" + cell)
    assert setup.returncode == 0, f"the set-up cell of {path.name} failed:\n{setup.stdout}\n{setup.stderr}"

    after = run("\n".join(imports) + "\nimport adlib, sys\nprint(adlib.__file__)")
    assert after.returncode == 0, f"{path.name}'s imports after the set-up cell:\n{after.stderr}"
    assert pathlib.Path(after.stdout.strip()).is_relative_to(site), after.stdout


def test_cell_does_nothing_outside_colab(tmp_path):
    """Without google.colab the cell runs nothing (nbval and local runs are unchanged)."""
    cell = colab_cells.cell_source({"adlib", "autograd"})
    env = dict(os.environ, BOOK_INSTALL_SOURCE=str(tmp_path / "no-such-source"))
    result = subprocess.run([sys.executable, "-c", "import subprocess\n"
                             "def refuse(*a, **k): raise AssertionError('ran ' + repr(a))\n"
                             "subprocess.run = refuse\n" + cell],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and "google.colab" not in result.stderr


def test_cells_follow_config_and_requirements(tmp_path):
    """The URL comes from _config.yml and the pins from requirements.txt; writing is idempotent."""
    (tmp_path / "book").mkdir()
    (tmp_path / "_config.yml").write_text(
        "repository:\n  url: https://example.org/someone/a-book\n  branch: draft\n")
    (tmp_path / "requirements.txt").write_text(
        'autograd==9.9 ; python_version >= "3.11"\nautograd==8.8 ; python_version < "3.11"\n'
        "jax==1.0\njaxlib==1.0\nnumpy==1.0\n")
    source = colab_cells.cell_source({"adlib", "autograd", "jax", "numpy"}, tmp_path)
    assert '"git+https://example.org/someone/a-book@draft"' in source
    assert '"autograd==9.9", "jax==1.0", "jaxlib==1.0"' in source and "numpy" not in source
    assert max(len(line) for line in source.splitlines()) <= 80
    assert colab_cells.cell_source({"numpy", "math"}, tmp_path) is None

    nb = nbio.nbformat.v4.new_notebook(cells=[
        nbio.nbformat.v4.new_markdown_cell("# A chapter"),
        nbio.nbformat.v4.new_code_cell("import numpy as np\nimport adlib\nimport autograd"),
    ])
    assert colab_cells.sync(nb, tmp_path)
    assert [c.cell_type for c in nb.cells] == ["markdown", "code", "code"]
    assert colab_cells.is_setup_cell(nb.cells[1]) and "remove-cell" in nb.cells[1].metadata.tags
    assert not colab_cells.sync(nb, tmp_path), "a second run changed the notebook"
    nb.cells[2].source = "import numpy as np"
    assert colab_cells.sync(nb, tmp_path) and not any(colab_cells.is_setup_cell(c) for c in nb.cells)


def test_every_chapter_imports_only_what_colab_can_have():
    """Each import of every notebook is in Colab, or installed by its set-up cell."""
    missing = {p.name: colab_cells.not_in_colab(colab_cells.imported_modules(nbio.read(p)))
               for p in colab_cells.notebooks()}
    assert not any(missing.values()), {k: v for k, v in missing.items() if v}
