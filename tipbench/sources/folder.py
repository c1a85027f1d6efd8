"""Generic folder source and the bundled sample (protocol §5): every image file under a directory.

Ids follow `folder_id`; an optional `captions.csv` (`file_name,caption`, UTF-8) gives the semantic prompts.
"""

from __future__ import annotations

import csv
import io
import logging
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np

from tipbench.canonical import load_canonical
from tipbench.errors import SourceError
from tipbench.sources.base import (
    IMAGE_EXTENSIONS,
    Candidate,
    ResolvedSource,
    check_unique_ids,
    folder_id,
    seeded_order,
)

logger = logging.getLogger(__name__)
CAPTIONS_FILE = "captions.csv"


def sample_root() -> Path:
    """The bundled sample folder inside the package (tipbench/data/sample)."""
    return Path(str(resources.files("tipbench") / "data" / "sample"))


@dataclass(frozen=True)
class ImageFileReader:
    """Reads `root/source_path` and canonicalises it (protocol §1)."""

    root: str

    def read_gt(self, candidate: Candidate, seed: int) -> tuple[np.ndarray, dict]:
        return load_canonical(Path(self.root) / candidate.source_path), {}


def list_images(root: Path) -> list[str]:
    """Relative POSIX paths of every image file under `root` (hidden files and folders ignored), sorted."""
    found = []
    for path in root.rglob("*"):
        relative = path.relative_to(root)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if path.is_file() and path.suffix.lower() in IMAGE_EXTENSIONS:
            found.append(relative.as_posix())
    return sorted(found)


def read_captions_csv(path: Path) -> dict[str, str]:
    """`file_name → caption` from a captions.csv (UTF-8, optional BOM); empty captions stay ""."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(f"`{path}` is not UTF-8 text ({exc.reason} at byte {exc.start}); re-save it as UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or not {"file_name", "caption"} <= set(reader.fieldnames):
        raise SourceError(f"`{path}` must have a header `file_name,caption`; got {reader.fieldnames}")
    captions: dict[str, str] = {}
    for line, row in enumerate(reader, start=2):
        name = (row.get("file_name") or "").strip()
        if not name:
            raise SourceError(f"`{path}` line {line}: empty file_name")
        if name in captions:
            raise SourceError(f"`{path}` line {line}: duplicate file_name `{name}`")
        captions[name] = (row.get("caption") or "").strip()
    return captions


def resolve_folder(root: Path, seed: int, *, kind: str = "folder", root_as_given: str | None = None,
                   use_captions: bool = True) -> ResolvedSource:
    """All images under `root` in the seeded order, with captions from `captions.csv` when present."""
    files = list_images(root)
    if not files:
        raise SourceError(f"no image files under `{root}` (looked for {', '.join(sorted(IMAGE_EXTENSIONS))})")
    captions: dict[str, str] = {}
    captions_path = root / CAPTIONS_FILE
    if captions_path.is_file():
        captions = read_captions_csv(captions_path)
        unknown = sorted(set(captions) - set(files))
        if unknown:
            logger.warning("%s lists %d file(s) that are not images under %s, e.g. %s", captions_path,
                           len(unknown), root, unknown[0])
    ids = {name: folder_id(name) for name in files}
    check_unique_ids(list(ids.values()), root)
    by_id = {ids[name]: name for name in files}
    order = seeded_order(sorted(by_id), seed)
    candidates = [
        Candidate(index=i, id=item_id, source_path=by_id[item_id],
                  semantic_prompt=captions.get(by_id[item_id], "") if use_captions else "")
        for i, item_id in enumerate(order)
    ]
    return ResolvedSource(kind, root, root_as_given, candidates, ImageFileReader(str(root)),
                          fingerprint={"images": len(files)})
