"""Command line of `python -m tipbench.run` (contracts §6): parse, build a `RunConfig`, call `run_method`.

Example:
    python -m tipbench.run --method classical-prompted --split coco-param
    python -m tipbench.run --method tip --split coco-param --checkpoint runs/tip-ckpt --device cuda --batch-size 8
    python -m tipbench.run --list
    python -m tipbench.run --method classical-prompted --split coco-param --shard 0/4     # one of four array tasks
    accelerate launch --num_processes 8 -m tipbench.run --method tip --split coco-param --device cuda
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tipbench.cli import add_output_options, progress_enabled, run_command
from tipbench.contracts.prompt_policy import DEFAULT_POLICY, POLICY_NAMES
from tipbench.methods import DEFAULT_DTYPE, DTYPES
from tipbench.run.config import RunConfig
from tipbench.run.overlap import DEFAULT_IO_THREADS

EPILOG = """\
examples:
  python -m tipbench.run --list
  python -m tipbench.run --method classical-prompted --split coco-param
  python -m tipbench.run --method swinir --variant l --split coco-realesrgan --device cuda
  accelerate launch --num_processes 8 -m tipbench.run --method tip --split coco-param --device cuda
  python -m tipbench.run --method tip --split coco-param --device cuda --shard $SLURM_ARRAY_TASK_ID/8

writes <runs>/<split>/<method>/<prompts>[@<variant>]/ (out/, run.json, failures.jsonl, then the scores:
docs/contracts.md §2, §3) and prints the score table `tipbench.score` prints (null metrics with their reasons).
Several processes: under accelerate launch / torchrun the ranks share the items and
the run is finalised and scored once; with --shard I/N the last shard to finish finalises and scores
(or `--finalize` later); out/ is byte-identical to one process (docs/contracts.md §2.6, docs/methods.md).
Exit status: 0 ok, 1 data/config error or failed items, 2 bad usage, 130 interrupted.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tipbench.run", description="Restore a split with one method and write its run folder.",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG)
    what = parser.add_argument_group("what to run")
    what.add_argument("--list", action="store_true", help="list the methods, what each needs, and whether it is ready")
    what.add_argument("--method", metavar="M", help="method key (see --list)")
    what.add_argument("--split", metavar="S", help="split name (a folder under --splits-dir)")
    what.add_argument("--prompts", default=DEFAULT_POLICY, choices=POLICY_NAMES,
                      help=f"prompt policy, what each item is fed (contracts §2.2; default: {DEFAULT_POLICY})")
    what.add_argument("--variant", metavar="V", help="checkpoint or setting variant of the method")
    what.add_argument("--checkpoint", metavar="PATH", help="checkpoint directory (reference-model family)")
    what.add_argument("--option", metavar="KEY=VALUE", action="append", default=[],
                      help="method-specific option (repeatable), e.g. strength=0.4 for diffbir-sdedit")
    how = parser.add_argument_group("how")
    how.add_argument("--limit", type=int, metavar="N", help="restore only the first N items")
    how.add_argument("--device", default="cpu", metavar="D", help="cpu or cuda[:i] (default: cpu)")
    how.add_argument("--batch-size", type=int, metavar="B", help="items per restorer call (default: method's)")
    how.add_argument("--workers", type=int, default=1, metavar="K",
                     help="processes for the CPU methods (outputs do not depend on it; default: 1)")
    how.add_argument("--repo", metavar="DIR", help="clone of a subprocess baseline (else its env var)")
    how.add_argument("--python", metavar="EXE", help="interpreter of that clone's environment (else its env var)")
    how.add_argument("--timeout", type=float, metavar="S", help="per-call limit for subprocess baselines, seconds")
    how.add_argument("--no-score", action="store_true", help="do not score the run when it finishes")
    how.add_argument("--dtype", default=DEFAULT_DTYPE, choices=DTYPES,
                     help=f"precision of the in-process torch methods (default: {DEFAULT_DTYPE}, the comparable one; "
                          "others are recorded in run.json and marked not comparable)")
    how.add_argument("--io-threads", type=int, default=DEFAULT_IO_THREADS, metavar="T",
                     help=f"threads decoding inputs and writing outputs beside the restorer (default: "
                          f"{DEFAULT_IO_THREADS}; 0 = in line)")
    scale = parser.add_argument_group("several processes (docs/contracts.md §2.6)")
    scale.add_argument("--shard", metavar="I/N", type=_shard,
                       help="restore shard I of N only (Slurm array task, any job runner); the last shard to "
                            "finish finalises run.json and scores")
    scale.add_argument("--finalize", action="store_true",
                       help="restore nothing: merge the finished shards into run.json and score")
    where = parser.add_argument_group("where")
    where.add_argument("--splits-dir", metavar="D", help="splits root (default $TIPBENCH_HOME/splits)")
    where.add_argument("--runs-dir", metavar="D", help="runs root (default $TIPBENCH_HOME/runs)")
    add_output_options(parser)
    return parser


