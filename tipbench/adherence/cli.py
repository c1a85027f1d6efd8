"""`python -m tipbench.adherence RUN_DIR` and `python -m tipbench.adherence walk --method M` (see docs/adherence.md)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from tipbench.adherence.config import WALK_N
from tipbench.cli import add_output_options, progress_enabled, run_command
from tipbench.contracts.scores import ADHERENCE_JSON, WALK_JSON

SCORE_EXAMPLES = """\
examples:
  python -m tipbench.adherence tipbench-data/runs/coco-selective/classical-prompted/restoration
  python -m tipbench.adherence RUN_DIR --metric-weights random --workers 2
  python -m tipbench.adherence walk --method classical-prompted --n 16

writes RUN_DIR/adherence.json (summary) and RUN_DIR/adherence.parquet (one row per item);
the walk writes <runs>/<split>/<method>/walk[@variant]/walk.json and walk.parquet.
"""

WALK_EXAMPLES = """\
examples:
  python -m tipbench.adherence walk --method classical-prompted
  python -m tipbench.adherence walk --method tip --variant no-param --n 8 --device cuda --save-images
"""


def build_parser() -> argparse.ArgumentParser:
    """Parser of the scoring form (`RUN_DIR`)."""
    parser = argparse.ArgumentParser(
        prog="python -m tipbench.adherence",
        description="Instruction adherence of a run on coco-selective: fidelity to the selective target "
                    "(PSNR/SSIM/LPIPS vs target/), removal of the named degradation and preservation of the "
                    "unnamed one. The `walk` subcommand measures strength control.",
        epilog=SCORE_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", metavar="RUN_DIR", help="run folder (<runs>/coco-selective/<method>/<prompts>)")
    group = parser.add_argument_group("scoring")
    group.add_argument("--splits-dir", metavar="DIR", help="splits folder (default: $TIPBENCH_HOME/splits)")
    group.add_argument("--metric-weights", choices=("real", "random"), default="real",
                       help="LPIPS weights: real (weights registry) or random (tests); default: real")
    group.add_argument("--strict-metrics", action="store_true", help="missing LPIPS weights are an error")
    group.add_argument("--no-lpips", action="store_true", help="skip LPIPS (target_lpips is null with the reason)")
    group.add_argument("--device", default="cpu", metavar="D", help="device for LPIPS (default: cpu)")
    group.add_argument("--workers", type=int, default=0, metavar="K",
                       help="processes for the diagnostics (default: 0 = in this process)")
    add_output_options(parser)
    return parser


def build_walk_parser() -> argparse.ArgumentParser:
    """Parser of the `walk` subcommand."""
    parser = argparse.ArgumentParser(
        prog="python -m tipbench.adherence walk",
        description="Prompt walk: restore the first N rows of the split with `Denoise with sigma s` "
                    "(s = 0.02…0.24) and `Deblur with sigma b` (b = 0.5…4.0) and score how the measured strength "
                    "follows the prompted one (Spearman; the controllability score).",
        epilog=WALK_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    group = parser.add_argument_group("walk")
    group.add_argument("--method", required=True, metavar="M", help="registered method key")
    group.add_argument("--split", default="coco-selective", metavar="S", help="selective split (default: %(default)s)")
    group.add_argument("--n", type=int, default=WALK_N, metavar="K", help="rows walked (default: %(default)s)")
    group.add_argument("--variant", metavar="V", help="checkpoint or setting variant of the method")
    group.add_argument("--checkpoint", metavar="PATH", help="checkpoint for methods that take one")
    group.add_argument("--device", default="cpu", metavar="D", help="device for the method (default: cpu)")
    group.add_argument("--splits-dir", metavar="DIR", help="splits folder (default: $TIPBENCH_HOME/splits)")
    group.add_argument("--runs-dir", metavar="DIR", help="runs folder (default: $TIPBENCH_HOME/runs)")
    group.add_argument("--save-images", action="store_true", help="also write every walked image under images/")
    add_output_options(parser)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the exit status (0 ok, 1 data/config error, 2 bad usage)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    walking = bool(argv) and argv[0] == "walk"
    parser = build_walk_parser() if walking else build_parser()
    args = parser.parse_args(argv[1:] if walking else argv)
    if walking and args.n < 1:
        parser.error(f"--n must be positive, got {args.n}")
    if not walking and args.workers < 0:
        parser.error(f"--workers must be ≥ 0, got {args.workers}")
    interrupted = ("interrupted; walk.json is written at the end, run the same command again" if walking else
                   "interrupted; adherence.json is written at the end, run the same command again")
    return run_command(args, (lambda: _walk(args)) if walking else (lambda: _score(args)), interrupted=interrupted)


def _walk(args: argparse.Namespace) -> int:
    from tipbench.adherence.config import WalkConfig
    from tipbench.adherence.walk import run_walk, walk_dir

    config = WalkConfig(method=args.method, split=args.split, n=args.n, variant=args.variant,
                        checkpoint=args.checkpoint, device=args.device, splits_dir=args.splits_dir,
                        runs_dir=args.runs_dir, save_images=args.save_images, progress=progress_enabled(args))
    result = run_walk(config)
    print(f"controllability {_fmt(result['controllability'])} (denoise "
          f"{_fmt(result['controllability_denoise'])}, deblur {_fmt(result['controllability_deblur'])})")
    print(f"wrote {walk_dir(config) / WALK_JSON}")
    return 0


def _score(args: argparse.Namespace) -> int:
    from pathlib import Path

    from tipbench.adherence.config import AdherenceConfig
    from tipbench.adherence.scoring import score_adherence

    config = AdherenceConfig(run_dir=args.run_dir, splits_dir=args.splits_dir, metric_weights=args.metric_weights,
                             strict_metrics=args.strict_metrics, lpips=not args.no_lpips, device=args.device,
                             workers=args.workers, progress=progress_enabled(args))
    summary = score_adherence(config)
    print(" ".join(f"{key} {_fmt(summary[key])}" for key in
                   ("target_psnr", "target_ssim", "target_lpips", "removal", "preservation")))
    print(f"wrote {Path(args.run_dir) / ADHERENCE_JSON}")
    return 0


def _fmt(value: float | None) -> str:
    return "null" if value is None else f"{value:.3f}"
