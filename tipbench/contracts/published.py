"""The published dataset (contracts §1.1): what `python -m tipbench.publish` exports, and how `tipbench.build` reads
one back as a source.

Export folder (also the layout of the Hub repository, which holds README.md, split.json, skipped.jsonl and the
parquet files):

    README.md       dataset card
    split.json      the split folder's split.json, byte for byte
    skipped.jsonl   the split folder's skipped.jsonl, byte for byte
    data/test-0000k-of-0000n.parquet       the rows (`Image` columns keep the split's PNG bytes unchanged)
    disk/           the same rows as a `save_to_disk` DatasetDict, with split.json and skipped.jsonl beside it

A published folder is read with pyarrow alone, not `datasets.load_from_disk` / `load_dataset`: those join the file
names of a `state.json` to the folder unchecked and write a cache copy, while a folder we were handed must neither
lead us out of itself nor make us write anywhere but the split we build.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tipbench.contracts.safe_paths import inside, resolved_root
from tipbench.contracts.split_folder import SKIPPED, SPLIT_JSON
from tipbench.errors import SourceError

HF_SPLIT = "test"
DATA_DIR = "data"
DISK_DIR = "disk"
#: Files copied byte for byte from the split folder into the export (and into `disk/`).
SIDE_FILES = (SPLIT_JSON, SKIPPED)
#: Convenience columns decoded from `params` for the param pipeline (never read back). float64, so each equals the
#: value recorded in `params` exactly (float32 would turn blur σ 3.9 into 3.9000000953674316).
PARAM_COLUMNS = {"blur_sigma": "float64", "downsample_factor": "float64", "noise_sigma": "float64",
                 "jpeg_quality": "int32"}
#: Manifest text columns copied as they are.
TEXT_COLUMNS = ("semantic_prompt", "restoration_prompt", "restoration_prompt_type", "pipeline", "params",
                "source_path", "gt_sha256", "lq_sha256")
#: Image columns (`datasets.Image`: a struct of `bytes` and `path`); `target` only where the split has targets.
IMAGE_COLUMNS = ("gt", "lq", "target")
_BATCH_ROWS = 32


def features(with_target: bool) -> Any:
    """The `datasets.Features` of an export (`target` and `target_sha256` only with targets)."""
    from datasets import Features, Image, Value

    columns: dict[str, Any] = {"id": Value("string"), "index": Value("int64"), "gt": Image(), "lq": Image()}
    if with_target:
        columns["target"] = Image()
    columns.update({name: Value("string") for name in TEXT_COLUMNS})
    if with_target:
        columns["target_sha256"] = Value("string")
    columns.update({name: Value(kind) for name, kind in PARAM_COLUMNS.items()})
    columns.update({"width_lq": Value("int32"), "height_lq": Value("int32"), "seed": Value("int64")})
    return Features(columns)


@dataclass(frozen=True)
class PublishedDataset:
    """A published export found on disk: its layout, row files and the side files (bytes) it carries."""

    root: Path
    layout: str  # parquet | save_to_disk
    data_files: tuple[Path, ...]
    side_files: dict[str, bytes] = field(default_factory=dict)

    def relative(self, path: Path) -> str:
        return path.resolve().relative_to(resolved_root(self.root)).as_posix()


def _own(root: Path, relative: str) -> Path:
    try:
        return inside(resolved_root(root), relative)
    except ValueError as exc:
        raise SourceError(f"published dataset `{root}`: {exc}") from exc


def _side_files(root: Path) -> dict[str, bytes]:
    found = {}
    for name in SIDE_FILES:
        path = _own(root, name)
        if path.is_file():
            found[name] = path.read_bytes()
    if SPLIT_JSON not in found:
        raise SourceError(f"published dataset `{root}` has no {SPLIT_JSON} (export it again with this version of "
                          "`python -m tipbench.publish`)")
    return found


def _arrow_files(split_dir: Path) -> tuple[Path, ...]:
    """The `.arrow` files a save_to_disk split's state.json lists, each a plain name inside the split folder."""
    import json

    state = _own(split_dir, "state.json")
    try:
        listed = json.loads(state.read_text(encoding="utf-8"))["_data_files"]
        names = [entry["filename"] for entry in listed]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise SourceError(f"`{state}` is not a save_to_disk state file ({exc})") from exc
    if not names or not all(isinstance(n, str) and "/" not in n and n.endswith(".arrow") for n in names):
        raise SourceError(f"`{state}` must list plain `.arrow` file names, got {names!r:.200}")
    return tuple(_own(split_dir, name) for name in names)


def find_published(root: str | os.PathLike) -> PublishedDataset | None:
    """The published export at `root` (its export folder, or its `disk/` folder), None when `root` is not one.

    Raises:
        SourceError: it looks like one but a file it needs is missing, malformed or leads out of the folder.
    """
    root = Path(root)
    if not root.is_dir():
        return None
    if (root / "dataset_dict.json").is_file():
        files = _arrow_files(_own(root, HF_SPLIT))
        return PublishedDataset(root, "save_to_disk", files, _side_files(root))
    data = root / DATA_DIR
    if data.is_dir() and (root / SPLIT_JSON).is_file():
        return parquet_dataset(root)
    return None


def parquet_dataset(root: Path) -> PublishedDataset:
    """The parquet files of an export folder or a Hub snapshot (`data/*.parquet`, else `<config>/*.parquet`)."""
    files = sorted(root.glob(f"{DATA_DIR}/*.parquet")) or sorted(root.glob("*/*.parquet"))
    if not files:
        raise SourceError(f"published dataset `{root}` has no parquet files under {DATA_DIR}/")
    checked = tuple(_own(root, path.relative_to(root).as_posix()) for path in files)
    return PublishedDataset(root, "parquet", checked, _side_files(root))


def schema(dataset: PublishedDataset) -> Any:
    """The Arrow schema of the first row file (every file of an export has the same one)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    first = dataset.data_files[0]
    try:
        if dataset.layout == "parquet":
            return pq.read_schema(first)
        with pa.memory_map(str(first)) as source:
            return pa.ipc.open_stream(source).schema
    except (OSError, ValueError) as exc:  # ArrowInvalid is a ValueError
        raise SourceError(f"`{first}` is not a readable {dataset.layout} file ({exc})") from exc


def iter_records(dataset: PublishedDataset) -> Iterator[dict[str, Any]]:
    """Every row as a dict (image columns as `{"bytes", "path"}`), file by file, a few rows at a time."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    for path in dataset.data_files:
        try:
            if dataset.layout == "parquet":
                batches = pq.ParquetFile(path).iter_batches(batch_size=_BATCH_ROWS)
                for batch in batches:
                    yield from batch.to_pylist()
            else:
                with pa.memory_map(str(path)) as source:
                    for batch in pa.ipc.open_stream(source):
                        yield from batch.to_pylist()
        except (OSError, ValueError) as exc:
            raise SourceError(f"`{path}` is not a readable {dataset.layout} file ({exc})") from exc
