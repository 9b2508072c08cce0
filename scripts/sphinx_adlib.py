"""The book's own Sphinx extension (loaded through ``sphinx: local_extensions`` in _config.yml).

* ``{adlib-numpy-functions}`` (used in book/api.md) lists the NumPy functions that
  ``adlib.numpy`` can differentiate, read from ``adlib.numpy.SUPPORTED`` at build time, so the
  reference never drifts from the library.
* Every page's list of scripts is de-duplicated: with Sphinx 7.4, sphinx-thebe 0.3.1 (loaded by
  Jupyter Book) ends up with its inline configuration script twice on each page, and the second
  copy throws "Identifier 'THEBE_JS_URL' has already been declared" in the browser.
* MathJax is served by the built site itself, so the book reads offline: the MathJax 3 files of
  the Python package django-static-mathjax (in requirements.txt) are copied to
  ``_static/mathjax/``. Its CommonHTML output draws the maths with MathJax's web fonts, which a
  printed PDF (``make pdf``) embeds as outline fonts: vector glyphs, and text that can be
  searched and copied.
* Markup of other extensions that axe-core reports as an accessibility problem is corrected
  (``ARIA_FIXES``: the bibliography's roles, the label of myst-nb's hide-input toggle).
* Figures are published as optimised PNG: each notebook figure in ``_images/`` is re-encoded
  as a 256-colour palette PNG when that is smaller (matplotlib writes 32-bit RGBA), once per
  figure (cached in the doctree folder). The notebooks keep their original outputs.
"""
import hashlib
import importlib
import importlib.util
import io
import pathlib
import shutil

from docutils import nodes
from sphinx.errors import ExtensionError
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


# ------------------------------------------------------------------------------ offline MathJax

MATHJAX_CDN_PREFIX = "https://cdn.jsdelivr.net/npm/mathjax@3"
# What the pages need of MathJax's es5/ folder: the combined entry point, and the components
# it loads on demand (fonts, TeX extensions such as physics or cancel, the accessibility menu
# and its speech rules).
MATHJAX_ENTRY = "tex-mml-chtml.js"
MATHJAX_PARTS = ["a11y", "adaptors", "input", "output", "sre", "ui", MATHJAX_ENTRY]
MATHJAX_DEST = "mathjax"  # under _static/


def mathjax_source():
    """The es5/ folder of the MathJax 3 copy installed with the Python requirements."""
    try:
        spec = importlib.util.find_spec("mathjax")
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.submodule_search_locations:
        return None
    es5 = pathlib.Path(list(spec.submodule_search_locations)[0]) / "static" / "mathjax" / "es5"
    return es5 if (es5 / MATHJAX_ENTRY).is_file() else None


def _use_local_mathjax(app):
    if app.builder.format != "html" or not str(app.config.mathjax_path).startswith(MATHJAX_CDN_PREFIX):
        return  # not HTML, or a MathJax chosen explicitly in _config.yml
    if mathjax_source() is None:
        raise ExtensionError("the book serves MathJax itself, from the Python package "
                             "django-static-mathjax, which is not installed: "
                             "pip install -r requirements.txt")
    app.config.mathjax_path = f"{MATHJAX_DEST}/{MATHJAX_ENTRY}"


def _copy_tree(src, dest):
    """Copy ``src`` to ``dest``, skipping files already there with the same size and mtime."""
    if src.is_file():
        pairs = [(src, dest)]
    else:
        pairs = [(f, dest / f.relative_to(src)) for f in src.rglob("*") if f.is_file()]
    for f, target in pairs:
        st = f.stat()
        if target.is_file() and target.stat().st_size == st.st_size and \
                int(target.stat().st_mtime) == int(st.st_mtime):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(f, target)


def _copy_mathjax(app, exc):
    if exc is not None or app.builder.format != "html" or \
            not str(app.config.mathjax_path).startswith(f"{MATHJAX_DEST}/"):
        return
    es5 = mathjax_source()
    dest = pathlib.Path(app.outdir) / "_static" / MATHJAX_DEST
    for part in MATHJAX_PARTS:
        _copy_tree(es5 / part, dest / part)
    _copy_tree(es5.parent / "LICENSE", dest / "LICENSE")  # Apache 2.0


# ------------------------------------------------------------------------------ ARIA

# Markup of other extensions that axe-core reports as a serious accessibility problem, and its fix.
ARIA_FIXES = {
    # sphinxcontrib-bibtex: a deprecated role inside role="list", which then has no list items.
    'role="doc-biblioentry"': 'role="listitem"',
    # myst-nb's hide-input toggle: an aria-label that hides the visible "Show code cell source"
    # from screen readers (axe's label-content-name-mismatch); without it, the text is the name.
    '<summary aria-label="Toggle hidden content">': "<summary>",
}


def _aria_fixes(app, pagename, templatename, context, doctree):
    if context.get("body"):
        for old, new in ARIA_FIXES.items():
            context["body"] = context["body"].replace(old, new)


# ------------------------------------------------------------------------------ figures

PNG_MARK = "sphinx_adlib: optimised"


def optimise_png(data):
    """``data`` (a PNG) re-encoded as the smallest of: itself, 24-bit RGB, 256-colour palette.
    Matplotlib's figures are opaque RGBA with a few thousand colours, nearly all of them the
    anti-aliased edges of lines and text: a palette of 256 keeps them visually unchanged at
    about a third of the size. Images with transparency are only re-compressed."""
    from PIL import Image, PngImagePlugin

    im = Image.open(io.BytesIO(data))
    im.load()
    if im.mode in ("RGBA", "LA") and im.getchannel("A").getextrema()[0] == 255:
        im = im.convert("RGB")  # opaque: drop the alpha channel
    candidates = [im]
    if im.mode in ("RGB", "L"):
        candidates.append(im.convert("RGB").quantize(256, method=Image.Quantize.MEDIANCUT,
                                                     dither=Image.Dither.NONE))
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", PNG_MARK)
    best = data
    for candidate in candidates:
        out = io.BytesIO()
        candidate.save(out, "PNG", optimize=True, pnginfo=info)
        if len(out.getvalue()) < len(best):
            best = out.getvalue()
    return best


def _optimise_images(app, exc):
    if exc is not None or app.builder.format != "html":
        return
    images = pathlib.Path(app.outdir) / "_images"
    cache = pathlib.Path(app.doctreedir) / "optimised-png"
    for path in sorted(images.glob("*.png")) if images.is_dir() else []:
        data = path.read_bytes()
        if PNG_MARK.encode() in data:
            continue  # written by an earlier build and not copied again since
        cached = cache / f"{hashlib.sha256(data).hexdigest()}.png"
        if cached.is_file():
            better = cached.read_bytes()
        else:
            better = optimise_png(data)
            cache.mkdir(parents=True, exist_ok=True)
            cached.write_bytes(better)
        if better != data:
            path.write_bytes(better)


def setup(app):
    app.add_directive("adlib-numpy-functions", AdlibNumpyFunctions)
    app.connect("html-page-context", _dedupe_scripts, priority=990)  # after the other extensions
    app.connect("html-page-context", _aria_fixes)
    app.connect("builder-inited", _use_local_mathjax)
    app.connect("build-finished", _copy_mathjax)
    app.connect("build-finished", _optimise_images)
    return {"version": "0.1", "parallel_read_safe": True, "parallel_write_safe": True}
