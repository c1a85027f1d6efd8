"""`score_run`: score a run folder (or outputs made elsewhere) against its split (contracts §3).

Writes `scores.parquet` (one row per id) and `summary.json` in the run folder; with `reference="target"`
(fidelity to coco-selective's targets) `scores_target.parquet` and `summary_target.json` instead. Missing
network weights never block scoring (protocol §6.1): PSNR/SSIM are always computed, a metric without its weights
is null with the reason and `missing_weights` says what to fetch; `strict_metrics` makes that an error.

Library use:
    >>> from tipbench.score import ScoreConfig
    >>> ScoreConfig(run_dir="runs/coco-param/tip/both").reference
    'gt'
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from tipbench.contracts.run_folder import read_run_json
from tipbench.contracts.scores import output_names, write_scores
from tipbench.errors import MissingWeightsError, TipbenchError
from tipbench.metrics.specs import (
    DEFAULT_CLIP_MODEL,
    IMAGE_SCORES,
    MIN_FID_N,
    NETWORK_FAMILIES,
    family_metrics,
    family_weights,
    metric_settings,
)
from tipbench.parallel import Part, launched_group
from tipbench.score.config import ScoreConfig
from tipbench.splits import BENCHMARK_N, NO_PAPER_NUMBERS

logger = logging.getLogger(__name__)


def _plan_metrics(config: ScoreConfig, n: int) -> tuple[dict[str, bool], dict[str, str], list[dict]]:
    """Which network metrics run, why the others are null, and every missing weight file (validated up front)."""
    from tipbench import weights as registry

    enabled = {family: family in config.metrics for family in NETWORK_FAMILIES}
    reasons: dict[str, str] = {}
    missing: list[dict] = []
    for family in NETWORK_FAMILIES:
        if not enabled[family]:
            reasons[family] = "not requested (metrics option)"
            continue
        absent = registry.missing(family_weights(family, config.clip_model, config.metric_weights))
        if absent:
            enabled[family] = False
            reasons[family] = "weights missing: " + ", ".join(a["name"] for a in absent)
            missing.extend(a for a in absent if a["name"] not in {m["name"] for m in missing})
    if missing and config.strict_metrics:
        raise MissingWeightsError(missing)
    if enabled["fid"] and n < MIN_FID_N and not config.allow_small_fid:
        enabled["fid"] = False
        reasons["fid"] = f"N = {n} < {MIN_FID_N}: FID not computed (pass --allow-small-fid to force it)"
    if enabled["fid"] and n < 2:
        enabled["fid"] = False
        reasons["fid"] = f"N = {n}: FID needs at least 2 images"
    return enabled, reasons, missing


def _load_run(config: ScoreConfig, group: Part) -> tuple[Path, dict]:
    from tipbench.score.external import external_run_dir, prepare_external_run

    if not config.external:
        return Path(config.run_dir), read_run_json(config.run_dir)
    run_dir = prepare_external_run(config) if group.is_main else external_run_dir(config)
    group.barrier()  # the main process laid the outputs out as a run folder
    return run_dir, read_run_json(run_dir)


def _mean(values: np.ndarray | None) -> float | None:
    if values is None:
        return None
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else None


def score_run(config: ScoreConfig, group: Part | None = None) -> dict[str, Any]:
    """Score one run folder (or external outputs); writes the scores and summary files and returns the summary.

    Under `accelerate launch` / `torchrun` (or with a launched `group`) every process scores a share of the items
    and the main one writes the files (`tipbench.metrics.reduce`); every process returns the summary.

    Raises:
        ManifestError: missing/extra/wrong-size/non-RGB outputs, duplicate ids, a run made for another split.
        MissingWeightsError: only with `strict_metrics`, listing every missing weight file.
    """
    from tipbench.contracts import PROTOCOL
    from tipbench.contracts.integrity import verify_on_use
    from tipbench.contracts.split_folder import read_split_folder
    from tipbench.io import write_json
    from tipbench.metrics import harness
    from tipbench.metrics.functional.fid import frechet_distance
    from tipbench.metrics.versions import library_versions
    from tipbench.paper_data import paper_data
    from tipbench.score.checks import check_outputs, check_run_matches_split, find_split_dir

    # 1. validate: options, run folder, split, every pair, weights — before any network is built.
    if "clip" in config.metrics:
        family_weights("clip", config.clip_model)  # refuses GELU builds of OpenAI weights up front
    group = group if group is not None else launched_group(config.device)
    run_dir, run = _load_run(config, group)
    split = read_split_folder(find_split_dir(run, config.splits_dir))
    split.reference_images(config.reference)  # a target reference needs targets on every row
    check_run_matches_split(run, split, run_dir)
    limit = (run.get("config") or {}).get("limit")
    if limit is not None:  # a `--limit N` run is scored on the first N items of the seeded order, and flagged
        split = split.first(int(limit))
    verify_on_use(split, split.rows, (config.reference,), progress=config.progress)
    items = check_outputs(run_dir, split, config.reference)
    n = len(items)
    enabled, family_reasons, missing = _plan_metrics(config, n)
    settings = metric_settings(config.reference, config.clip_model, config.allow_small_fid)

    # 2. one pass.
    options = harness.HarnessOptions(
        lpips=enabled["lpips"], fid=enabled["fid"], clip=enabled["clip"], metric_weights=config.metric_weights,
        random_arch=config.random_arch, clip_model=config.clip_model, device=group.device(config.device),
        batch_size=config.batch_size, workers=config.workers, reference=config.reference,
        use_gt_cache=config.use_gt_cache, progress=config.progress, settings=settings)
    result = harness.run_pass(items, split, options, group)
    if result is None:  # not the main process of a launched group: it writes, then everyone gets its summary
        return group.gather(None)[0]

    # 3. set-level and null reasons.
    null_reasons: dict[str, str] = {}
    for family in ("lpips", "clip", "fid"):
        if not enabled[family]:
            null_reasons.update(dict.fromkeys(family_metrics(family), family_reasons[family]))
    fid = None
    if result.fid_stats is not None:
        pred, target = result.fid_stats
        try:
            fid = frechet_distance(pred.mean, pred.covariance(), target.mean, target.covariance())
        except TipbenchError as exc:
            null_reasons["fid"] = str(exc)
    notes = []
    if "clip_t" in result.columns:
        empty = sum(1 for item in items if not item.caption)
        if empty == n:
            null_reasons["clip_t"] = "no semantic prompts in this split (c_s is empty for every row)"
        elif empty:
            notes.append(f"clip_t is null for {empty} row(s) with an empty semantic prompt")
    data = paper_data(split)
    weights_mode = summary_weights(run.get("weights"), config.metric_weights, any(enabled.values()))
    metric_weights = _metric_weight_ids(result.weight_ids, config)
    # A split without captions (DIV2K) has no CLIP-T by design; any other null metric blocks the comparison.
    blocking = [k for k, v in null_reasons.items() if not v.startswith("no semantic prompts")]
    reasons = _not_comparable(config, run, split, n, data, weights_mode, missing, blocking)
    if n < BENCHMARK_N:
        notes.append(f"N = {n} < {BENCHMARK_N}: not comparable to the paper")
    notes += [reason for reason in reasons if not reason.startswith("N = ")]
    comparable = not reasons
    summary = {
        "method": run.get("method"), "variant": run.get("variant"), "split": run.get("split"),
        "prompts": run.get("prompts"), "source": run.get("source", split.source), "external": bool(run.get("external")),
        "paper_data": data.ok, "n": n, **{name: _mean(result.columns.get(name)) for name in IMAGE_SCORES},
        "fid": fid, "fid_n": n if fid is not None else None, "null_reasons": null_reasons,
        "missing_weights": missing, "metric_settings": settings, "metric_weights": metric_weights,
        "weights": weights_mode, "protocol": split.protocol or PROTOCOL, "versions": library_versions(),
        "comparable_to_paper": comparable, "not_comparable": reasons, "notes": notes, "reference": config.reference,
        "gt_cache": result.gt_cache, "split_manifest_sha256": split.manifest_sha256, "config": config.recorded(),
        "subset": split.subset,
    }
    scores_name, summary_name = output_names(config.reference)
    write_scores(run_dir / scores_name, split.ids, result.columns)
    write_json(run_dir / summary_name, summary)
    logger.info("scored %d items of %s", n, run_dir)
    if group.count > 1:
        group.gather(summary)
    return summary


def _not_comparable(config: ScoreConfig, run: dict, split: Any, n: int, data: Any, weights: str, missing: list,
                    blocking: list[str]) -> list[str]:
    """Every reason the numbers cannot stand beside the paper's (protocol §6.1); empty means comparable."""
    reasons = []
    if split.subset is not None:
        reasons.append(f"scored on the first {split.subset} items of the split (run made with --limit)")
    if n != BENCHMARK_N:
        reasons.append(f"N = {n}, not {BENCHMARK_N}")
    if not data.ok:
        reasons.append(f"not the paper's test data: {data.reason}")
    if split.name in NO_PAPER_NUMBERS:
        reasons.append(f"no paper numbers for `{split.name}`: {NO_PAPER_NUMBERS[split.name]}")
    if weights != "real":
        reasons.append(f"weights: {weights}")
    if missing:
        reasons.append("weight files missing: " + ", ".join(entry["name"] for entry in missing))
    if blocking:
        reasons.append("null metric(s): " + ", ".join(blocking))
    if config.reference != "gt":
        reasons.append(f"scored against {config.reference}/, not gt/")
    if config.clip_model != DEFAULT_CLIP_MODEL:
        reasons.append(f"CLIP model {config.clip_model}, not the protocol's {DEFAULT_CLIP_MODEL}")
    reasons.extend(f"deviation from the protocol: {deviation}" for deviation in run.get("deviations") or [])
    return reasons


