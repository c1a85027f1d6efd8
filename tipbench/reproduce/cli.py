"""Command line of `python -m tipbench.reproduce` (contracts §6): plan, or build + run + score + render, one table."""

from __future__ import annotations

import argparse
import sys

from tipbench.cli import add_output_options, progress_enabled, run_command
from tipbench.reproduce.config import ReproduceConfig

EPILOG = """\
examples:
  python -m tipbench.reproduce --table 1 --plan          # what Table 1 needs, what is ready, what is missing and why
  python -m tipbench.reproduce --table 1 --device cuda    # build, run what is ready, score, render
  accelerate launch --num_processes 8 -m tipbench.reproduce --table 1 --device cuda
  python -m tipbench.reproduce --table 1 --device cuda --shard $SLURM_ARRAY_TASK_ID/8   # one array task
  python -m tipbench.reproduce --table 1 --checkpoint tip=ckpt/tip --checkpoint controlnet-sr=ckpt/cn

rows and splits come from the leaderboard's table specs; a run already scored is never redone, a partial one
resumes. The table is written to --out (default $TIPBENCH_HOME/leaderboard/table-<key>/) and printed.
Several GPUs or a cluster: docs/methods.md "Reproduce Table 1". Exit status: 0 ok, 1 a step failed or bad
config, 2 bad usage.
"""


def _checkpoint(text: str) -> tuple[str, str]:
    label, sep, folder = text.partition("=")
    if not sep or not label or not folder:
        raise argparse.ArgumentTypeError(f"expected METHOD[@VARIANT]=DIR, got `{text}`")
    return label.strip(), folder.strip()


def build_parser() -> argparse.ArgumentParser:
    from leaderboard.tables import TABLES

    parser = argparse.ArgumentParser(
        prog="python -m tipbench.reproduce", epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Every run a paper table needs: plan it, or build the splits, run and score what is ready, and "
                    "render the table.")
    parser.add_argument("--table", required=True, choices=TABLES.names(), help="leaderboard table key")
    parser.add_argument("--plan", action="store_true", help="only list the runs, their state and why; do nothing")
    how = parser.add_argument_group("how")
    how.add_argument("--device", default="cpu", metavar="D", help="cpu or cuda (default: cpu)")
    how.add_argument("--checkpoint", metavar="M[@V]=DIR", type=_checkpoint, action="append", default=[],
                     help="checkpoint of a reference-family method (repeatable), e.g. tip@no-param=ckpt/no-param")
    how.add_argument("--limit", type=int, metavar="N", help="build missing splits with their first N items only "
                                                            "(a smoke test, never the benchmark)")
    how.add_argument("--workers", type=int, default=1, metavar="K",
                     help="processes for split builds and the CPU methods (default: 1)")
    how.add_argument("--shard", metavar="I/N", help="job-array task I of N: shard I of every ready run (build the "
                                                    "splits first); the last shard of each run scores it")
    where = parser.add_argument_group("where")
    where.add_argument("--splits-dir", metavar="D", help="splits root (default $TIPBENCH_HOME/splits)")
    where.add_argument("--runs-dir", metavar="D", help="runs root (default $TIPBENCH_HOME/runs)")
    where.add_argument("--out", metavar="DIR", help="rendered table (default $TIPBENCH_HOME/leaderboard/table-<key>)")
    add_output_options(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    def work() -> int:
        from tipbench.reproduce.plan import make_plan
        from tipbench.reproduce.report import format_plan

        config = ReproduceConfig(table=args.table, plan=args.plan, device=args.device, splits_dir=args.splits_dir,
                                 runs_dir=args.runs_dir, out=args.out, limit=args.limit,
                                 checkpoints=tuple(args.checkpoint), workers=args.workers, shard=args.shard,
                                 progress=progress_enabled(args))
        if config.plan:
            print(format_plan(make_plan(config)))
            return 0
        from tipbench.reproduce.execute import reproduce

        result = reproduce(config)
        if "table" not in result:  # another rank of a launched group
            return 1 if result["failed"] else 0
        print(result["table"])
        for path in result["written"].values():
            print(f"wrote {path}")
        for folder, error in result["failed"]:
            print(f"error: {folder}: {error}", file=sys.stderr)
        return 1 if result["failed"] else 0

    return run_command(args, work)


if __name__ == "__main__":
    raise SystemExit(main())
