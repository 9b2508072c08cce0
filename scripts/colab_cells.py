#!/usr/bin/env python3
"""Give every chapter a first code cell that makes it run in Google Colab.

A fresh Colab runtime has NumPy, SciPy, matplotlib, SymPy and scikit-learn, but not the book's
library or the other packages the chapters import (autograd, micrograd, ...). The cell, put
just before a notebook's first code cell, installs them when it runs in Colab
(``"google.colab" in sys.modules``) and does nothing anywhere else, so local runs and nbval are
unchanged. It is tagged ``remove-cell`` (not shown in the book) and ``colab-setup`` (how this
script finds it again). What it installs comes from one place each:
  * the library: the repository of _config.yml (``repository: url``, ``branch``), as a pip
    ``git+`` URL; the environment variable BOOK_INSTALL_SOURCE replaces it (a test points it at
    a local clone);
  * the other packages: the modules the notebook imports (COLAB_MISSING below), pinned as in
    requirements.txt for Colab's Python (COLAB_PYTHON).

    python scripts/colab_cells.py           # write the cells (make links runs it); idempotent
    python scripts/colab_cells.py --check   # exit 1 if a notebook's cell is out of step

A notebook whose set-up cell was already executed keeps its execution count when the cell is
rewritten: the cell has no output to go stale.
"""
import argparse
import ast
import copy
import pathlib
import sys

import nbformat
import yaml
from packaging.markers import default_environment
from packaging.requirements import Requirement

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import nbio  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parent.parent
TAG = "colab-setup"
TAGS = ["remove-cell", TAG]
SOURCE_VARIABLE = "BOOK_INSTALL_SOURCE"
COLAB_PYTHON = "3.12"  # the Python of Colab's runtime, for the markers in requirements.txt
LIBRARY = "adlib"
# Modules a chapter may import that Colab lacks, and the requirements.txt packages providing
# them (the library itself comes from the repository).
COLAB_MISSING = {
    LIBRARY: [],
    "autograd": ["autograd"],
    "micrograd": ["micrograd"],
    "gymnasium": ["gymnasium"],
    "jax": ["jax", "jaxlib"],
    "myst_nb": ["myst-nb"],
}
# Modules a fresh Colab runtime has (besides Python's standard library).
COLAB_HAS = {"numpy", "scipy", "matplotlib", "sympy", "mpmath", "sklearn", "threadpoolctl",
             "IPython", "PIL", "pandas"}


def repository(root=ROOT):
    """The pip URL of the repository named in _config.yml."""
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    repo = config.get("repository") or {}
    url, branch = str(repo.get("url", "")).rstrip("/"), repo.get("branch") or "main"
    if not url.startswith("https://"):
        raise SystemExit(f"_config.yml: repository url {url!r} is not an https URL")
    return f"git+{url.removesuffix('.git')}@{branch}"


def pins(root=ROOT):
    """{package name: requirement line} from requirements.txt, for Colab's Python."""
    env = default_environment() | {"python_version": COLAB_PYTHON, "python_full_version": f"{COLAB_PYTHON}.0"}
    found = {}
    for line in (root / "requirements.txt").read_text(encoding="utf-8").splitlines():
        line = line.split(" #", 1)[0].strip()
        if not line or line.startswith(("#", "-")):
            continue
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate(env):
            found[req.name.lower()] = f"{req.name}{req.specifier}"
    return found


def imported_modules(nb):
    """Top-level names of the modules the notebook's code imports."""
    names = set()
    for cell in nb.cells:
        if cell.cell_type != "code" or is_setup_cell(cell):
            continue
        # IPython magics and shell lines are not Python
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line
                         for line in cell.source.splitlines())
        try:
            tree = ast.parse(code)
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module.split(".")[0])
    return names


def not_in_colab(modules):
    """Modules neither Colab nor this script provides (to be added to COLAB_MISSING)."""
    return sorted(m for m in modules
                  if m not in sys.stdlib_module_names and m not in COLAB_HAS and m not in COLAB_MISSING)


