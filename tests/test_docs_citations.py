"""Every "protocol §N" / "contracts §N" / "docs/X.md §N" in the code, `--help` texts and documents points at a heading
that exists in the repository's own documents (docs/protocol.md, docs/contracts.md, …), never at files outside it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCANNED = ("tipbench", "leaderboard", "baselines", "reference_model", "data_recipes", "tests", "bench", "docs")
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".sh", ".toml", ".txt"}
_NUMBER = r"\d+(?:\.\d+)*"
#: A citation: a document, then `§N` and any further numbers joined by `,` `and` `or` or a range dash.
CITATION = re.compile(
    r"(?P<doc>\b(?:[\w./-]*/)?[\w-]+\.md|\b(?:protocol|contracts|Protocol|Contracts|paper)\b)\s*"
    rf"(?P<chain>§\s*{_NUMBER}(?:\s*(?:,|and|or|–|-)\s*(?:§\s*)?{_NUMBER})*)")
SECTION = re.compile(rf"§\s*({_NUMBER})")
HEADING = re.compile(rf"^#+\s+({_NUMBER})\.?\s", re.MULTILINE)


def _files() -> list[Path]:
    found = [ROOT / "README.md", ROOT / ".ci" / "run", ROOT / "pyproject.toml"]
    for folder in SCANNED:
        found += [p for p in sorted((ROOT / folder).rglob("*")) if p.is_file() and p.suffix in SUFFIXES]
    return [p for p in found if p.is_file() and p.name != "test_docs_citations.py"]


def _document(name: str, citing: Path) -> Path | None:
    """The repository file a citation names (None for the paper, which is the arXiv text, not a repo file)."""
    lowered = name.lower()
    if lowered == "paper":
        return None
    if lowered in ("protocol", "contracts"):
        return ROOT / "docs" / f"{lowered}.md"
    for candidate in (ROOT / name, ROOT / "docs" / name, citing.parent / name):
        if candidate.is_file():
            return candidate
    return ROOT / name  # missing: reported by the test


def _numbers(chain: str) -> list[str]:
    return re.findall(_NUMBER, chain)


def _headings(path: Path) -> set[str]:
    return set(HEADING.findall(path.read_text(encoding="utf-8")))


def citations() -> list[tuple[Path, int, Path | None, str]]:
    """(citing file, line, cited document or None for the paper, section) for every § in the scanned files;
    a § that no citation pattern claims is attributed to the citing file itself (a document's own cross-refs)."""
    found = []
    for path in _files():
        text = path.read_text(encoding="utf-8")
        claimed: set[int] = set()
        for match in CITATION.finditer(text):
            document = _document(match.group("doc"), path)
            line = text.count("\n", 0, match.start()) + 1
            claimed.update(m.start() + match.start("chain") for m in SECTION.finditer(match.group("chain")))
            for number in _numbers(match.group("chain")):
                found.append((path, line, document, number))
        for match in SECTION.finditer(text):
            if match.start() not in claimed:
                found.append((path, text.count("\n", 0, match.start()) + 1, path, match.group(1)))
    return found


CITATIONS = citations()


def test_the_documents_exist_and_are_cited():
    for name in ("protocol", "contracts"):
        document = ROOT / "docs" / f"{name}.md"
        assert document.is_file()
        assert sum(1 for _, _, cited, _ in CITATIONS if cited == document) > 20, name


def test_every_citation_resolves_to_a_heading():
    problems = []
    for path, line, document, number in CITATIONS:
        where = f"{path.relative_to(ROOT)}:{line}"
        if document is None:
            continue
        if not document.is_file() or document.suffix != ".md":
            problems.append(f"{where}: §{number} cites `{document.relative_to(ROOT)}`, not a document of the repo")
        elif number not in _headings(document):
            problems.append(f"{where}: §{number} is not a heading of {document.relative_to(ROOT)}")
    assert problems == []


@pytest.mark.parametrize(("text", "resolved"), [
    ("see protocol §2 and §6.4", [("protocol", "2"), ("protocol", "6.4")]),
    ("contracts §2.2; docs/metrics.md §9", [("contracts", "2.2"), ("docs/metrics.md", "9")]),
    ("(protocol §4.2–4.5, §8.1)", [("protocol", "4.2"), ("protocol", "4.5"), ("protocol", "8.1")]),
])
def test_the_pattern_reads_chains_and_ranges(text, resolved):
    found = [(m.group("doc"), number) for m in CITATION.finditer(text) for number in _numbers(m.group("chain"))]
    assert found == resolved


def test_a_citation_of_an_outside_spec_or_a_missing_section_is_caught(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text('"""Numbers from degradations.md §8.1 and protocol §42."""\n', encoding="utf-8")
    text = bad.read_text(encoding="utf-8")
    docs = [(_document(m.group("doc"), bad), _numbers(m.group("chain"))) for m in CITATION.finditer(text)]
    assert not docs[0][0].is_file()  # degradations.md is not in the repo
    assert docs[1][1] == ["42"] and "42" not in _headings(ROOT / "docs" / "protocol.md")
