"""Building a split folder from a published dataset (`tipbench.contracts.published`): its export folder
(`--source-root hf/<split>`, or that folder's `disk/`) or its Hub repository (`--repo-id ORG/NAME`, online).

Nothing is re-encoded or re-degraded: each image's bytes are checked against the row's sha256 and written as they
are; the manifest is rebuilt from the rows with the one writer, so it is byte-identical to the published split's
(checked against the `manifest_sha256` its split.json records: a different pyarrow may write other bytes, which is
logged and recorded); skipped.jsonl is copied. Every row passes the checks the split-folder reader runs (ids, paths,
types) and the image header guard before anything is written, and the folder appears only when complete.

split.json keeps the original build's keys (`source` stays `coco` or `sample`, so comparability is what it was)
and adds `published`: where the rows came from.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

from tipbench.build.config import BuildConfig
from tipbench.contracts.manifest_checks import row_problems, schema_problems, split_info_problems
from tipbench.contracts.published import (
    IMAGE_COLUMNS,
    SIDE_FILES,
    TEXT_COLUMNS,
    PublishedDataset,
    iter_records,
)
from tipbench.contracts.split_folder import (
    MANIFEST,
    MANIFEST_COLUMNS,
    SKIPPED,
    SPLIT_JSON,
    SplitRow,
    write_item_file,
    write_manifest,
    write_split_info,
)
from tipbench.errors import ConfigError, ImageFileError, SourceError

logger = logging.getLogger(__name__)

_OUTPUTS = (*IMAGE_COLUMNS, MANIFEST, SPLIT_JSON, SKIPPED, ".work")
_SCALARS = {name: MANIFEST_COLUMNS[name] for name in ("id", "index", *TEXT_COLUMNS, "width_lq", "height_lq", "seed")}


def is_published(source_root: str | os.PathLike) -> bool:
    """Whether `--source-root` names a published export (rather than images to build from)."""
    from tipbench.contracts.published import find_published

    return find_published(source_root) is not None


def _download(repo_id: str, into: Path) -> tuple[PublishedDataset, str | None]:
    """The Hub repository's current revision downloaded as plain files into `into` (not the client's cache, whose
    snapshot files are symlinks into a shared blob folder); (dataset, revision)."""
    from tipbench.contracts.published import parquet_dataset

    try:
        from huggingface_hub import HfApi, snapshot_download

        revision = HfApi().dataset_info(repo_id).sha
        snapshot_download(repo_id, repo_type="dataset", revision=revision, local_dir=str(into),
                          allow_patterns=["README.md", *SIDE_FILES, "*.parquet", "*/*.parquet"])
    except Exception as exc:  # network, authentication, missing repository: one sentence from the hub client
        raise SourceError(f"cannot download the published dataset `{repo_id}`: {exc}") from exc
    return parquet_dataset(into), revision


def _check_online(repo_id: str) -> None:
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        raise SourceError(f"cannot download the published dataset `{repo_id}`: HF_HUB_OFFLINE is set (unset it, or "
                          "build from a local export with --source-root)")


def _open(config: BuildConfig, scratch: Path) -> tuple[PublishedDataset, dict[str, Any]]:
    """The dataset and the `published` record of where it came from (a Hub download goes into `scratch`)."""
    from tipbench.contracts.published import find_published

    if config.repo_id:
        dataset, revision = _download(config.repo_id, scratch)
        return dataset, {"layout": "hub", "repo_id": config.repo_id, "revision": revision}
    dataset = find_published(config.source_root)
    if dataset is None:
        raise SourceError(f"`{config.source_root}` is not a published export (README.md, split.json and data/*.parquet, "
                          "or a save_to_disk folder)")
    return dataset, {"layout": dataset.layout, "location": config.source_root}


def _original_info(dataset: PublishedDataset, config: BuildConfig) -> dict[str, Any]:
    try:
        info = json.loads(dataset.side_files[SPLIT_JSON].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"`{dataset.root / SPLIT_JSON}` is not valid JSON ({exc})") from exc
    problems = split_info_problems(info) or ([] if isinstance(info.get("split"), str) else ["`split` is missing"])
    if problems:
        raise SourceError(f"`{dataset.root / SPLIT_JSON}`: {'; '.join(problems)}")
    if config.split != info["split"]:
        raise ConfigError(f"the published dataset is split `{info['split']}`, not `{config.split}` (pass --split "
                          f"{info['split']})")
    if config.seed != info.get("seed", 0):
        raise ConfigError(f"the published split was built with seed {info.get('seed', 0)}, not {config.seed}")
    if config.limit is not None or config.resume:
        raise ConfigError("a published split is copied whole: --limit and --resume do not apply (use --overwrite)")
    return info


def _check_schema(dataset: PublishedDataset) -> bool:
    """Check the row files' columns; returns whether they carry targets."""
    from tipbench.contracts.published import schema

    found = schema(dataset)
    missing = [name for name in (*_SCALARS, "gt", "lq") if name not in found.names]
    problems = [f"missing columns: {', '.join(missing)}"] if missing else []
    problems += schema_problems(found, {**_SCALARS, "target_sha256": "string"})
    for name in (kind for kind in IMAGE_COLUMNS if kind in found.names):
        kind = found.field(name).type
        if not (hasattr(kind, "get_field_index") and kind.get_field_index("bytes") >= 0):
            problems.append(f"`{name}` is {kind}, not an image column (struct with `bytes`)")
    if problems:
        raise SourceError(f"published dataset `{dataset.root}`: {'; '.join(problems)}")
    return "target" in found.names


