"""Command line of `python -m tipbench.score` (contracts §6): parse, build a `ScoreConfig`, call `score_run`."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from tipbench.cli import add_output_options, progress_enabled, run_command
from tipbench.contracts.prompt_policy import DEFAULT_POLICY, POLICY_NAMES
from tipbench.metrics.specs import CLIP_MODELS, DEFAULT_CLIP_MODEL, MIN_FID_N, NETWORK_FAMILIES
from tipbench.score.config import ScoreConfig

EPILOG = """\
examples:
  python -m tipbench.score tipbench-data/runs/coco-param/tip/both
  python -m tipbench.score --split coco-param --outputs my_outputs/ --method my-method
  python -m tipbench.score RUN_DIR --metric-weights random --allow-small-fid   # CI smoke test

writes RUN_DIR/scores.parquet and RUN_DIR/summary.json (docs/contracts.md §3); metric definitions:
docs/protocol.md §6. Exit status: 0 ok, 1 data/config error, 2 bad usage.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tipbench.score",
        description="Score a run folder against its split: scores.parquet + summary.json (contracts §3).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("run_dir", nargs="?", metavar="RUN_DIR", help="run folder (contracts §2)")
    ext = parser.add_argument_group("outputs made elsewhere")
    ext.add_argument("--split", metavar="S", help="split name (with --outputs)")
    ext.add_argument("--outputs", metavar="DIR", help="folder of <id>.png (or float <id>.npy in [0, 1])")
    ext.add_argument("--method", metavar="NAME", help="method key for the run folder ([a-z0-9-])")
    ext.add_argument("--prompts", metavar="P", default=DEFAULT_POLICY,
                     help=f"prompt policy label: {', '.join(POLICY_NAMES)} (default: {DEFAULT_POLICY})")
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
    met.add_argument("--metrics", metavar="LIST", default=",".join(NETWORK_FAMILIES),
                     help=f"network metrics to compute (default: {','.join(NETWORK_FAMILIES)}; psnr/ssim always)")
    others = ", ".join(name for name in CLIP_MODELS if name != DEFAULT_CLIP_MODEL)
    met.add_argument("--clip-model", metavar="M", default=DEFAULT_CLIP_MODEL,
                     help=f"{DEFAULT_CLIP_MODEL} (default) or {others}")
    met.add_argument("--reference", choices=("gt", "target"), default="gt",
                     help="score against gt/ (default) or target/ (writes scores_target.parquet)")
    met.add_argument("--no-gt-cache", action="store_true", help="neither read nor write the split's GT cache")
    run = parser.add_argument_group("execution")
    run.add_argument("--device", metavar="D", default="cpu", help="torch device (default: cpu)")
    run.add_argument("--batch-size", metavar="B", type=int, default=16, help="pairs per batch (default: 16)")
    workers = max(0, min(8, (os.cpu_count() or 1) // 4))  # 0 on a 2-core box: workers only contend there
    run.add_argument("--workers", metavar="K", type=int, default=workers,
                     help=f"decode + PSNR/SSIM worker processes (default here: {workers}; 0 = inline)")
    add_output_options(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if (args.run_dir is None) == (args.outputs is None):
        parser.error("give RUN_DIR, or --split S --outputs DIR --method NAME")
    if args.outputs is not None and not (args.split and args.method):
        parser.error("--outputs needs --split and --method")

    def work() -> int:
        from tipbench.contracts.scores import output_names
        from tipbench.score.external import external_run_dir
        from tipbench.score.report import summary_lines
        from tipbench.score.runner import score_run

        config = ScoreConfig(
            run_dir=args.run_dir, split=args.split, outputs=args.outputs, method=args.method,
            prompts=args.prompts, variant=args.variant, splits_dir=args.splits_dir, runs_dir=args.runs_dir,
            reference=args.reference, metrics=tuple(m for m in args.metrics.split(",") if m),
            metric_weights=args.metric_weights, random_arch=args.random_arch, clip_model=args.clip_model,
            strict_metrics=args.strict_metrics, allow_small_fid=args.allow_small_fid, device=args.device,
            batch_size=args.batch_size, workers=args.workers, use_gt_cache=not args.no_gt_cache,
            progress=progress_enabled(args))
        summary = score_run(config)
        from tipbench.parallel import launched_group

        if not launched_group(config.device).is_main:  # another rank of `accelerate launch`: the main one reports
            return 0
        run_dir = Path(config.run_dir) if config.run_dir else external_run_dir(config)
        print("\n".join(summary_lines(summary, run_dir / output_names(config.reference)[1])))
        return 0

    return run_command(args, work, interrupted="interrupted; no score file was written (they are written at the end), "
                       "run the same command again")


if __name__ == "__main__":
    raise SystemExit(main())
