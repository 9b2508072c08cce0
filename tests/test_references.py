"""references.bib parses as the book's build reads it, one entry per key, and every key the
book cites exists (a broken entry would otherwise surface only in the -W build)."""
import pathlib
import re

from pybtex.database import parse_file  # what sphinxcontrib-bibtex uses

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_references_parse_and_each_key_is_defined_once():
    text = (ROOT / "references.bib").read_text(encoding="utf-8")
    keys = re.findall(r"^@\w+\{([^,\s]+),", text, re.M)
    assert len(keys) == len(set(keys)), "a key is defined twice"
    assert set(parse_file(ROOT / "references.bib").entries) == set(keys)


def test_every_cited_key_exists():
    keys = set(re.findall(r"^@\w+\{([^,\s]+),", (ROOT / "references.bib").read_text(
        encoding="utf-8"), re.M))
    cited = set()
    for path in list((ROOT / "book").glob("*.ipynb")) + list((ROOT / "book").glob("*.md")):
        for group in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", path.read_text(encoding="utf-8")):
            cited.update(k.strip() for k in group.split(","))
    assert cited <= keys, f"cited but not in references.bib: {sorted(cited - keys)}"