def summary_weights(method_weights: str | None, metric_weights: str, networks_computed: bool) -> str:
    """summary.json `weights`: the provenance of every network behind the numbers (contracts §3).

    `random` when the method's or the metrics' networks are random, `unknown` when the method's provenance is
    not recorded, `none` when no network at all was involved (a weightless method, PSNR/SSIM only), else `real`.

    >>> summary_weights("none", "real", False), summary_weights("none", "real", True)
    ('none', 'real')
    >>> summary_weights("real", "random", True), summary_weights(None, "real", True)
    ('random', 'unknown')
    """
    if method_weights == "random" or metric_weights == "random":
        return "random"
    if method_weights not in ("real", "none"):
        return "unknown"
    if method_weights == "none" and not networks_computed:
        return "none"
    return "real"


def _metric_weight_ids(weight_ids: dict[str, str], config: ScoreConfig) -> dict[str, str]:
    """Registry entry name → sha256 (or `random:…` id) of each weight file actually used: the network's id from the
    harness, and the sha256 of the files read beside it (LPIPS's heads)."""
    from tipbench.weights import file_sha256, resolve

    out = {}
    for family, weight_id in weight_ids.items():
        network, *beside = family_weights(family, config.clip_model)
        out[network] = weight_id
        out.update({name: file_sha256(resolve(name)) for name in beside})
    return out
