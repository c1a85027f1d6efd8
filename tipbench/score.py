"""`python -m tipbench.score`: score a run folder (or outputs made elsewhere) against its split (contracts §3).

Writes `scores.parquet` (one row per id) and `summary.json` in the run folder; with `reference="target"`
(fidelity to coco-selective's targets) `scores_target.parquet` and `summary_target.json` instead. Missing
network weights never block scoring (protocol §6): PSNR/SSIM are always computed, a metric without its weights
is null with the reason and `missing_weights` says what to fetch; `strict_metrics` makes that an error.

Library use:
    >>> from tipbench.score import ScoreConfig
    >>> ScoreConfig(run_dir="runs/coco-param/tip/both").reference
    'gt'
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path
from typing import Any

import numpy as np

from tipbench.errors import MissingWeightsError, TipbenchError, report_cli_error
from tipbench.score_config import NETWORK_METRICS, ScoreConfig

logger = logging.getLogger(__name__)

MIN_FID_N = 50
PAPER_N = 3000
DEFAULT_CLIP_MODEL = "ViT-L-14-quickgelu"
__all__ = ["ScoreConfig", "build_parser", "main", "output_names", "score_run"]


def output_names(reference: str) -> tuple[str, str]:
    """(scores file, summary file) for a reference folder: gt → scores.parquet, target → scores_target.parquet."""
    return ("scores.parquet", "summary.json") if reference == "gt" else (f"scores_{reference}.parquet",
                                                                         f"summary_{reference}.json")


def metric_settings(config: ScoreConfig) -> dict[str, Any]:
    """Every choice that moves a number (style §2.5), recorded verbatim in summary.json and the cache key."""
    return {
        "reference": config.reference,
        "psnr": {"channel": "rgb", "max": 255, "crop": 0, "cap_db": 100.0, "dtype": "float64", "reduce": "mean of per-image"},
        "psnr_y": {"channel": "ycbcr-bt601-y (studio range, unrounded)", "max": 255, "crop": 0, "cap_db": 100.0},
        "ssim": {"window": "gaussian 11 sigma 1.5", "k1": 0.01, "k2": 0.03, "data_range": 255, "region": "valid",
                 "colour": "per-channel mean", "downsample": False},
        "ssim_y": {"window": "gaussian 11 sigma 1.5", "region": "valid", "channel": "ycbcr-bt601-y"},
        "lpips": {"version": "0.1", "net": "alex", "input_range": "[-1, 1]", "resize": None},
        "fid": {"mode": "clean", "resize": "PIL float bicubic per channel to 299, clipped, no quantisation",
                "features": "inception-2015-12-05 pool3", "covariance": "unbiased", "sqrtm": "scipy",
                "min_n": MIN_FID_N, "allow_small_fid": config.allow_small_fid},
        "clip": {"model": config.clip_model, "pretrained": "openai", "image_size": 224,
                 "preprocess": "bicubic short side 224, centre crop, OpenAI mean/std", "score": "raw cosine",
                 "context_length": 77, "prefix": None},
    }


def _required_weights(family: str, config: ScoreConfig) -> tuple[str, ...]:
    from tipbench.metrics.networks import REQUIRED_WEIGHTS, clip_weights_name

    return (clip_weights_name(config.clip_model),) if family == "clip" else REQUIRED_WEIGHTS[family]


def _plan_metrics(config: ScoreConfig, n: int) -> tuple[dict[str, bool], dict[str, str], list[dict]]:
    """Which network metrics run, why the others are null, and every missing weight file (validated up front)."""
    from tipbench import weights as registry

    enabled = {family: family in config.metrics for family in NETWORK_METRICS}
    reasons: dict[str, str] = {}
    missing: list[dict] = []
    for family in NETWORK_METRICS:
        if not enabled[family]:
            reasons[family] = "not requested (metrics option)"
            continue
        names = _required_weights(family, config)
        if config.metric_weights == "random":
            names = tuple(n for n in names if n == "lpips-alex-head")  # the heads ship in the lpips wheel
        absent = registry.missing(names)
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


def _load_run(config: ScoreConfig) -> tuple[Path, dict]:
    from tipbench.io import read_json
    from tipbench.score_external import prepare_external_run

    run_dir = prepare_external_run(config) if config.external else Path(config.run_dir)
    if not (run_dir / "run.json").is_file():
        raise TipbenchError(f"`{run_dir}` is not a run folder: no run.json (contracts §2)")
    return run_dir, read_json(run_dir / "run.json")


def _mean(values: np.ndarray | None) -> float | None:
    if values is None:
        return None
    values = values[~np.isnan(values)]
    return float(values.mean()) if values.size else None


def _write_scores(path: Path, ids: tuple[str, ...], columns: dict[str, np.ndarray]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from tipbench.io import SCORE_COLUMNS, atomic_write_bytes

    data: dict[str, Any] = {"id": pa.array(ids, pa.string())}
    for name in SCORE_COLUMNS[1:]:
        values = columns.get(name)
        data[name] = pa.array([None] * len(ids) if values is None else
                              [None if np.isnan(v) else float(v) for v in values], pa.float64())
    buffer = pa.BufferOutputStream()
    pq.write_table(pa.table(data), buffer)
    atomic_write_bytes(path, buffer.getvalue().to_pybytes())


def score_run(config: ScoreConfig) -> dict[str, Any]:
    """Score one run folder (or external outputs); writes the scores and summary files and returns the summary.

    Raises:
        ManifestError: missing/extra/wrong-size/non-RGB outputs, duplicate ids, a run made for another split.
        MissingWeightsError: only with `strict_metrics`, listing every missing weight file.
    """
    from tipbench.io import PROTOCOL, write_json
    from tipbench.metrics import harness
    from tipbench.metrics.functional.fid import frechet_distance
    from tipbench.metrics.inputs import check_outputs, check_run_matches_split, find_split_dir, load_split
    from tipbench.metrics.versions import library_versions

    # 1. validate: options, run folder, split, every pair, weights — before any network is built.
    if "clip" in config.metrics:
        _required_weights("clip", config)  # refuses GELU builds of OpenAI weights up front
    run_dir, run = _load_run(config)
    split = load_split(find_split_dir(run, config.splits_dir), config.reference)
    check_run_matches_split(run, split, run_dir)
    limit = (run.get("config") or {}).get("limit")
    if limit is not None:  # a `--limit N` run is scored on the first N items of the seeded order, and flagged
        split = split.first(int(limit))
    items = check_outputs(run_dir / "out", split)
    n = len(items)
    enabled, family_reasons, missing = _plan_metrics(config, n)
    settings = metric_settings(config)

    # 2. one pass.
    options = harness.HarnessOptions(
        lpips=enabled["lpips"], fid=enabled["fid"], clip=enabled["clip"], metric_weights=config.metric_weights,
        random_arch=config.random_arch, clip_model=config.clip_model, device=config.device,
        batch_size=config.batch_size, workers=config.workers, reference=config.reference,
        use_gt_cache=config.use_gt_cache, progress=config.progress, settings=settings)
    result = harness.run_pass(items, split, options)

    # 3. set-level and null reasons.
    null_reasons: dict[str, str] = {}
    for family, columns in (("lpips", ("lpips",)), ("clip", ("clip_i", "clip_t")), ("fid", ("fid",))):
        if not enabled[family]:
            null_reasons.update(dict.fromkeys(columns, family_reasons[family]))
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
    if n < PAPER_N:
        notes.append(f"N = {n} < {PAPER_N}: not comparable to the paper")
    weights_mode = "random" if config.metric_weights == "random" or run.get("weights") == "random" else "real"
    metric_weights = _metric_weight_ids(result.weight_ids, config)
    # A split without captions (DIV2K) has no CLIP-T by design; any other null metric blocks the comparison.
    blocking = [k for k, v in null_reasons.items() if not v.startswith("no semantic prompts")]
    if split.subset is not None:
        notes.append(f"scored on the first {split.subset} items of the split (run made with --limit)")
    comparable = (split.subset is None and n == PAPER_N and split.source not in (None, "sample") and weights_mode == "real"
                  and not missing and not blocking and config.reference == "gt"
                  and config.clip_model == DEFAULT_CLIP_MODEL and not run.get("deviations"))
    summary = {
        "method": run.get("method"), "variant": run.get("variant"), "split": run.get("split"),
        "prompts": run.get("prompts"), "source": run.get("source", split.source), "external": bool(run.get("external")),
        "n": n, **{name: _mean(result.columns.get(name)) for name in
                   ("psnr", "ssim", "psnr_y", "ssim_y", "lpips", "clip_i", "clip_t")},
        "fid": fid, "fid_n": n if fid is not None else None, "null_reasons": null_reasons,
        "missing_weights": missing, "metric_settings": settings, "metric_weights": metric_weights,
        "weights": weights_mode, "protocol": split.protocol or PROTOCOL, "versions": library_versions(),
        "comparable_to_paper": comparable, "notes": notes, "reference": config.reference,
        "gt_cache": result.gt_cache, "split_manifest_sha256": split.manifest_sha256, "config": config.to_dict(),
        "subset": split.subset,
    }
    scores_name, summary_name = output_names(config.reference)
    _write_scores(run_dir / scores_name, split.ids, result.columns)
    write_json(run_dir / summary_name, summary)
    logger.info("scored %d items of %s", n, run_dir)
    return summary


def _metric_weight_ids(weight_ids: dict[str, str], config: ScoreConfig) -> dict[str, str]:
    """Registry entry name → sha256 (or `random:…` id) of each weight file actually used."""
    from tipbench.metrics.networks import clip_weights_name
    from tipbench.weights import file_sha256, resolve

    out = {}
    if "lpips" in weight_ids:
        out["lpips-alexnet"] = weight_ids["lpips"]
        out["lpips-alex-head"] = file_sha256(resolve("lpips-alex-head"))
    if "fid" in weight_ids:
        out["inception-fid"] = weight_ids["fid"]
    if "clip" in weight_ids:
        out[clip_weights_name(config.clip_model)] = weight_ids["clip"]
    return out


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tipbench.score",
        description="Score a run folder against its split: scores.parquet + summary.json (contracts §3).",
        epilog="examples:\n  python -m tipbench.score tipbench-data/runs/coco-param/tip/both\n"
        "  python -m tipbench.score --split coco-param --outputs my_outputs/ --method my-method\n"
        "  python -m tipbench.score RUN_DIR --metric-weights random --allow-small-fid   # CI smoke test",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dir", nargs="?", metavar="RUN_DIR", help="run folder (contracts §2)")
    ext = parser.add_argument_group("outputs made elsewhere")
    ext.add_argument("--split", metavar="S", help="split name (with --outputs)")
    ext.add_argument("--outputs", metavar="DIR", help="folder of <id>.png (or float <id>.npy in [0, 1])")
    ext.add_argument("--method", metavar="NAME", help="method key for the run folder ([a-z0-9-])")
    ext.add_argument("--prompts", metavar="P", default="both", help="prompt policy label (default: both)")
    ext.add_argument("--variant", metavar="V", help="variant label (default: none)")
    loc = parser.add_argument_group("locations")
    loc.add_argument("--splits-dir", metavar="D", help="default $TIPBENCH_HOME/splits")
    loc.add_argument("--runs-dir", metavar="D", help="default $TIPBENCH_HOME/runs")
    met = parser.add_argument_group("metrics")
    met.add_argument("--strict-metrics", action="store_true", help="missing weights are an error, not null")
    met.add_argument("--metric-weights", choices=("real", "random"), default="real",
                     help="random: random networks for tests/CI, recorded as such (default: real)")
    met.add_argument("--random-arch", choices=("tiny", "full"), default="tiny",
                     help="with random weights: tiny nets or the full architectures (default: tiny)")
    met.add_argument("--allow-small-fid", action="store_true", help=f"compute FID below N = {MIN_FID_N}")
    met.add_argument("--metrics", metavar="LIST", default=",".join(NETWORK_METRICS),
                     help="network metrics to compute (default: lpips,fid,clip; psnr/ssim always)")
    met.add_argument("--clip-model", metavar="M", default=DEFAULT_CLIP_MODEL,
                     help=f"{DEFAULT_CLIP_MODEL} (default) or ViT-B-32-quickgelu")
    met.add_argument("--reference", choices=("gt", "target"), default="gt",
                     help="score against gt/ (default) or target/ (writes scores_target.parquet)")
    met.add_argument("--no-gt-cache", action="store_true", help="neither read nor write the split's GT cache")
    run = parser.add_argument_group("execution")
    run.add_argument("--device", metavar="D", default="cpu", help="torch device (default: cpu)")
    run.add_argument("--batch-size", metavar="B", type=int, default=16, help="pairs per batch (default: 16)")
    workers = max(0, min(8, (os.cpu_count() or 1) // 4))  # 0 on a 2-core box: workers only contend there
    run.add_argument("--workers", metavar="K", type=int, default=workers,
                     help=f"decode + PSNR/SSIM worker processes (default here: {workers}; 0 = inline)")
    run.add_argument("-v", "--verbose", action="store_true")
    run.add_argument("-q", "--quiet", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if (args.run_dir is None) == (args.outputs is None):
        parser.error("give RUN_DIR, or --split S --outputs DIR --method NAME")
    if args.outputs is not None and not (args.split and args.method):
        parser.error("--outputs needs --split and --method")
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        config = ScoreConfig(
            run_dir=args.run_dir, split=args.split, outputs=args.outputs, method=args.method,
            prompts=args.prompts, variant=args.variant, splits_dir=args.splits_dir, runs_dir=args.runs_dir,
            reference=args.reference, metrics=tuple(m for m in args.metrics.split(",") if m),
            metric_weights=args.metric_weights, random_arch=args.random_arch, clip_model=args.clip_model,
            strict_metrics=args.strict_metrics, allow_small_fid=args.allow_small_fid, device=args.device,
            batch_size=args.batch_size, workers=args.workers, use_gt_cache=not args.no_gt_cache)
        summary = score_run(config)
    except (TipbenchError, OSError) as exc:  # user-fixable: one line, exit 1
        return report_cli_error(exc)
    for name in ("psnr", "ssim", "lpips", "fid", "clip_i", "clip_t"):
        value = summary[name]
        print(f"{name:7s} {'null (' + summary['null_reasons'].get(name, '') + ')' if value is None else f'{value:.4f}'}")
    from tipbench.score_external import run_folder

    run_dir = Path(config.run_dir) if config.run_dir else run_folder(config)
    print(f"wrote {run_dir / output_names(config.reference)[1]} (weights: {summary['weights']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
