"""Captioned image sources with random access by position, so any shard can be built without the others.

Each source lists its items once in a stable order (sorted by path / id); the recipe's seeded order maps a global
sample index to one of them (`SeededOrder`). Image bytes are read only when a sample is built.
"""

from __future__ import annotations

import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from data_recipes.config import SourceConfig
from tipbench.errors import SourceError
from tipbench.paths import ENV_COCO_ROOT, env_path
from tipbench.seeding import Stage, item_rng
from tipbench.sources.coco_captions import read_coco_captions
from tipbench.sources.folder import read_captions_csv

IMAGE_EXTENSIONS = (".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff")
SAMPLE_ROOT = Path(__file__).resolve().parent.parent / "tipbench" / "data" / "sample"


@dataclass(frozen=True)
class SourceItem:
    """One captioned image: where it comes from and all its captions (one is drawn per sample)."""

    source_path: str
    captions: tuple[str, ...]


class CaptionedSource:
    """Base: a list of `SourceItem` plus `read_bytes(position)`."""

    def __init__(self, items: list[SourceItem]) -> None:
        if not items:
            raise SourceError(f"{type(self).__name__}: the source holds no captioned images")
        self.items = items
        #: Entries set aside while listing (source-level skipped.jsonl records, e.g. a COCO id with two files).
        self.skipped: tuple[dict, ...] = ()

    def __len__(self) -> int:
        return len(self.items)

    def read_bytes(self, position: int) -> bytes:  # pragma: no cover - abstract
        raise NotImplementedError


class FileSource(CaptionedSource):
    """Images as files under a root (COCO, folder, sample)."""

    def __init__(self, root: Path, items: list[SourceItem]) -> None:
        super().__init__(items)
        self.root = root

    def read_bytes(self, position: int) -> bytes:
        return (self.root / self.items[position].source_path).read_bytes()


def _coco_source(root: Path, cfg: SourceConfig) -> FileSource:
    images_dir = root / (cfg.images or "train2017")
    captions_path = root / (cfg.captions or "annotations/captions_train2017.json")
    for path in (images_dir, captions_path):
        if not path.exists():
            raise SourceError(f"COCO source: `{path}` not found (expected train2017/ and annotations/ under `{root}`)")
    rel = os.path.relpath(images_dir, root)
    # the test-set builder's reader and rules: conflicting ids / file names and dangling annotations set aside
    content = read_coco_captions(captions_path, rel)
    items, skipped = [], list(content.skipped)
    for image in content.images:
        if image.captions:
            items.append(SourceItem(f"{rel}/{image.file_name}", image.captions))
        else:
            skipped.append({"kind": "image", "index": None, "id": image.item_id,
                            "source_path": f"{rel}/{image.file_name}", "reason": "no non-empty caption"})
    source = FileSource(root, items)
    source.skipped = tuple(skipped)
    return source


def _folder_source(root: Path, cfg: SourceConfig) -> FileSource:
    if not root.is_dir():
        raise SourceError(f"folder source: `{root}` is not a directory")
    captions_path = root / (cfg.captions or "captions.csv")
    # the test-set builder's reader: UTF-8 (optional BOM), header checked, duplicates and bad bytes are SourceErrors
    captions = read_captions_csv(captions_path) if captions_path.is_file() else {}
    files = sorted(
        p.relative_to(root).as_posix()
        for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() in IMAGE_EXTENSIONS and not p.name.startswith(".")
    )
    return FileSource(root, [SourceItem(name, (captions.get(name, ""),)) for name in files])


class ParquetSource(CaptionedSource):
    """Rows of `*.parquet` files: an image column (raw bytes or a HF `Image` struct with `bytes`) and a caption.

    Reads the row group holding the asked row and keeps it, so neighbouring rows cost one read (small row groups
    suit the recipe's shuffled order best).
    """

    def __init__(self, root: Path, cfg: SourceConfig) -> None:
        import pyarrow.parquet as pq

        files = sorted(root.rglob("*.parquet")) if root.is_dir() else [root]
        if not files or not files[0].is_file():
            raise SourceError(f"parquet source: no .parquet files at `{root}`")
        self.cfg = cfg
        self._rows: list[tuple[Path, int, int]] = []  # (file, row group, row within group)
        items = []
        for path in files:
            handle = pq.ParquetFile(path)
            names = handle.schema_arrow.names
            for column in (cfg.image_column, cfg.caption_column):
                if column not in names:
                    raise SourceError(f"`{path}` has no column `{column}`; columns: {', '.join(names)}")
            for group in range(handle.num_row_groups):
                texts = handle.read_row_group(group, columns=[cfg.caption_column]).column(0).to_pylist()
                for row, text in enumerate(texts):
                    self._rows.append((path, group, row))
                    items.append(SourceItem(f"{path.relative_to(root) if root.is_dir() else path.name}#{len(items)}",
                                            (str(text or "").strip(),)))
        super().__init__(items)
        self._cached: tuple[tuple[Path, int], list] | None = None

    def read_bytes(self, position: int) -> bytes:
        import pyarrow.parquet as pq

        path, group, row = self._rows[position]
        if self._cached is None or self._cached[0] != (path, group):
            column = pq.ParquetFile(path).read_row_group(group, columns=[self.cfg.image_column]).column(0)
            self._cached = ((path, group), column.to_pylist())
        value = self._cached[1][row]
        if isinstance(value, dict):
            value = value.get("bytes")
        if not isinstance(value, (bytes, bytearray)):
            raise SourceError(f"`{path}` row {row}: column `{self.cfg.image_column}` holds no image bytes")
        return bytes(value)