def _shard(text: str) -> str:
    from tipbench.errors import ConfigError
    from tipbench.parallel import parse_shard

    try:
        return parse_shard(text).label
    except ConfigError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("--shard ")) from exc


def list_methods() -> str:
    """The `--list` table: method, prompts it uses, what it needs, and whether it is ready here."""
    from tipbench.methods import METHODS, readiness

    lines = [f"{'method':<20} {'prompts':<8} {'needs':<22} status"]
    for key in METHODS.names():
        spec = METHODS.get(key)
        uses = ("S" if spec.uses_semantic_prompt else "-") + ("R" if spec.uses_restoration_prompt else "-")
        problems = readiness(key)
        status = "ready" if not problems else "not ready: " + "; ".join(problem.short for problem in problems)
        if problems and spec.accepts_checkpoint:
            status += " (or pass --checkpoint DIR)"
        lines.append(f"{key:<20} {uses:<8} {spec.needs:<22} {status}")
    lines.append("")
    lines.append("prompts: S = semantic c_s, R = restoration c_r; running a method prints its full reason")
    lines.append("variants: " + "; ".join(f"{key}: {', '.join(METHODS.get(key).variants)}"
                                         for key in METHODS.names() if METHODS.get(key).variants))
    return "\n".join(lines)


def _parse_options(parser: argparse.ArgumentParser, pairs: list[str]) -> tuple[tuple[str, str], ...]:
    options = []
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            parser.error(f"--option expects KEY=VALUE, got `{pair}`")
        options.append((key.strip(), value.strip()))
    return tuple(options)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.list and (not args.method or not args.split):
        parser.error("--method and --split are required (or --list)")
    if args.finalize and args.shard:
        parser.error("--finalize merges every shard; give it without --shard")
    options = _parse_options(parser, args.option)

    def work() -> int:
        from tipbench.run.runner import run_method

        if args.list:
            print(list_methods())
            return 0
        config = RunConfig(method=args.method, split=args.split, prompts=args.prompts, variant=args.variant,
                           checkpoint=args.checkpoint, limit=args.limit, device=args.device,
                           batch_size=args.batch_size, workers=args.workers, splits_dir=args.splits_dir,
                           runs_dir=args.runs_dir, repo=args.repo, python=args.python, timeout_s=args.timeout,
                           options=options, score=not args.no_score, progress=progress_enabled(args),
                           shard=args.shard, finalize=args.finalize, dtype=args.dtype, io_threads=args.io_threads)
        record = run_method(config)
        if record.get("status") == "part-done":
            print(f"wrote shard {record['part']} of {record['run_dir']} ({record['part_processed']} restored, "
                  f"{record['part_failed']} failed); the last shard finalises and scores the run")
            return 1 if record["part_failed"] else 0
        if not record.get("is_main", True):  # another rank of a launched group: the main one reports
            return 1 if record["n_failed"] else 0
        if record.get("summary"):
            from tipbench.contracts.scores import SUMMARY_JSON
            from tipbench.score.report import summary_lines

            print("\n".join(summary_lines(record["summary"], Path(record["run_dir"]) / SUMMARY_JSON)))
        print(f"wrote {record['run_dir']} ({record['n_done']} done, {record['n_failed']} failed)")
        if record["n_failed"]:
            print(f"error: {record['n_failed']} item(s) failed; see {record['run_dir']}/failures.jsonl",
                  file=sys.stderr)
            return 1
        return 0

    return run_command(args, work, interrupted="interrupted; run again to resume")


if __name__ == "__main__":
    raise SystemExit(main())
