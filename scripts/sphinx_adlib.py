"""The book's own Sphinx extension (loaded through ``sphinx: local_extensions`` in _config.yml).

* ``{adlib-numpy-functions}`` (used in book/api.md) lists the NumPy functions that
  ``adlib.numpy`` can differentiate, read from ``adlib.numpy.SUPPORTED`` at build time, so the
  reference never drifts from the library.
* Every page's list of scripts is de-duplicated: with Sphinx 7.4, sphinx-thebe 0.3.1 (loaded by
  Jupyter Book) ends up with its inline configuration script twice on each page, and the second
  copy throws "Identifier 'THEBE_JS_URL' has already been declared" in the browser.
"""
import importlib

from docutils import nodes
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

logger = logging.getLogger(__name__)


def _names(objs):
    return sorted({getattr(o, "__name__", str(o)) for o in objs})


def _literal_list(names):
    para = nodes.paragraph()
    for i, name in enumerate(names):
        if i:
            para += nodes.Text(", ")
        para += nodes.literal(text=name)
    return para


class AdlibNumpyFunctions(SphinxDirective):
    """Render the differentiable (and the passed-through, piecewise-constant) functions."""

    has_content = False
    option_spec = {}

    def run(self):
        try:
            anp = importlib.import_module("adlib.numpy")
        except Exception as exc:  # noqa: BLE001 - reported as a build warning
            logger.warning(f"adlib-numpy-functions: cannot import adlib.numpy ({exc})",
                           location=self.get_location())
            return []
        supported = getattr(anp, "SUPPORTED", None)
        if not supported:
            logger.warning("adlib-numpy-functions: adlib.numpy has no SUPPORTED list",
                           location=self.get_location())
            return []
        out = [
            nodes.paragraph(text=f"Differentiable, in forward and reverse mode ({len(supported)}):"),
            _literal_list(list(supported)),
        ]
        nondiff = _names(list(getattr(anp, "NONDIFF_UFUNCS", ())) + list(getattr(anp, "NONDIFF_FUNCTIONS", ())))
        if nondiff:
            out += [
                nodes.paragraph(text="Accepted on traced values but not differentiated (piecewise-constant "
                                     "or integer-valued results, comparisons and shape queries; "
                                     f"{len(nondiff)}):"),
                _literal_list(nondiff),
            ]
        return out


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for js in scripts:
        attributes = getattr(js, "attributes", {}) or {}
        filename = getattr(js, "filename", js) or ""  # inline scripts: None or "", same thing
        key = (str(filename), tuple(sorted((k, str(v)) for k, v in attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(js)
    context["script_files"] = unique


def setup(app):
    app.add_directive("adlib-numpy-functions", AdlibNumpyFunctions)
    app.connect("html-page-context", _dedupe_scripts, priority=990)  # after the other extensions
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
