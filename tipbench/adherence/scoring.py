"""Adherence scoring of one run folder on a selective split: fidelity to the selective target plus diagnostics.

1. read run.json, find the split, check they match and that the split is selective;
2. fidelity: PSNR / SSIM / LPIPS (and the Y variants) of `out/` against `target/`, by the metrics harness
   (`tipbench.score` with the target as reference), never a second implementation;
3. diagnostics: removal and preservation per item (diagnostics.py), in worker processes when asked;
4. aggregate and write `adherence.parquet` (one row per item) and `adherence.json` (keys in `SUMMARY_KEYS`).
"""

from __future__ import annotations

import logging
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tipbench.adherence.config import AdherenceConfig
from tipbench.adherence.diagnostics import MEASURE_COLUMNS, anchor_measures, diagnose
from tipbench.adherence.measures import MIN_GAP_DETAIL, MIN_GAP_NOISE
from tipbench.adherence.split import SelectiveItem
from tipbench.errors import ManifestError
from tipbench.pools import process_pool

logger = logging.getLogger(__name__)

ADHERENCE_VERSION = 1
#: Fidelity columns (per item and, as means, in the summary), all against the selective target.
FIDELITY_COLUMNS = ("target_psnr", "target_ssim", "target_psnr_y", "target_ssim_y", "target_lpips")
ITEM_COLUMNS = (
    "id", "index", "named", "restoration_prompt", "blur_sigma", "noise_sigma", *FIDELITY_COLUMNS,
    "removal", "preservation", "removal_raw", "preservation_raw", *MEASURE_COLUMNS,
)
#: Summary scores (means; null when not computable) — the columns of the leaderboard's Table A.
SCORE_KEYS = (
    *FIDELITY_COLUMNS, "removal", "preservation",
    "denoise_removal", "denoise_preservation", "deblur_removal", "deblur_preservation",
)
#: Every key of adherence.json.
SUMMARY_KEYS = (
    "method", "variant", "split", "prompts", "source", "paper_data", "instructed", "n", "n_denoise", "n_deblur",
    "n_measured", *SCORE_KEYS, "null_reasons", "missing_weights", "metric_weights", "weights", "protocol",
    "settings", "versions", "config", "full_split",
)


def measure_settings() -> dict[str, Any]:
    """The measure definitions recorded in adherence.json, so a number can be traced to its formula."""
    return {
        "adherence_version": ADHERENCE_VERSION,
        "noise_level": "skimage.restoration.estimate_sigma(channel_axis=-1, average_sigmas=True) on [0,1] RGB",
        "detail_gain": "<H(img), H(gt)> / <H(gt), H(gt)>, H = I - G_sigma_b (row's blur; protocol §3 kernel, "
                       "reflect-101), float64 RGB in [0,1]",
        "score": "clip((m_out - m_bad) / (m_target - m_bad), 0, 1); null when |m_target - m_bad| < min_gap",
        "removal": {"noise": "noise_level, bad = lq", "blur": "detail_gain, bad = lq"},
        "preservation": {"noise": "detail_gain (blur kept), bad = gt", "blur": "noise_level (noise kept), bad = gt"},
        "min_gap_noise": MIN_GAP_NOISE,
        "min_gap_detail": MIN_GAP_DETAIL,
        "aggregate": "removal / preservation = mean of the denoise-row and deblur-row means (each op weighs 1/2)",
    }


# ------------------------------------------------------------------------------------------------- diagnostics
ANCHOR_COLUMNS = ("noise_lq", "noise_target", "noise_gt", "detail_lq", "detail_target")


def item_anchors(item: SelectiveItem) -> dict[str, float]:
    """The measures of one row's lq, target and GT (the same for every run on the split)."""
    from tipbench.io import decode_png

    lq, gt, target = (decode_png(p) for p in (item.lq_path, item.gt_path, item.target_path))
    return anchor_measures(lq, target, gt, item.blur_sigma)


def diagnose_item(item: SelectiveItem, out_path: str | os.PathLike,
                  anchors: dict[str, float] | None = None) -> dict[str, Any]:
    """Removal, preservation and raw measures of one item's output file (`anchors` computed when not given)."""
    from tipbench.io import decode_png

    if anchors is None:
        anchors = item_anchors(item)
    return diagnose(decode_png(out_path), decode_png(item.gt_path), item.named, item.blur_sigma, anchors)


def _call(job: tuple[Any, ...]) -> Any:
    function, *args = job
    return function(*args)


def _call_chunk(jobs: list[tuple[Any, ...]]) -> list[Any]:
    return [_call(job) for job in jobs]


def _map(jobs: list[tuple[Any, ...]], workers: int, progress: bool, desc: str) -> list[Any]:
    """Run `(function, *args)` jobs in order, in this process or `workers` processes (same results either way)."""
    from tipbench.cli import progress_bar

    if workers <= 1:
        return [_call(job) for job in progress_bar(jobs, desc=desc, unit="img", enabled=progress)]
    size = max(1, min(32, math.ceil(len(jobs) / (4 * workers))))
    chunks = [jobs[i:i + size] for i in range(0, len(jobs), size)]
    results: list[Any] = []
    with process_pool(workers) as pool:
        for part in progress_bar(pool.map(_call_chunk, chunks), total=len(chunks), desc=desc, unit="chunk",
                                 enabled=progress):
            results.extend(part)
    return results


