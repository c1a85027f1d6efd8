"""The work of one item, run inside a worker process: read → degrade → write PNGs → write the item record.

The record (`.work/<id>.json`) is written last and atomically, so its presence means the item's files are
complete; `--resume` trusts a record only after re-hashing the files it names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tipbench.canonical import SkipImage
from tipbench.contracts.split_folder import encode_params, write_item_file
from tipbench.io import atomic_write_bytes, encode_png, sha256_file
from tipbench.prompts import BLIND_PROMPT
from tipbench.sources.base import Candidate

WORK_DIR = ".work"


@dataclass(frozen=True)
class ItemContext:
    """What a worker needs besides the candidate (small and picklable)."""

    split_dir: str
    seed: int
    reader: Any
    pipeline: str  # param | realesrgan | selective | published
    param_set: str | None
    blind_prompt: bool


def record_path(split_dir: str | Path, item_id: str) -> Path:
    return Path(split_dir) / WORK_DIR / f"{item_id}.json"


def degrade_item(context: ItemContext, gt: np.ndarray, index: int):
    """Degrade one GT with the context's pipeline, seeded by (seed, index) (protocol §2)."""
    from tipbench.degradations.base import DEGRADATIONS

    pipeline = DEGRADATIONS.get(context.pipeline)
    if context.pipeline == "realesrgan":
        return pipeline.degrade(gt, seed=context.seed, index=index, param_set=context.param_set)
    return pipeline.degrade(gt, seed=context.seed, index=index)


def process_item(context: ItemContext, candidate: Candidate) -> dict[str, Any]:
    """Build one item and return its record: `{"status": "ok", "row": {...}}` or a `skipped` record."""
    split_dir = Path(context.split_dir)
    if candidate.skip_reason is not None:
        return _finish(split_dir, _skip(candidate, candidate.skip_reason))
    row: dict[str, Any] = {
        "id": candidate.id, "index": candidate.index, "source_path": candidate.source_path,
        "semantic_prompt": candidate.semantic_prompt, "seed": context.seed,
        "target_path": None, "target_sha256": None,
    }
    try:
        if context.pipeline == "published":
            pair = context.reader.read_pair(candidate)
            gt_bytes, lq_bytes, (width, height) = pair.gt, pair.lq, pair.lq_size
            prompt = prompt_type = BLIND_PROMPT
            params: dict[str, Any] = {"pipeline": "published"}
        else:
            gt, source_params = context.reader.read_gt(candidate, context.seed)
            result = degrade_item(context, gt, candidate.index)
            gt_bytes, lq_bytes = encode_png(gt), encode_png(result.lq)
            height, width = result.lq.shape[:2]
            prompt, prompt_type = result.restoration_prompt, result.restoration_prompt_type
            if context.blind_prompt:
                prompt = prompt_type = BLIND_PROMPT
            params = dict(result.params)
            if source_params:
                params["crop"] = source_params
            target = getattr(result, "target", None)
            if target is not None:
                row["target_path"], row["target_sha256"] = write_item_file(split_dir, "target", candidate.id,
                                                                           encode_png(target))
    except SkipImage as exc:
        return _finish(split_dir, _skip(candidate, str(exc)))
    row["gt_path"], row["gt_sha256"] = write_item_file(split_dir, "gt", candidate.id, gt_bytes)
    row["lq_path"], row["lq_sha256"] = write_item_file(split_dir, "lq", candidate.id, lq_bytes)
    row.update(width_lq=int(width), height_lq=int(height), restoration_prompt=prompt,
               restoration_prompt_type=prompt_type, pipeline=context.pipeline, params=encode_params(params))
    return _finish(split_dir, {"status": "ok", "row": row})


def _skip(candidate: Candidate, reason: str) -> dict[str, Any]:
    return {"status": "skipped", "index": candidate.index, "id": candidate.id,
            "source_path": candidate.source_path, "reason": reason}


def _finish(split_dir: Path, record: dict[str, Any]) -> dict[str, Any]:
    item_id = record["row"]["id"] if record["status"] == "ok" else record["id"]
    atomic_write_bytes(record_path(split_dir, item_id), json.dumps(record, sort_keys=True).encode("utf-8"))
    return record


def verified_record(split_dir: str | Path, candidate: Candidate) -> dict[str, Any] | None:
    """The item's record when it is complete and every file it names still has its recorded sha256."""
    path = record_path(split_dir, candidate.id)
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError, UnicodeDecodeError):
        return None
    if record.get("status") == "skipped":
        return record if record.get("index") == candidate.index else None
    row = record.get("row") or {}
    if row.get("index") != candidate.index or row.get("id") != candidate.id:
        return None
    for key in ("gt", "lq", "target"):
        relative, digest = row.get(f"{key}_path"), row.get(f"{key}_sha256")
        if relative is None:
            continue
        file_path = Path(split_dir) / relative
        if not file_path.is_file() or sha256_file(file_path) != digest:
            return None
    return record
