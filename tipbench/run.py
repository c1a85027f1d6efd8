"""`python -m tipbench.run`: restore a split with one method and write the run folder (contracts §2), then score it.

Each item gets the prompts its policy says (contracts §2 table) and its own seed (protocol §2), so outputs do not
depend on batch order, interruption or resume. Finished outputs are skipped on resume; every write is atomic; a
failing item is recorded in failures.jsonl and counted, never dropped.

Example:
    python -m tipbench.run --method classical-prompted --split coco-param
    python -m tipbench.run --method tip --split coco-param --checkpoint runs/tip-ckpt --device cuda --batch-size 8
    python -m tipbench.run --list
"""

from __future__ import annotations

import argparse
import logging
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tipbench.config import reject_unknown_keys
from tipbench.errors import ConfigError, TipbenchError, report_cli_error
from tipbench.run_folder import PROMPT_POLICIES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunConfig:
    """One run (contracts §6 `python -m tipbench.run`). `batch_size` None = the method's default."""

    method: str
    split: str
    prompts: str = "both"
    variant: str | None = None
    checkpoint: str | None = None
    limit: int | None = None
    device: str = "cpu"
    batch_size: int | None = None
    splits_dir: str | None = None
    runs_dir: str | None = None
    repo: str | None = None
    python: str | None = None
    timeout_s: float | None = None
    options: tuple[tuple[str, str], ...] = ()
    workers: int = 1
    score: bool = True
    progress: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(tuple(pair) for pair in self.options))
        if self.prompts not in PROMPT_POLICIES:
            raise ConfigError(f"unknown prompt policy `{self.prompts}`; choose one of: {', '.join(PROMPT_POLICIES)}")
        if not isinstance(self.workers, int) or self.workers < 1:
            raise ConfigError(f"`workers` must be a positive integer, got {self.workers!r}")
        for name in ("limit", "batch_size"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ConfigError(f"`{name}` must be a positive integer, got {value!r}")
        if not (self.device == "cpu" or self.device.startswith("cuda")):
            raise ConfigError(f"`device` must be cpu or cuda[:i], got `{self.device}`")
        if self.timeout_s is not None and self.timeout_s <= 0:
            raise ConfigError(f"`timeout_s` must be positive, got {self.timeout_s}")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["options"] = [list(pair) for pair in self.options]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RunConfig:
        reject_unknown_keys(cls, data, "RunConfig")
        data = dict(data)
        data["options"] = tuple(tuple(pair) for pair in data.get("options", ()))
        return cls(**data)


def _specs() -> dict:
    from tipbench.methods import SPECS

    return SPECS


def _restorer_options(config: RunConfig, spec) -> Any:
    from tipbench.methods import RestorerOptions

    return RestorerOptions(variant=config.variant, checkpoint=config.checkpoint, device=config.device,
                           batch_size=config.batch_size or spec.default_batch_size, repo=config.repo,
                           python=config.python, timeout_s=config.timeout_s, extra=config.options)


def run_method(config: RunConfig) -> dict[str, Any]:
    """Restore the split, write `out/`, `run.json`, `failures.jsonl`, then score (unless `score=False`).

    Returns:
        The run.json content (with `run_dir`, and `summary` when scored).

    Raises:
        ConfigError / ManifestError: bad options, missing split, a run folder made with other settings.
        MissingWeightsError / RestorerError: the method cannot run here (raised before any output is written).
    """
    from tipbench import paths
    from tipbench.io import write_json
    from tipbench.methods import describe_restorer, load_restorer, method_spec
    from tipbench.run_folder import check_resumable, load_items, run_dir_for
    from tipbench.run_loop import restore_items

    # 1. validate: method, split, items — before any model work.
    spec = method_spec(config.method)
    split_dir = paths.splits_dir(config.splits_dir) / config.split
    items, manifest_sha = load_items(split_dir, config.prompts, config.limit)
    run_dir = run_dir_for(paths.runs_dir(config.runs_dir), config.split, config.method, config.prompts,
                          config.variant)
    options = _restorer_options(config, spec)
    if config.workers > 1 and not spec.cpu_parallel:
        raise ConfigError(f"method `{config.method}` runs in one process (its model is loaded once); --workers "
                          "applies to the CPU methods: " + ", ".join(k for k, s in _specs().items() if s.cpu_parallel))
    # 2. the restorer: every missing file or clone stops the run here, before anything is written.
    restorer = load_restorer(config.method, options=options)
    described = describe_restorer(restorer)
    identity = {"method": config.method, "variant": config.variant, "split": config.split,
                "split_manifest_sha256": manifest_sha, "prompts": config.prompts,
                "checkpoints": described["checkpoints"], "weights": described["weights"]}
    check_resumable(run_dir, identity)
    # 3. restore what is not done yet.
    (run_dir / "out").mkdir(parents=True, exist_ok=True)
    record = _record(config, identity, split_dir, described, restorer, items, status="running")
    write_json(run_dir / "run.json", record)
    started = time.perf_counter()
    try:
        processed, failures = restore_items(restorer, items, run_dir, batch_size=options.batch_size,
                                            progress=config.progress, workers=config.workers,
                                            method=config.method, options=options)
    except KeyboardInterrupt:
        _finish(run_dir, record, restorer, items, time.perf_counter() - started, 0, status="interrupted")
        raise
    seconds = time.perf_counter() - started
    status = "complete" if failures == 0 else "incomplete"
    record = _finish(run_dir, record, restorer, items, seconds, processed, status=status)
    # 4. score.
    record["run_dir"] = str(run_dir)
    if config.score:
        record["summary"] = _score(run_dir, record, config)
    return record


def _record(config: RunConfig, identity: dict, split_dir: Path, described: dict, restorer: Any,
            items: list, status: str) -> dict[str, Any]:
    from tipbench.run_folder import ignored_prompts, versions

    ignored = sorted(set(ignored_prompts(items, restorer.uses_semantic_prompt, restorer.uses_restoration_prompt))
                     | set(described.get("ignored_prompts") or []))
    return {
        **identity, "split_dir": str(split_dir.resolve()), "ignored_prompts": ignored,
        "settings": described["settings"], "command": described["command"], "device": config.device,
        "n_items": len(items), "n_done": 0, "n_failed": 0, "seconds": None, "images_per_second": None,
        "versions": versions(), "status": status, "config": config.to_dict(),
    }


def _finish(run_dir: Path, record: dict, restorer: Any, items: list, seconds: float, processed: int,
            status: str) -> dict[str, Any]:
    from tipbench.io import write_json
    from tipbench.methods import describe_restorer
    from tipbench.run_folder import read_failures

    described = describe_restorer(restorer)  # subprocess baselines add their command lines as they run
    failed = {entry["id"] for entry in read_failures(run_dir)}
    done = sum(1 for item in items if (run_dir / "out" / f"{item.id}.png").is_file())
    record = {**record, "settings": described["settings"], "command": described["command"], "n_done": done,
              "n_failed": len(failed), "seconds": round(seconds, 3),
              "images_per_second": round(processed / seconds, 4) if processed and seconds > 0 else None,
              "status": status}
    write_json(run_dir / "run.json", record)
    return record


def _score(run_dir: Path, record: dict, config: RunConfig) -> dict[str, Any] | None:
    """Score with the harness (a `--limit` run on its first N items); a run with failures is not scored."""
    if record["n_failed"]:
        logger.warning("not scoring %s: %d item(s) failed (see failures.jsonl)", run_dir, record["n_failed"])
        return None
    try:
        from tipbench.score import score_run
        from tipbench.score_config import ScoreConfig
    except ImportError as exc:  # the harness is optional for running a method
        logger.warning("not scoring %s: the metrics harness is unavailable (%s)", run_dir, exc)
        return None
    return score_run(ScoreConfig(run_dir=str(run_dir), splits_dir=config.splits_dir, device=config.device,
                                 progress=config.progress))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tipbench.run", description="Restore a split with one method and write its run folder.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  python -m tipbench.run --list\n"
               "  python -m tipbench.run --method classical-prompted --split coco-param\n"
               "  python -m tipbench.run --method swinir --variant l --split coco-realesrgan --device cuda")
    what = parser.add_argument_group("what to run")
    what.add_argument("--list", action="store_true", help="list the methods, what each needs, and whether it is ready")
    what.add_argument("--method", metavar="M", help="method key (see --list)")
    what.add_argument("--split", metavar="S", help="split name (a folder under --splits-dir)")
    what.add_argument("--prompts", default="both", choices=PROMPT_POLICIES, help="prompt policy (contracts §2; default: both)")
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
    where = parser.add_argument_group("where")
    where.add_argument("--splits-dir", metavar="D", help="splits root (default $TIPBENCH_HOME/splits)")
    where.add_argument("--runs-dir", metavar="D", help="runs root (default $TIPBENCH_HOME/runs)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    parser.add_argument("-q", "--quiet", action="store_true", help="warnings and errors only")
    return parser


def list_methods() -> str:
    """The `--list` table: method, prompts it uses, what it needs, and whether it is ready here."""
    from tipbench.methods import SPECS, why_not_ready

    lines = [f"{'method':<20} {'prompts':<8} {'needs':<22} status"]
    for key in sorted(SPECS):
        spec = SPECS[key]
        uses = ("S" if spec.uses_semantic_prompt else "-") + ("R" if spec.uses_restoration_prompt else "-")
        try:
            reason = why_not_ready(key)
        except TipbenchError as exc:
            reason = str(exc)
        status = "ready" if reason is None else "not ready: " + _short_reason(reason)
        if reason is not None and spec.accepts_checkpoint:
            status += " (or pass --checkpoint DIR)"
        lines.append(f"{key:<20} {uses:<8} {spec.needs:<22} {status}")
    lines.append("")
    lines.append("prompts: S = semantic c_s, R = restoration c_r; running a method prints its full reason")
    lines.append("variants: " + "; ".join(f"{key}: {', '.join(SPECS[key].variants)}"
                                         for key in sorted(SPECS) if SPECS[key].variants))
    return "\n".join(lines)


def _short_reason(reason: str) -> str:
    """The first sentence of a reason plus the names of the missing files, on one line."""
    lines = [line.strip() for line in reason.splitlines() if line.strip()]
    first = lines[0].split(": set $")[0].split("; pass --checkpoint")[0]
    files = [line.split("`")[1] for line in lines[1:] if line.startswith("- ") and "`" in line]
    if lines[0].endswith("missing or corrupt:"):
        return "missing " + ", ".join(files)
    return first + (f"; missing {', '.join(files)}" if files else "")


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
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if args.list:
        print(list_methods())
        return 0
    if not args.method or not args.split:
        parser.error("--method and --split are required (or --list)")
    try:
        config = RunConfig(method=args.method, split=args.split, prompts=args.prompts, variant=args.variant,
                           checkpoint=args.checkpoint, limit=args.limit, device=args.device,
                           batch_size=args.batch_size, workers=args.workers, splits_dir=args.splits_dir,
                           runs_dir=args.runs_dir,
                           repo=args.repo, python=args.python, timeout_s=args.timeout,
                           options=_parse_options(parser, args.option), score=not args.no_score)
        record = run_method(config)
    except (TipbenchError, OSError) as exc:  # user-fixable: one line, exit 1
        return report_cli_error(exc)
    except KeyboardInterrupt:
        print("interrupted; run again to resume", file=sys.stderr)
        return 130
    print(f"wrote {record['run_dir']} ({record['n_done']} done, {record['n_failed']} failed)")
    if record["n_failed"]:
        print(f"error: {record['n_failed']} item(s) failed; see {record['run_dir']}/failures.jsonl", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
