"""Export a built split as a Hugging Face dataset (`python -m tipbench.publish --split S`).

Output folder (default `$TIPBENCH_HOME/hf/<split>`; the layout is the contract of `tipbench.contracts.published`):
  README.md                               dataset card with YAML metadata (licence, build, protocol, seeds, columns)
  split.json, skipped.jsonl               the split folder's files, byte for byte (what a rebuild from it needs)
  data/test-0000k-of-0000n.parquet        the `test` split as parquet shards (`Image` features for gt/lq/target)
  disk/                                   the same DatasetDict in `save_to_disk` layout (`datasets.load_from_disk`)

The PNG bytes go in unchanged (the sha256 columns match), so FID and every other metric read the same pixels as
from the split folder. `--push` uploads with `push_to_hub` when a token and network exist; otherwise it says
exactly what is missing, and the local export is complete either way (`push.py`).
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from tipbench.contracts.published import (
    DISK_DIR,
    HF_SPLIT,
    PARAM_COLUMNS,
    SIDE_FILES,
    TEXT_COLUMNS,
    features,
)
from tipbench.contracts.split_folder import SplitFolder
from tipbench.errors import ManifestError, TipbenchError
from tipbench.publish.config import PublishConfig

logger = logging.getLogger(__name__)

def _read_checked(split: SplitFolder, relative: str, expected_sha256: str | None) -> bytes:
    from tipbench.io import sha256_bytes

    path = split.file(relative)
    if not path.is_file():
        raise ManifestError(f"`{path}` is listed in the manifest but missing; rebuild the split")
    data = path.read_bytes()
    if expected_sha256 and sha256_bytes(data) != expected_sha256:
        raise ManifestError(f"`{path}` does not match its manifest sha256; rebuild the split")
    return data


def _rows(split: SplitFolder, with_target: bool):
    """One dataset row per manifest row, with the PNG bytes checked against the manifest."""
    for record in split.rows:
        params = record.params_dict()
        row = {
            "id": record.id, "index": record.index,
            "gt": {"bytes": _read_checked(split, record.gt_path, record.gt_sha256), "path": f"{record.id}.png"},
            "lq": {"bytes": _read_checked(split, record.lq_path, record.lq_sha256), "path": f"{record.id}.png"},
        }
        if with_target:
            row["target"] = None if not record.target_path else {
                "bytes": _read_checked(split, record.target_path, record.target_sha256), "path": f"{record.id}.png"}
        row.update({name: getattr(record, name) or "" for name in TEXT_COLUMNS})
        if with_target:
            row["target_sha256"] = record.target_sha256
        is_param = params.get("pipeline") == "param"
        row.update({name: params.get(name) if is_param else None for name in PARAM_COLUMNS})
        row.update({"width_lq": record.width_lq, "height_lq": record.height_lq, "seed": record.seed})
        yield row


def build_dataset_dict(split: SplitFolder, cache_dir: Path) -> Any:
    """A DatasetDict with one `test` split from a split folder (contracts §1)."""
    from datasets import Dataset, DatasetDict, NamedSplit

    with_target = any(row.target_path for row in split.rows)
    try:
        dataset = Dataset.from_generator(
            _rows, gen_kwargs={"split": split, "with_target": with_target},
            features=features(with_target), cache_dir=str(cache_dir), split=NamedSplit(HF_SPLIT),
        )
    except Exception as exc:  # datasets wraps errors raised in the generator; surface ours as they are
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, TipbenchError):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise cause from None
        raise
    return DatasetDict({HF_SPLIT: dataset})


def _write_export(dataset_dict: Any, split: SplitFolder, cfg: PublishConfig, staging: Path,
                  not_paper_data: str | None = None) -> None:
    from tipbench.io import atomic_write_bytes
    from tipbench.publish.card import card_text

    dataset = dataset_dict[HF_SPLIT]
    shards = max(1, math.ceil(len(dataset) / cfg.rows_per_shard))
    (staging / "data").mkdir(parents=True)
    for k in range(shards):
        part = dataset.shard(num_shards=shards, index=k, contiguous=True)
        part.to_parquet(str(staging / "data" / f"{HF_SPLIT}-{k:05d}-of-{shards:05d}.parquet"))
    card = card_text(cfg.split, split.info, list(dataset.features), len(dataset), f"data/{HF_SPLIT}-*.parquet",
                     cfg.repo_id, not_paper_data)
    atomic_write_bytes(staging / "README.md", card.encode("utf-8"))
    folders = [staging]
    if cfg.save_to_disk:
        dataset_dict.save_to_disk(str(staging / DISK_DIR))
        folders.append(staging / DISK_DIR)
    for name in SIDE_FILES:  # what a build from the export needs to name the original source and its skips
        if split.file(name).is_file():
            data = split.file(name).read_bytes()
            for folder in folders:
                atomic_write_bytes(folder / name, data)


@contextmanager
def _datasets_progress(enabled: bool) -> Iterator[None]:
    """`datasets` draws its own bars (generate, shard, save); off for the export when the command's bars are off."""
    import datasets

    was_enabled = datasets.is_progress_bar_enabled()
    if not enabled:
        datasets.disable_progress_bars()
    try:
        yield
    finally:
        if was_enabled and not enabled:
            datasets.enable_progress_bars()


def _warn_not_benchmark(split: SplitFolder) -> str | None:
    """Publishing is how a split reaches strangers: say loudly when it is not the paper's data or not full size.
    Returns why it is not the paper's data (None when it is)."""
    from tipbench.paper_data import paper_data
    from tipbench.splits import BENCHMARK_N

    verdict = paper_data(split)
    if not verdict.ok:
        logger.warning("publishing `%s`, which is NOT the benchmark: %s (the dataset card says so)", split.name,
                       verdict.reason)
    if len(split.rows) < BENCHMARK_N:
        logger.warning("publishing `%s` with %d rows, fewer than the benchmark's %d (the dataset card says so)",
                       split.name, len(split.rows), BENCHMARK_N)
    return None if verdict.ok else verdict.reason


def export_split(cfg: PublishConfig) -> Path:
    """Export split `cfg.split` to the output folder (replaced whole, atomically); returns that folder."""
    from tipbench.contracts.integrity import manifest_problem
    from tipbench.contracts.split_folder import SPLIT_JSON, read_split_folder
    from tipbench.paths import home_dir, splits_dir

    split = read_split_folder(splits_dir(cfg.splits_dir) / cfg.split)
    if not split.info:
        raise ManifestError(f"`{split.path}` has no {SPLIT_JSON} (the dataset card is built from it); rebuild the split")
    not_paper_data = _warn_not_benchmark(split)
    problem = manifest_problem(split)  # every image is checked against its sha256 as it is read (below)
    if problem:
        raise ManifestError(f"`{split.path}` changed after its build: {problem}; rebuild the split")
    out = Path(cfg.out) if cfg.out else home_dir() / "hf" / cfg.split
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{out.name}.*"):  # the staging folder of an export that was killed
        shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        with _datasets_progress(cfg.progress):
            dataset_dict = build_dataset_dict(split, work / "cache")
            _write_export(dataset_dict, split, cfg, work / "export", not_paper_data)
        old = out.with_name(f".{out.name}.old")
        if out.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
        os.replace(work / "export", out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("exported %s (%d rows) to %s", cfg.split, len(dataset_dict[HF_SPLIT]), out)
    return out
