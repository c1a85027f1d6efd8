"""What every test-set source provides: candidates in the split's seeded order, and a reader for one candidate."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from tipbench.contracts.safe_paths import UNSAFE_ID_CHAR
from tipbench.errors import SourceError
from tipbench.seeding import Stage, item_rng

#: File extensions a folder source treats as images (case-insensitive).
IMAGE_EXTENSIONS = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".ppm", ".pgm"})


@dataclass(frozen=True)
class Candidate:
    """One item of the split's full seeded order (protocol §2), before it is read.

    `skip_reason` is set when the source already knows the item is unusable (e.g. an image without captions);
    the builder then records it in skipped.jsonl without reading the file.
    """

    index: int
    id: str
    source_path: str
    semantic_prompt: str = ""
    skip_reason: str | None = None


class SourceReader(Protocol):
    """Turns a candidate into pixels inside a worker process (must be picklable and light)."""

    def read_gt(self, candidate: Candidate, seed: int) -> tuple[np.ndarray, dict[str, Any]]:
        """The GT (512×512×3 uint8) and source parameters to record (e.g. the crop); raises `SkipImage`."""
        ...


@dataclass(frozen=True)
class ResolvedSource:
    """A source root resolved for one split: its label for split.json, candidates and reader."""

    kind: str  # coco | folder | sample | stablesr | stablesr-zip | div2k (contracts §1 `source`)
    root: Path
    root_as_given: str | None
    candidates: Sequence[Candidate]
    reader: Any
    notes: tuple[str, ...] = field(default_factory=tuple)
    #: what identifies the source as a whole (split.json `source_fingerprint`; `tipbench.paper_data` reads it).
    fingerprint: dict[str, Any] = field(default_factory=dict)
    #: Source-level skipped.jsonl records: entries set aside before the seeded order (`coco_captions`).
    skipped: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def __iter__(self) -> Iterator[Candidate]:
        return iter(self.candidates)


def folder_id(relative_path: str) -> str:
    """Folder-source id (protocol §5): path without extension, `/` → `__`, other unsafe characters → `_`.

    >>> folder_id("street/night shot.JPG")
    'street__night_shot'
    """
    stem = relative_path.rsplit(".", 1)[0] if "." in Path(relative_path).name else relative_path
    return UNSAFE_ID_CHAR.sub("_", stem.replace("/", "__"))


def stems_sha256(stems: Sequence[str]) -> str:
    """sha256 of newline-joined file stems: how a folder's image list is fingerprinted."""
    import hashlib

    return hashlib.sha256("\n".join(stems).encode("utf-8")).hexdigest()


def seeded_order(sorted_keys: Sequence[Any], seed: int) -> list[Any]:
    """The split's selection order: a stage-0 permutation of the ascending keys (protocol §5)."""
    permutation = item_rng(seed, Stage.SELECTION, 0).permutation(len(sorted_keys))
    return [sorted_keys[int(position)] for position in permutation]


def draw_caption(captions: Sequence[str], seed: int, index: int) -> str:
    """One of an image's captions, drawn with the item's stage-1 generator (protocol §5)."""
    choice = int(item_rng(seed, Stage.CAPTION, index).integers(len(captions)))
    return captions[choice]


def check_unique_ids(ids: Sequence[str], root: Path) -> None:
    seen: set[str] = set()
    for item_id in ids:
        if item_id in seen:
            raise SourceError(f"two images under `{root}` map to the same id `{item_id}`; rename one of them")
        seen.add(item_id)
