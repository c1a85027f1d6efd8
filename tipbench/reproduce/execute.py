"""Carry a plan out: build the splits ready runs need, run and score them, score adherence, walk, render the table.

Finished work is never redone: a step that is `done` is skipped, a run that exists resumes (only missing outputs
are restored), a built split is kept. One failing step is logged and the others still run; the command then exits
1. Under `accelerate launch` / `torchrun` the ranks share each run and its scoring (`tipbench.run`); the steps
that are not split across processes (building, adherence, walks, rendering) run on the main rank while the others
wait. With `--shard I/N` (a job-array task) every ready run does only its shard I; the last shard of a run
finalises and scores it (`tipbench.run`), and every task renders the table when it ends, so the last one to end
leaves the complete table. Adherence scoring and walks need the whole run: they happen in a later call.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from tipbench import paths
from tipbench.errors import TipbenchError
from tipbench.parallel import Part, launched_group
from tipbench.reproduce.config import ReproduceConfig
from tipbench.reproduce.plan import Plan, Step, make_plan

logger = logging.getLogger(__name__)


def _build_splits(plan: Plan, config: ReproduceConfig, group: Part) -> list[str]:
    """Build every split a ready step reads and that is not built yet; returns the splits that failed."""
    from tipbench.build import BuildConfig, build_split

    wanted = [name for name, state in plan.splits.items() if state.state == "to build"
              and any(step.status == "ready" and step.key.split == name for step in plan.steps)]
    failed: list[str] = []
    if config.shard is not None:  # array tasks start together: building is one job's work, done before them
        for name in wanted:
            logger.error("split %s is not built; build it once before the array tasks: python -m tipbench.build "
                         "--split %s (docs/methods.md)", name, name)
        return wanted
    if group.is_main:
        for name in wanted:
            logger.info("building split %s %s", name, plan.splits[name].note)
            try:
                build_split(BuildConfig(split=name, out=str(plan.splits_dir), limit=config.limit,
                                        workers=config.workers, resume=True, progress=config.progress))
            except TipbenchError as exc:
                logger.error("split %s: %s", name, exc)
                failed.append(name)
    group.barrier()
    if not group.is_main:  # the main rank's outcome, as files: a split without split.json did not build
        failed = [name for name in wanted if not (plan.splits_dir / name / "split.json").is_file()]
    return failed


def _run(step: Step, config: ReproduceConfig) -> None:
    from tipbench.run import RunConfig, run_method

    record = run_method(RunConfig(
        method=step.key.method, split=step.key.split, prompts=step.key.prompts, variant=step.key.variant,
        checkpoint=config.checkpoint_for(step.label), device=config.device, splits_dir=config.splits_dir,
        runs_dir=config.runs_dir, workers=config.workers if _cpu_parallel(step.key.method) else 1,
        progress=config.progress, shard=config.shard))
    if record.get("status") == "part-done":
        if record["part_failed"]:
            raise TipbenchError(f"{record['part_failed']} item(s) of shard {record['part']} failed; see "
                                f"{record['run_dir']}/.parts/")
        return
    if record.get("n_failed"):
        raise TipbenchError(f"{record['n_failed']} item(s) failed; see {record['run_dir']}/failures.jsonl")


def _cpu_parallel(method: str) -> bool:
    from tipbench.methods import METHODS

    return METHODS.get(method).cpu_parallel


def _adherence(step: Step, config: ReproduceConfig) -> None:
    from tipbench.adherence.config import AdherenceConfig
    from tipbench.adherence.scoring import score_adherence

    run_dir = step.key.path(paths.runs_dir(config.runs_dir))
    score_adherence(AdherenceConfig(run_dir=str(run_dir), splits_dir=config.splits_dir, device=config.device,
                                    progress=config.progress))


def _walk(step: Step, config: ReproduceConfig) -> None:
    from tipbench.adherence.config import WalkConfig
    from tipbench.adherence.walk import run_walk

    run_walk(WalkConfig(method=step.key.method, split=step.key.split, variant=step.key.variant,
                        checkpoint=config.checkpoint_for(step.label), device=config.device,
                        splits_dir=config.splits_dir, runs_dir=config.runs_dir, progress=config.progress))


def _render(plan: Plan, config: ReproduceConfig) -> tuple[str, dict[str, Path]]:
    from leaderboard.config import LeaderboardConfig
    from leaderboard.make import build_leaderboard

    out = Path(config.out) if config.out else paths.home_dir() / "leaderboard" / f"table-{config.table}"
    written = build_leaderboard(LeaderboardConfig(runs_dir=str(plan.runs_dir), out=str(out), tables=(config.table,),
                                                  formats=("md", "tex", "csv", "html")))
    return written["md"].read_text(encoding="utf-8"), written


def reproduce(config: ReproduceConfig) -> dict[str, Any]:
    """Build, run, score and render table `config.table` (see the module docstring).

    Returns:
        {"plan": the plan before, "failed": [(step folder, error)], "table": markdown, "written": format → file}
        ("table" and "written" only on the main process).
    """
    group = launched_group(config.device)
    plan = make_plan(config)
    failed: list[tuple[str, str]] = [(f"split {name}", "build failed") for name in _build_splits(plan, config, group)]
    broken = {name for name, _ in failed}
    for kind, action in (("run", _run), ("adherence", _adherence), ("walk", _walk)):
        if kind != "run" and config.shard is not None:
            continue
        for step in plan.steps:
            if step.kind != kind or step.status != "ready" or f"split {step.key.split}" in broken:
                continue
            if kind == "adherence" and step.folder in {folder for folder, _ in failed}:
                continue  # its run failed
            error = None
            if kind == "run" or group.is_main:  # runs are shared by the ranks; the rest runs on the main one
                logger.info("%s %s", kind, step.folder)
                try:
                    action(step, config)
                except TipbenchError as exc:
                    error = str(exc)
                    logger.error("%s %s: %s", kind, step.folder, exc)
            if kind != "run":
                group.barrier()
            if error:
                failed.append((step.folder, error))
    result: dict[str, Any] = {"plan": plan, "failed": failed}
    if group.is_main:
        result["table"], result["written"] = _render(plan, config)
    group.barrier()
    return result
