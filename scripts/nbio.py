"""Reading, normalising and writing the book's notebooks in one canonical form.

Used by execute_notebooks.py and sync_chapters.py, so that a notebook written twice with the
same content is byte-identical (stable diffs, no churn from re-execution).
"""
import pathlib

import nbformat

KERNELSPEC = {"name": "python3", "display_name": "Python 3", "language": "python"}

# Metadata that changes from run to run or machine to machine: dropped.
_VOLATILE_NB_KEYS = ("widgets", "vscode", "toc-autonumbering", "varInspector", "papermill", "execution")
_VOLATILE_CELL_KEYS = ("execution", "collapsed", "scrolled", "ExecuteTime", "papermill", "jupyter_cache")


def read(path):
    return nbformat.read(str(path), as_version=4)


def normalise(nb):
    """Put notebook-level and cell-level metadata into the book's canonical form, in place."""
    md = nb.metadata
    for key in _VOLATILE_NB_KEYS:
        md.pop(key, None)
    md["kernelspec"] = dict(KERNELSPEC)
    lang = dict(md.get("language_info", {}))
    # Keep only what does not depend on the machine's Python patch version.
    md["language_info"] = {
        k: v for k, v in lang.items()
        if k in ("name", "codemirror_mode", "file_extension", "mimetype", "nbconvert_exporter", "pygments_lexer")
    } or {"name": "python"}
    md["language_info"].setdefault("name", "python")
    for cell in nb.cells:
        for key in _VOLATILE_CELL_KEYS:
            cell.metadata.pop(key, None)
        if cell.cell_type == "code":
            for out in cell.get("outputs", []):
                out.get("metadata", {}).pop("transient", None)
                if "transient" in out:
                    del out["transient"]
    # nbformat 4.5 wants cell ids: keep the ones a notebook has (stable under edits) and give a
    # deterministic one to any cell without one (or with a duplicate).
    nb.nbformat, nb.nbformat_minor = 4, 5
    seen = set()
    for i, cell in enumerate(nb.cells):
        cid = cell.get("id")
        if not cid or cid in seen:
            n = i
            while f"cell-{n:03d}" in seen or any(c.get("id") == f"cell-{n:03d}" for c in nb.cells):
                n += 1000
            cid = cell["id"] = f"cell-{n:03d}"
        seen.add(cid)
    return nb


def dumps(nb):
    """The file text: nbformat's own layout (as JupyterLab saves it), ending with a newline."""
    text = nbformat.writes(nb)  # validates; indent 1, sorted keys, sources split into lines
    return text if text.endswith("\n") else text + "\n"


def write(nb, path):
    """Write ``nb`` in canonical form; returns True when the file changed."""
    path = pathlib.Path(path)
    text = dumps(normalise(nb))
    old = path.read_text(encoding="utf-8") if path.exists() else None
    if text != old:
        path.write_text(text, encoding="utf-8")
        return True
    return False