def _image_problem(data: Any, kind: str, digest: str | None, size: tuple[int, int] | None) -> str | None:
    from tipbench.image_files import open_image
    from tipbench.io import sha256_bytes

    if not isinstance(data, bytes):
        return f"`{kind}` has no PNG bytes"
    if sha256_bytes(data) != digest:
        return f"`{kind}` bytes do not match `{kind}_sha256`"
    try:
        with open_image(data) as image:
            if image.format != "PNG" or image.mode != "RGB":
                return f"`{kind}` is {image.format} {image.mode}, not an 8-bit RGB PNG"
            if size is not None and image.size != size:
                return f"`{kind}` is {image.size[0]}×{image.size[1]}, the row says {size[0]}×{size[1]}"
    except ImageFileError as exc:
        return f"`{kind}`: {exc}"
    return None


def _image_bytes(value: Any) -> Any:
    """The bytes of an `Image` cell (`{"bytes", "path"}`), None for an empty cell, anything else as found."""
    return value.get("bytes") if isinstance(value, dict) else value


def _row(record: dict[str, Any], staging: Path,
         with_target: bool) -> tuple[SplitRow | None, dict[str, bytes], list[str]]:
    """The manifest row of a dataset row, the image bytes to write, and everything wrong with it."""
    from tipbench.contracts.safe_paths import Inside, id_problem, resolved_root
    from tipbench.io import sha256_bytes

    item_id = record.get("id")
    if id_problem(item_id):
        return None, {}, [f"id {id_problem(item_id)}"]
    images = {kind: _image_bytes(record.get(kind)) for kind in IMAGE_COLUMNS}
    has_target = with_target and images["target"] is not None
    target_sha = record.get("target_sha256") if has_target else None
    if has_target and target_sha is None and isinstance(images["target"], bytes):  # an export made before the column
        target_sha = sha256_bytes(images["target"])
    try:
        row = SplitRow.from_dict({**{name: record.get(name) for name in _SCALARS}, "gt_path": f"gt/{item_id}.png",
                                  "lq_path": f"lq/{item_id}.png", "target_sha256": target_sha,
                                  "target_path": f"target/{item_id}.png" if has_target else None})
    except (TypeError, ValueError) as exc:
        return None, {}, [str(exc)]
    problems = row_problems(row, Inside(resolved_root(staging)))
    sizes = {"lq": (row.width_lq, row.height_lq)}
    for kind in ("gt", "lq", "target") if has_target else ("gt", "lq"):
        problem = _image_problem(images[kind], kind, getattr(row, f"{kind}_sha256"), sizes.get(kind))
        if problem:
            problems.append(problem)
    return row, {kind: images[kind] for kind in IMAGE_COLUMNS if kind != "target" or has_target}, problems


def _skipped_bytes(dataset: PublishedDataset) -> bytes | None:
    data = dataset.side_files.get(SKIPPED)
    if data is None:
        return None
    try:
        entries = [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]
    except (UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"`{dataset.root / SKIPPED}` is not JSON lines ({exc})") from exc
    if not all(isinstance(entry, dict) for entry in entries):
        raise SourceError(f"`{dataset.root / SKIPPED}` has a line that is not a JSON object")
    return data