class WebDatasetSource(CaptionedSource):
    """Samples in `*.tar` files: `<key>.<jpg|png|webp>` with `<key>.txt` (caption) or `<key>.json` (`caption`).

    The index (member offsets) is built by one pass over the tar headers, so reading a sample is one seek.
    """

    def __init__(self, root: Path) -> None:
        tars = sorted(root.rglob("*.tar")) if root.is_dir() else [root]
        if not tars or not tars[0].is_file():
            raise SourceError(f"webdataset source: no .tar files at `{root}`")
        self._members: list[tuple[Path, int, int]] = []
        items = []
        for tar_path in tars:
            images: dict[str, tarfile.TarInfo] = {}
            captions: dict[str, str] = {}
            with tarfile.open(tar_path, "r:") as archive:
                for member in archive:
                    if not member.isfile():
                        continue
                    key, _, ext = member.name.partition(".")
                    if "." + ext.lower() in IMAGE_EXTENSIONS:
                        images[key] = member
                    elif ext in ("txt", "json"):
                        text = archive.extractfile(member).read().decode("utf-8")
                        if ext == "json":
                            text = str(json.loads(text).get("caption", "")) if text.strip() else ""
                        captions.setdefault(key, text.strip())
            for key in sorted(images):
                member = images[key]
                self._members.append((tar_path, member.offset_data, member.size))
                items.append(SourceItem(f"{tar_path.name}/{member.name}", (captions.get(key, ""),)))
        super().__init__(items)

    def read_bytes(self, position: int) -> bytes:
        path, offset, size = self._members[position]
        with open(path, "rb") as handle:
            handle.seek(offset)
            return handle.read(size)


def resolve_root(cfg: SourceConfig, override: str | os.PathLike | None = None) -> Path:
    """The source root: command line, then recipe, then `TIPBENCH_COCO_ROOT` for COCO; the bundled photos for `sample`."""
    if cfg.kind == "sample":
        return SAMPLE_ROOT
    root = override or cfg.root or (env_path(ENV_COCO_ROOT) if cfg.kind == "coco" else None)
    if root is None:
        hint = f" or set {ENV_COCO_ROOT}" if cfg.kind == "coco" else ""
        raise SourceError(f"the `{cfg.kind}` source needs a root: give `--source-root DIR`{hint}")
    return Path(root).expanduser()


def open_source(cfg: SourceConfig, root: str | os.PathLike | None = None) -> CaptionedSource:
    """Build the source a recipe names (reads only the listing and captions, not the images)."""
    path = resolve_root(cfg, root)
    if not path.exists():
        raise SourceError(f"source root `{path}` does not exist")
    if cfg.kind == "coco":
        return _coco_source(path, cfg)
    if cfg.kind in ("folder", "sample"):
        return _folder_source(path, cfg)
    if cfg.kind == "parquet":
        return ParquetSource(path, cfg)
    return WebDatasetSource(path)


class SeededOrder:
    """Global sample index → (source position, caption): a fresh seeded permutation per pass over the source.

    Pass p uses `item_rng(seed, SELECTION, p)`; the caption of sample i is drawn with `item_rng(seed, CAPTION, i)`.
    """

    def __init__(self, source: CaptionedSource, seed: int) -> None:
        self.source = source
        self.seed = seed
        self._pass: tuple[int, np.ndarray] | None = None

    def position(self, index: int) -> int:
        size = len(self.source)
        number, offset = divmod(index, size)
        if self._pass is None or self._pass[0] != number:
            self._pass = (number, item_rng(self.seed, Stage.SELECTION, number).permutation(size))
        return int(self._pass[1][offset])

    def caption(self, index: int, position: int) -> str:
        captions = self.source.items[position].captions
        if len(captions) == 1:
            return captions[0]
        return captions[int(item_rng(self.seed, Stage.CAPTION, index).integers(len(captions)))]