def cell_source(modules, root=ROOT):
    """The set-up cell for a notebook importing ``modules``, or None when it needs none."""
    needed = sorted(m for m in modules if m in COLAB_MISSING)
    if not needed:
        return None
    versions = pins(root)
    packages = []
    for module in needed:
        for name in COLAB_MISSING[module]:
            if name.lower() not in versions:
                raise SystemExit(f"requirements.txt: no pin for {name} (imported as {module})")
            packages.append(versions[name.lower()])
    source = f'"{repository(root)}"'
    head = f'    source = os.environ.get("{SOURCE_VARIABLE}", '
    source_lines = [head + source + ")"] if len(head + source) < 80 else [
        head.rstrip(), " " * 8 + source + ")"]
    lines = [
        "# In Colab, install what this chapter needs: the book's library from its",
        "# repository and the packages pinned as in requirements.txt. Anywhere else",
        "# this cell does nothing. (Made by scripts/colab_cells.py; hidden in the book.)",
        "import sys",
        "",
        'if "google.colab" in sys.modules:',
        "    import os",
        "    import subprocess",
        "",
        *source_lines,
        "    subprocess.run(",
        *_packed(["sys.executable", '"-m"', '"pip"', '"install"', '"--quiet"', "source"]
                 + [f'"{p}"' for p in sorted(packages)], indent=8),
        "        check=True)",
    ]
    return "\n".join(lines)


def _packed(items, indent):
    """``[a, b, ...],`` as lines of at most 80 characters."""
    lines, line = [], " " * indent + "["
    for i, item in enumerate(items):
        piece = item + ("]," if i == len(items) - 1 else ",")
        if len(line) + 1 + len(piece) > 80 and line.strip() != "[":
            lines.append(line)
            line = " " * (indent + 1) + piece
        else:
            line += ("" if line.endswith("[") else " ") + piece
    return lines + [line]


def is_setup_cell(cell):
    return cell.get("cell_type") == "code" and TAG in cell.get("metadata", {}).get("tags", [])


def expected_source(nb, root=ROOT):
    return cell_source(imported_modules(nb), root)


def sync(nb, root=ROOT):
    """Put the notebook's set-up cell in step, in place; returns True when it changed."""
    want = expected_source(nb, root)
    cells = [c for c in nb.cells if is_setup_cell(c)]
    first_code = next((i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not is_setup_cell(c)), None)
    if want is None:
        if not cells:
            return False
        nb.cells = [c for c in nb.cells if not is_setup_cell(c)]
        return True
    changed = False
    if len(cells) > 1:
        for extra in cells[1:]:
            nb.cells.remove(extra)
        changed = True
    if cells:
        cell = cells[0]
    else:
        cell = nbformat.v4.new_code_cell(source=want, metadata={"tags": list(TAGS)})
        cell.id = "colab-setup"
        nb.cells.insert(first_code if first_code is not None else len(nb.cells), cell)
        changed = True
    # it must come before the first other code cell
    position, first_code = nb.cells.index(cell), next(
        (i for i, c in enumerate(nb.cells) if c.cell_type == "code" and not is_setup_cell(c)), None)
    if first_code is not None and position > first_code:
        nb.cells.remove(cell)
        nb.cells.insert(first_code, cell)
        changed = True
    if cell.source != want:
        cell.source = want
        changed = True
    tags = cell.metadata.get("tags", [])
    if any(t not in tags for t in TAGS):
        cell.metadata["tags"] = list(dict.fromkeys(list(TAGS) + list(tags)))
        changed = True
    if cell.outputs:
        cell.outputs = []
        changed = True
    return changed


def problems(path, rel, root=ROOT):
    """What is out of step in one notebook (for scripts/check_notebooks.py). Nothing to check
    in a folder without the book's _config.yml and requirements.txt."""
    if not ((root / "_config.yml").is_file() and (root / "requirements.txt").is_file()):
        return []
    nb = nbio.read(path)
    found = []
    missing = not_in_colab(imported_modules(nb))
    if missing:
        found.append(f"{rel}: imports {missing}, which Colab lacks: add them to COLAB_MISSING in "
                     "scripts/colab_cells.py (with a pin in requirements.txt) or to COLAB_HAS")
    if sync(copy.deepcopy(nb), root):
        found.append(f"{rel}: the Colab set-up cell is out of step (run make links)")
    return found


def notebooks(root=ROOT):
    return sorted(p for p in (root / "book").glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only report notebooks that are out of step")
    ap.add_argument("notebooks", nargs="*", type=pathlib.Path)
    args = ap.parse_args(argv)
    stale = []
    for path in args.notebooks or notebooks():
        nb = nbio.read(path)
        if sync(nb):
            stale.append(path)
            if not args.check:
                nbio.write(nb, path)
    names = ", ".join(p.name for p in stale)
    if args.check:
        print(f"Colab set-up cells out of step: {names} (run make links)" if stale
              else "Colab set-up cells are in step")
        return 1 if stale else 0
    print(f"Colab set-up cells written: {names}" if stale else "Colab set-up cells: nothing to update")
    return 0


if __name__ == "__main__":
    sys.exit(main())
