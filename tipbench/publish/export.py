"""Export a built split as a Hugging Face dataset (`python -m tipbench.publish --split S`).

Output folder (default `$TIPBENCH_HOME/hf/<split>`):
  README.md                               dataset card with YAML metadata (licence, build, protocol, seeds, columns)
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

from tipbench.contracts.split_folder import SplitFolder
from tipbench.errors import ManifestError, TipbenchError
from tipbench.publish.config import PublishConfig

logger = logging.getLogger(__name__)

HF_SPLIT = "test"
PARAM_COLUMNS = {"blur_sigma": "float32", "downsample_factor": "float32", "noise_sigma": "float32",
                 "jpeg_quality": "int32"}
TEXT_COLUMNS = ("semantic_prompt", "restoration_prompt", "restoration_prompt_type", "pipeline", "params",
                "source_path", "gt_sha256", "lq_sha256")


def _features(with_target: bool) -> Any:
    from datasets import Features, Image, Value

    columns: dict[str, Any] = {"id": Value("string"), "index": Value("int64"), "gt": Image(), "lq": Image()}
    if with_target:
        columns["target"] = Image()
    columns.update({name: Value("string") for name in TEXT_COLUMNS})
    columns.update({name: Value(kind) for name, kind in PARAM_COLUMNS.items()})
    columns.update({"width_lq": Value("int32"), "height_lq": Value("int32"), "seed": Value("int64")})
    return Features(columns)


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
        is_param = params.get("pipeline") == "param"
        row.update({name: params.get(name) if is_param else None for name in PARAM_COLUMNS})
        row.update({"width_lq": record.width_lq, "height_lq": record.height_lq, "seed": record.seed})
        yield row


def build_dataset_dict(split: SplitFolder, cache_dir: Path) -> Any:
    """A DatasetDict with one `test` split from a split folder (contracts §1)."""
    from datasets import Dataset, DatasetDict

    with_target = any(row.target_path for row in split.rows)
    try:
        dataset = Dataset.from_generator(
            _rows, gen_kwargs={"split": split, "with_target": with_target},
            features=_features(with_target), cache_dir=str(cache_dir),
        )
    except Exception as exc:  # datasets wraps errors raised in the generator; surface ours as they are
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, TipbenchError):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise cause from None
        raise
    return DatasetDict({HF_SPLIT: dataset})


def _write_export(dataset_dict: Any, info: dict[str, Any], cfg: PublishConfig, staging: Path) -> None:
    from tipbench.io import atomic_write_bytes
    from tipbench.publish.card import card_text

    dataset = dataset_dict[HF_SPLIT]
    shards = max(1, math.ceil(len(dataset) / cfg.rows_per_shard))
    (staging / "data").mkdir(parents=True)
    for k in range(shards):
        part = dataset.shard(num_shards=shards, index=k, contiguous=True)
        part.to_parquet(str(staging / "data" / f"{HF_SPLIT}-{k:05d}-of-{shards:05d}.parquet"))
    card = card_text(cfg.split, info, list(dataset.features), len(dataset), f"data/{HF_SPLIT}-*.parquet", cfg.repo_id)
    atomic_write_bytes(staging / "README.md", card.encode("utf-8"))
    if cfg.save_to_disk:
        dataset_dict.save_to_disk(str(staging / "disk"))


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


def export_split(cfg: PublishConfig) -> Path:
    """Export split `cfg.split` to the output folder (replaced whole, atomically); returns that folder."""
    from tipbench.contracts.split_folder import SPLIT_JSON, read_split_folder
    from tipbench.paths import home_dir, splits_dir

    split = read_split_folder(splits_dir(cfg.splits_dir) / cfg.split)
    if not split.info:
        raise ManifestError(f"`{split.path}` has no {SPLIT_JSON} (the dataset card is built from it); rebuild the split")
    out = Path(cfg.out) if cfg.out else home_dir() / "hf" / cfg.split
    out.parent.mkdir(parents=True, exist_ok=True)
    for stale in out.parent.glob(f".{out.name}.*"):  # the staging folder of an export that was killed
        shutil.rmtree(stale, ignore_errors=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        with _datasets_progress(cfg.progress):
            dataset_dict = build_dataset_dict(split, work / "cache")
            _write_export(dataset_dict, split.info, cfg, work / "export")
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