def split_anchors(items: Sequence[SelectiveItem], split_dir: str | os.PathLike, *, workers: int = 0,
                  progress: bool = False, use_cache: bool = True) -> list[dict[str, float]]:
    """Anchor measures of every row, cached per split under `.cache/metrics/adherence-anchors-<key>.npz`.

    The key hashes the manifest sha256, the measure settings and library versions (the harness's cache helpers),
    so a rebuilt split or a changed measure never reads a stale file. Anchors are ~55 % of the diagnostics' time.
    """
    from tipbench.contracts.split_folder import MANIFEST
    from tipbench.io import sha256_file
    from tipbench.metrics import gt_cache

    split_dir = Path(split_dir)
    ids = tuple(item.id for item in items)
    parts = {"family": "adherence-anchors", "manifest_sha256": sha256_file(split_dir / MANIFEST),
             "settings": measure_settings(), "versions": _versions()}
    path = gt_cache.cache_path(split_dir, "adherence-anchors", gt_cache.cache_key(**parts))
    cached = gt_cache.load(path, ids) if use_cache else None
    if cached is not None:
        return [{name: float(cached[name][i]) for name in ANCHOR_COLUMNS} for i in range(len(ids))]
    anchors = _map([(item_anchors, item) for item in items], workers, progress, "adherence anchors")
    if use_cache:
        gt_cache.save(path, ids, parts, **{name: np.asarray([a[name] for a in anchors], dtype=np.float64)
                                           for name in ANCHOR_COLUMNS})
    return anchors


def diagnose_outputs(
    items: Sequence[SelectiveItem], out_dir: str | os.PathLike, *, anchors: Sequence[dict[str, float]] | None = None,
    workers: int = 0, progress: bool = False
) -> list[dict[str, Any]]:
    """`diagnose_item` for every item's `out_dir/<id>.png`, in item order (worker count never changes results)."""
    if anchors is None:
        anchors = [None] * len(items)  # type: ignore[list-item]
    jobs = [(diagnose_item, item, str(Path(out_dir) / f"{item.id}.png"), anchor)
            for item, anchor in zip(items, anchors)]
    return _map(jobs, workers, progress, "adherence")


# -------------------------------------------------------------------------------------------------- aggregation
def _mean(values: Sequence[float]) -> float | None:
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    return float(np.mean(finite)) if finite else None


def aggregate(rows: Sequence[dict[str, Any]]) -> tuple[dict[str, Any], dict[str, str]]:
    """Summary scores from per-item rows (keys of `ITEM_COLUMNS`) and the reasons for any null.

    Fidelity keys are plain means over items; `<op>_removal` / `<op>_preservation` are means over the rows naming
    that op whose anchors were measurable; `removal` / `preservation` average the two op means (each op weighs
    1/2, so the score does not depend on the split's mix of named operations).
    """
    scores: dict[str, Any] = {}
    reasons: dict[str, str] = {}
    for column in FIDELITY_COLUMNS:
        scores[column] = _mean([row.get(column) for row in rows])
    by_op = {"denoise": [r for r in rows if r["named"] == "noise"], "deblur": [r for r in rows if r["named"] == "blur"]}
    for kind in ("removal", "preservation"):
        op_means = []
        for op, op_rows in by_op.items():
            value = _mean([row[kind] for row in op_rows])
            scores[f"{op}_{kind}"] = value
            if value is None:
                reasons[f"{op}_{kind}"] = (f"no `{op}` row" if not op_rows
                                           else f"no `{op}` row with measurable anchors")
            else:
                op_means.append(value)
        scores[kind] = float(np.mean(op_means)) if len(op_means) == 2 else None
        if scores[kind] is None:
            reasons[kind] = "needs a measurable value for both denoise and deblur rows"
    for column in FIDELITY_COLUMNS:
        if scores[column] is None:
            reasons.setdefault(column, "not computed")
    return scores, reasons


