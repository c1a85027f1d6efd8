"""`python -m data_recipes.shards RECIPE --out DIR --num-shards K --workers W [--engine local|ray]`.

Builds the K shards of a recipe. Shard k holds the global indices of block k (`shard_ranges`) and every draw comes
from (seed, index), so shards are independent: the local process pool, Ray tasks (one per shard) and a cluster
array job (`--shard-index $SLURM_ARRAY_TASK_ID`) all give the same bytes. Finished shards are skipped on rerun
(their done marker), so an interrupted run resumes where it stopped. No scheduler of our own: parallelism is a
process pool, Ray, or the cluster's.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from tipbench.cli import add_output_options, progress_enabled, run_command
from tipbench.errors import ConfigError

logger = logging.getLogger(__name__)

Engine = Literal["local", "ray"]


@dataclass(frozen=True)
class ShardsConfig:
    """Options of one shard-writing run (the CLI's arguments, validated)."""

    recipe: str
    out: str
    num_shards: int = 1
    workers: int = 1
    engine: Engine = "local"
    shard_index: int | None = None
    num_samples: int | None = None
    source_root: str | None = None
    progress: bool = True

    def __post_init__(self) -> None:
        if self.num_shards < 1:
            raise ConfigError(f"`--num-shards` must be >= 1, got {self.num_shards}")
        if self.workers < 1:
            raise ConfigError(f"`--workers` must be >= 1, got {self.workers}")
        if self.engine not in ("local", "ray"):
            raise ConfigError(f"unknown engine `{self.engine}`; valid: local, ray")
        if self.shard_index is not None and not 0 <= self.shard_index < self.num_shards:
            raise ConfigError(f"`--shard-index` must be in [0, {self.num_shards - 1}], got {self.shard_index}")
        if self.num_samples is not None and self.num_samples < 1:
            raise ConfigError(f"`--num-samples` must be >= 1, got {self.num_samples}")


def plan_jobs(cfg: ShardsConfig) -> tuple[list[Any], tuple[dict[str, Any], ...]]:
    """The shard jobs of this run (all K, or the one `--shard-index`), after validating recipe and source, and the
    entries the source set aside while listing (for `<out>/skipped.jsonl`)."""
    from data_recipes.recipes import load_recipe
    from data_recipes.sources import open_source
    from data_recipes.writer import ShardJob

    recipe = load_recipe(cfg.recipe)
    source = open_source(recipe.source, cfg.source_root)  # fail here, not in K workers, when the source is bad
    num_samples = cfg.num_samples or recipe.num_samples or len(source)
    indices = range(cfg.num_shards) if cfg.shard_index is None else [cfg.shard_index]
    jobs = [ShardJob(recipe, str(Path(cfg.out)), k, cfg.num_shards, num_samples, cfg.source_root) for k in indices]
    return jobs, source.skipped


def _run_local(jobs: list[Any], workers: int, progress: bool) -> list[dict[str, Any]]:
    from concurrent.futures import as_completed

    from data_recipes.writer import build_shard
    from tipbench.cli import progress_bar
    from tipbench.pools import process_pool

    bar = progress_bar(total=len(jobs), unit="shard", enabled=progress)
    results: dict[int, dict[str, Any]] = {}
    if workers == 1 or len(jobs) == 1:
        for job in jobs:
            results[job.shard_index] = build_shard(replace(job, progress=progress))  # per-sample bar in-process
            bar.update()
    else:
        # spawn-started workers with one OpenCV thread each, torn down at once on Ctrl-C (tipbench.pools)
        with process_pool(min(workers, len(jobs))) as pool:
            futures = {pool.submit(build_shard, job): job.shard_index for job in jobs}
            for future in as_completed(futures):
                results[futures[future]] = future.result()
                bar.update()
    bar.close()
    return [results[k] for k in sorted(results)]


def _run_ray(jobs: list[Any], workers: int, progress: bool) -> list[dict[str, Any]]:
    try:
        import ray
    except ImportError as exc:
        raise ConfigError("`--engine ray` needs Ray: pip install 'tipbench[ray]' (ray[data])") from exc
    from data_recipes.writer import build_shard
    from tipbench.cli import progress_bar

    started = not ray.is_initialized()
    if started and os.environ.get("RAY_ADDRESS"):
        ray.init()  # join the cluster named by RAY_ADDRESS; it decides the CPUs
    elif started:
        ray.init(num_cpus=workers, include_dashboard=False, log_to_driver=False)
    try:
        task = ray.remote(num_cpus=1)(build_shard)
        pending = {task.remote(job): job.shard_index for job in jobs}
        results: dict[int, dict[str, Any]] = {}
        bar = progress_bar(total=len(jobs), unit="shard", enabled=progress)
        waiting = list(pending)
        while waiting:
            ready, waiting = ray.wait(waiting, num_returns=1)
            results[pending[ready[0]]] = ray.get(ready[0])
            bar.update()
        bar.close()
    finally:
        if started:
            ray.shutdown()
    return [results[k] for k in sorted(results)]


def write_shards(cfg: ShardsConfig) -> list[dict[str, Any]]:
    """Build the shards `cfg` asks for; returns their done markers (sorted by shard index)."""
    from data_recipes.writer import recipe_fingerprint
    from tipbench.contracts import PROTOCOL
    from tipbench.contracts.split_folder import write_skipped
    from tipbench.io import read_json, write_json

    jobs, set_aside = plan_jobs(cfg)
    first = jobs[0]
    fingerprint = recipe_fingerprint(first.recipe, first.num_shards, first.num_samples, first.source_root)
    info_path = Path(cfg.out) / "recipe.json"
    if info_path.is_file() and read_json(info_path).get("recipe_fingerprint") != fingerprint:
        raise ConfigError(
            f"`{cfg.out}` holds shards of another recipe / shard count / sample count / source root; "
            "use a new --out folder"
        )
    write_json(info_path, {
        "recipe": first.recipe.to_dict(),
        "num_shards": first.num_shards,
        "num_samples": first.num_samples,
        "recipe_fingerprint": fingerprint,
        "protocol": PROTOCOL,
        "versions": _versions(),
    })
    write_skipped(cfg.out, set_aside)  # the source's own problems (same file from every array job)
    runner = _run_ray if cfg.engine == "ray" else _run_local
    done = runner(jobs, cfg.workers, cfg.progress)
    _report(cfg.out, done, set_aside)
    return done


def _report(out: str, done: list[dict[str, Any]], set_aside: tuple[dict[str, Any], ...]) -> None:
    """One line with the counts (and a warning when a shard ran out of replacements)."""
    from tipbench.cli import top_reasons

    written = sum(item["num_written"] for item in done)
    skipped = [entry for item in done for entry in item["skipped"]]
    line = f"{len(done)} shard(s): {written} samples written, {len(skipped)} skipped and replaced"
    if set_aside:
        line += f", {len(set_aside)} source entries set aside ({out}/skipped.jsonl)"
    reasons = [entry["reason"] for entry in (*set_aside, *skipped)]
    if reasons:
        line += f"; top reasons: {top_reasons(reasons)}; per shard in shard-*.skipped.jsonl"
    logger.info("%s", line)
    short = sum(item.get("num_short", 0) for item in done)
    if short:
        logger.warning("%d sample(s) missing: a shard used up its replacements (see the shard markers' num_short)",
                       short)


def _versions() -> dict[str, str]:
    from tipbench.versions import image_stack_versions

    # PNG bytes depend on Pillow and its zlib; degradations on numpy and OpenCV: all recorded beside the shards
    return image_stack_versions()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m data_recipes.shards",
        description="Write the training shards of a recipe (WebDataset-style tars, deterministic and resumable).",
        epilog="examples:\n  python -m data_recipes.shards sample-train --out shards/ --num-shards 3 --workers 2\n"
        "  python -m data_recipes.shards tip-train --source-root /data/coco --out shards/ --num-shards 1000 "
        "--shard-index $SLURM_ARRAY_TASK_ID",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("recipe", metavar="RECIPE", help="registered recipe name or path to a recipe YAML")
    parser.add_argument("--list", action="store_true", help="list the registered recipes and exit")
    group = parser.add_argument_group("output")
    group.add_argument("--out", metavar="DIR", help="output folder (required unless --list)")
    group.add_argument("--num-shards", type=int, default=1, metavar="K", help="number of shards (default 1)")
    group.add_argument("--shard-index", type=int, metavar="I", help="build only shard I (cluster array jobs)")
    group.add_argument("--num-samples", type=int, metavar="N", help="override the recipe's sample count")
    run = parser.add_argument_group("execution")
    run.add_argument("--workers", type=int, default=1, metavar="W", help="parallel shard builders (default 1)")
    run.add_argument("--engine", choices=("local", "ray"), default="local", help="process pool or Ray tasks")
    run.add_argument("--source-root", metavar="DIR", help="root of the recipe's image source")
    add_output_options(parser)
    return parser


def _list_recipes() -> int:
    from data_recipes.recipes import RECIPES, load_recipe

    for name in RECIPES.names():
        print(f"{name}\t{load_recipe(name).description}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--list" in argv:  # the recipe argument is not needed to list them
        return run_command(argparse.Namespace(verbose=0, quiet=0), _list_recipes)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.out:
        parser.error("--out DIR is required")

    def work() -> int:
        cfg = ShardsConfig(
            recipe=args.recipe, out=args.out, num_shards=args.num_shards, workers=args.workers, engine=args.engine,
            shard_index=args.shard_index, num_samples=args.num_samples, source_root=args.source_root,
            progress=progress_enabled(args),
        )
        done = write_shards(cfg)
        print(f"wrote {len(done)} shard(s) to {args.out}")
        return 0

    return run_command(args, work, interrupted="interrupted; run the same command again to resume")


if __name__ == "__main__":
    raise SystemExit(main())