def build_from_published(config: BuildConfig) -> Path:
    """Write `<out>/<split>/` from the published dataset `config` names and return it (see the module docstring).

    Raises:
        SourceError: the dataset is unreadable, or a row fails a check (named by its position and id).
        ConfigError: the split or seed differ from the published one, or a previous build is in the way.
    """
    from tipbench import paths
    from tipbench.cli import progress_bar
    from tipbench.io import atomic_write_bytes

    if config.repo_id:
        _check_online(config.repo_id)  # before anything is created
    parent = paths.splits_dir(config.out)
    parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{config.split}.", suffix=".published", dir=parent))
    try:
        dataset, published = _open(config, staging / ".download")
        info = _original_info(dataset, config)
        with_target = _check_schema(dataset)
        split_dir = parent / info["split"]
        previous = [name for name in _OUTPUTS if (split_dir / name).exists()]
        if previous and not config.overwrite:
            raise ConfigError(f"`{split_dir}` already holds a build ({', '.join(previous)}); pass --overwrite to "
                              "replace it")
        rows, seen = [], {"id": set(), "index": set()}
        for number, record in enumerate(progress_bar(iter_records(dataset), desc=info["split"], unit="img",
                                                     enabled=config.progress), 1):
            row, images, problems = _row(record, staging, with_target)
            for column in ("id", "index") if row is not None else ():
                if getattr(row, column) in seen[column]:
                    problems.append(f"duplicate {column}")
                seen[column].add(getattr(row, column))
            if problems:
                raise SourceError(f"published dataset `{dataset.root}` row {number} (id {record.get('id')!r}): "
                                  f"{'; '.join(problems)}")
            for kind, data in images.items():
                write_item_file(staging, kind, row.id, data)
            rows.append(row)
        if not rows:
            raise SourceError(f"published dataset `{dataset.root}` has no rows")
        manifest_sha256 = write_manifest(staging, rows)
        skipped = _skipped_bytes(dataset)
        if skipped is not None:  # copied as published; an export without one says nothing about skips
            atomic_write_bytes(staging / SKIPPED, skipped)
        write_split_info(staging, _new_info(info, manifest_sha256, published, dataset))
        shutil.rmtree(staging / ".download", ignore_errors=True)
        _move_into_place(staging, split_dir, previous)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    logger.info("wrote %s (%d items) from the published dataset %s", split_dir, len(rows),
                published.get("repo_id") or published.get("location"))
    return split_dir


def _new_info(info: dict[str, Any], manifest_sha256: str, published: dict[str, Any],
              dataset: PublishedDataset) -> dict[str, Any]:
    """The original split.json plus where the rows came from; `manifest_sha256` is the manifest written here."""
    from tipbench import __version__
    from tipbench.io import sha256_file

    original = info.get("manifest_sha256")
    if original and original != manifest_sha256:
        logger.warning("the rebuilt manifest differs in bytes from the published one (sha256 %s… ≠ %s…): a different "
                       "pyarrow writes other bytes; runs made on the original split will not match this one",
                       manifest_sha256[:12], original[:12])
    where = published.get("repo_id") or published.get("location")
    record = {**published, "manifest_sha256": original, "manifest_identical": original == manifest_sha256,
              "data_files": {dataset.relative(path): sha256_file(path) for path in dataset.data_files},
              "tipbench": __version__}
    notes = [str(note) for note in info.get("notes") or []]
    notes.append(f"rebuilt from the published dataset {where}; `source` is that of the original build")
    return {**info, "manifest_sha256": manifest_sha256, "published": record, "notes": notes}


def _move_into_place(staging: Path, split_dir: Path, previous: list[str]) -> None:
    """Replace the previous build's outputs (only those) with the staged ones; a new folder is one rename."""
    if not split_dir.exists():
        os.replace(staging, split_dir)
        return
    for name in previous:
        target = split_dir / name
        shutil.rmtree(target) if target.is_dir() and not target.is_symlink() else target.unlink()
    for entry in sorted(staging.iterdir()):
        os.replace(entry, split_dir / entry.name)