def item_rows(items: Sequence[SelectiveItem], fidelity: dict[str, Sequence[float]],
              diagnostics: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Join item identity, fidelity columns and diagnostics into `ITEM_COLUMNS` rows."""
    rows = []
    for position, (item, diag) in enumerate(zip(items, diagnostics)):
        row = {"id": item.id, "index": item.index, "named": item.named,
               "restoration_prompt": item.restoration_prompt, "blur_sigma": item.blur_sigma,
               "noise_sigma": item.noise_sigma}
        for column in FIDELITY_COLUMNS:
            values = fidelity.get(column)
            row[column] = None if values is None or values[position] is None else float(values[position])
        row.update(diag)
        rows.append({column: row.get(column) for column in ITEM_COLUMNS})
    return rows


def check_items_match(items: Sequence[SelectiveItem], ids: Sequence[str]) -> None:
    """The fidelity pass and the diagnostics cover the same ids in the same order."""
    if [item.id for item in items] != list(ids):
        raise ManifestError("the metrics harness and the selective manifest disagree on the item order")


# ------------------------------------------------------------------------------------------------------ the run
def _fidelity(run_dir: Path, cfg: AdherenceConfig) -> tuple[list[str], dict[str, list], dict[str, Any]]:
    """Per-item fidelity to the selective target from the metrics harness: (ids, columns, its summary)."""
    from tipbench.contracts.scores import output_names, read_scores
    from tipbench.io import read_json
    from tipbench.score import ScoreConfig, score_run

    score_run(ScoreConfig(run_dir=str(run_dir), splits_dir=cfg.splits_dir, reference="target",
                          metrics=("lpips",) if cfg.lpips else (),
                          metric_weights=cfg.metric_weights, strict_metrics=cfg.strict_metrics, device=cfg.device,
                          progress=cfg.progress))
    ids, scores = read_scores(run_dir, "target")
    summary = read_json(run_dir / output_names("target")[1])
    columns = {}
    for column in FIDELITY_COLUMNS:
        source = column.removeprefix("target_")
        if source in scores:
            columns[column] = [None if value is None or value != value else float(value) for value in scores[source]]
    return ids, columns, summary


def _versions() -> dict[str, str | None]:
    from tipbench.versions import installed_versions

    return installed_versions(("tipbench", "numpy", "scipy", "scikit-image", "PyWavelets", "opencv-python-headless"))


def score_adherence(cfg: AdherenceConfig) -> dict[str, Any]:
    """Score a run folder on a selective split; writes `adherence.parquet` and `adherence.json` into it.

    Returns:
        The adherence.json contents (keys `SUMMARY_KEYS`).

    Raises:
        ManifestError: not a run folder, a split that is not selective, missing or mismatched outputs.
    """
    from tipbench.adherence.split import read_selective_items
    from tipbench.contracts import PROTOCOL
    from tipbench.contracts.integrity import verify_on_use
    from tipbench.contracts.prompt_policy import prompt_policy
    from tipbench.contracts.run_folder import OUT_DIR, read_run_json
    from tipbench.contracts.scores import ADHERENCE_JSON, ADHERENCE_PARQUET, write_rows
    from tipbench.contracts.split_folder import read_split_folder
    from tipbench.io import write_json
    from tipbench.paper_data import paper_data
    from tipbench.score.checks import find_split_dir
    from tipbench.splits import BENCHMARK_N

    # 1. run and split
    run_dir = Path(cfg.run_dir)
    run = read_run_json(run_dir)
    split = read_split_folder(find_split_dir(run, cfg.splits_dir))
    split_dir = split.path
    items = read_selective_items(split)
    verify_on_use(split, split.rows, ("lq", "gt", "target"), progress=cfg.progress)
    # 2. fidelity to the target (the harness also checks every output: present, RGB, right size)
    ids, fidelity, harness_summary = _fidelity(run_dir, cfg)
    check_items_match(items, ids)
    # 3. diagnostics (the split's anchors are cached; only the outputs are measured per run)
    anchors = split_anchors(items, split_dir, workers=cfg.workers, progress=cfg.progress)
    diagnostics = diagnose_outputs(items, run_dir / OUT_DIR, anchors=anchors, workers=cfg.workers,
                                   progress=cfg.progress)
    rows = item_rows(items, fidelity, diagnostics)
    # 4. aggregate and write
    scores, reasons = aggregate(rows)
    for column in FIDELITY_COLUMNS:
        harness_reason = (harness_summary.get("null_reasons") or {}).get(column.removeprefix("target_"))
        if scores[column] is None and harness_reason:
            reasons[column] = harness_reason
    prompts = run.get("prompts")
    ignored = run.get("ignored_prompts") or []
    data = paper_data(split)
    summary = {
        "method": run.get("method"), "variant": run.get("variant"), "split": run.get("split"), "prompts": prompts,
        "source": split.info.get("source", harness_summary.get("source")), "paper_data": data.ok,
        "instructed": prompt_policy(prompts).feeds_restoration and "restoration" not in ignored,
        "n": len(rows),
        "n_denoise": sum(row["named"] == "noise" for row in rows),
        "n_deblur": sum(row["named"] == "blur" for row in rows),
        "n_measured": {kind: sum(row[kind] is not None and math.isfinite(row[kind]) for row in rows)
                       for kind in ("removal", "preservation")},
        **scores,
        "null_reasons": dict(sorted(reasons.items())),
        "missing_weights": harness_summary.get("missing_weights", []),
        "metric_weights": harness_summary.get("metric_weights", {}),
        "weights": harness_summary.get("weights", cfg.metric_weights),
        "protocol": PROTOCOL,
        "settings": measure_settings(),
        "versions": _versions(),
        "config": cfg.to_dict(),
        "full_split": len(rows) == BENCHMARK_N and data.ok,
    }
    write_rows(run_dir / ADHERENCE_PARQUET, rows)
    write_json(run_dir / ADHERENCE_JSON, summary)
    logger.info("wrote %s", run_dir / ADHERENCE_JSON)
    return summary
