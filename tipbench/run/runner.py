"""`run_method`: restore a split with one method and write the run folder (contracts §2), then score it.

Each item gets the prompts its policy says (contracts §2.2) and its own seed (protocol §2), so outputs do not
depend on batch order, interruption, resume or how many processes share the work. Finished outputs are skipped on
resume; every write is atomic; a failing item is recorded in failures.jsonl and counted, never dropped.

Several processes may write one run (contracts §2.6): the ranks of `accelerate launch` / `torchrun` (found from
the environment) or independent `--shard I/N` tasks; `tipbench.run.parts` merges their records into run.json.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from tipbench.contracts.integrity import verify_on_use
from tipbench.contracts.run_folder import (
    FAILURES,
    RunKey,
    check_resumable,
    out_dir,
    output_path,
    read_failures,
    write_run_json,
)
from tipbench.contracts.run_parts import DONE, INTERRUPTED, RUNNING, clear_parts, part_failures_name
from tipbench.contracts.split_folder import SplitRow, read_split_folder
from tipbench.errors import ConfigError
from tipbench.parallel import Part
from tipbench.run.config import RunConfig

logger = logging.getLogger(__name__)

#: Libraries whose versions can change a run's outputs (recorded in run.json).
_VERSIONED = ("tipbench", "numpy", "scipy", "pillow", "opencv-python-headless", "opencv-python", "scikit-image",
              "torch", "torchvision", "diffusers", "transformers", "spandrel")


def _restorer_options(config: RunConfig, spec, part: Part) -> Any:
    from tipbench.methods import RestorerOptions

    return RestorerOptions(variant=config.variant, checkpoint=config.checkpoint, device=part.device(config.device),
                           batch_size=config.batch_size or spec.default_batch_size, repo=config.repo,
                           python=config.python, timeout_s=config.timeout_s, extra=config.options,
                           dtype=config.dtype)


def _part(config: RunConfig) -> Part:
    """This process's part: a `--shard`, a rank of a launched group, or the whole run."""
    from tipbench.parallel import launched_group, launched_processes, parse_shard

    if config.shard is not None:
        if launched_processes() > 1:
            raise ConfigError("--shard splits a run across independent tasks; under accelerate launch / torchrun "
                              "the ranks already share it — give one or the other")
        return parse_shard(config.shard)
    return launched_group(config.device)


def run_method(config: RunConfig) -> dict[str, Any]:
    """Restore the split, write `out/`, `run.json`, `failures.jsonl`, then score (unless `score=False`).

    Returns:
        The run.json content (with `run_dir`, and `summary` when scored).

    Raises:
        ConfigError / ManifestError: bad options, missing split, a run folder made with other settings.
        MissingWeightsError / RestorerError: the method cannot run here (raised before any output is written).
    """
    from tipbench import paths
    from tipbench.methods import (
        check_dtype,
        check_variant,
        cpu_parallel_methods,
        describe_restorer,
        load_restorer,
        method_spec,
    )
    from tipbench.run.loop import ItemFeed, restore_items
    from tipbench.run.parts import finish_parts, record_part

    # 1. validate: method, split, items — before any model work.
    spec = method_spec(config.method)
    check_variant(spec, config.variant)
    check_dtype(spec, config.dtype)
    key = RunKey(config.split, config.method, config.prompts, config.variant)
    split = read_split_folder(paths.splits_dir(config.splits_dir) / config.split)
    items = list(split.rows[:config.limit] if config.limit is not None else split.rows)
    verify_on_use(split, items, ("lq", "gt"), progress=config.progress)  # a split changed since its build stops here
    run_dir = key.path(paths.runs_dir(config.runs_dir))
    if config.workers > 1 and not spec.cpu_parallel:
        raise ConfigError(f"method `{config.method}` runs in one process (its model is loaded once); --workers "
                          "applies to the CPU methods: " + ", ".join(cpu_parallel_methods()))
    if config.finalize:
        return _finalize_only(run_dir, items, config)
    part = _part(config)
    options = _restorer_options(config, spec, part)
    # 2. the restorer: every missing file or clone stops the run here, before anything is written.
    restorer = load_restorer(config.method, options=options)
    described = describe_restorer(restorer)
    identity = {"method": config.method, "variant": config.variant, "split": config.split,
                "split_manifest_sha256": split.manifest_sha256, "prompts": config.prompts,
                "checkpoints": described["checkpoints"], "weights": described["weights"]}
    if len(spec.dtypes) > 1:
        identity["dtype"] = config.dtype
    check_resumable(run_dir, identity)
    part.barrier()  # a launched group: no rank writes before every rank has checked the folder
    # 3. restore what is not done yet (this process's share of it).
    out_dir(run_dir).mkdir(parents=True, exist_ok=True)  # refused when a received `out` links elsewhere
    feed = ItemFeed(split.path, config.prompts)
    record = _record(config, identity, split.path, described, restorer, items, status="running", part=part)
    if part.is_main or not part.communicates:
        write_run_json(run_dir, record)
    if part.count > 1:
        record_part(run_dir, part, RUNNING)
    started = time.perf_counter()
    try:
        processed, failures = restore_items(
            restorer, items, run_dir, feed, batch_size=options.batch_size, progress=config.progress,
            workers=config.workers, method=config.method, options=options, part=part, io_threads=config.io_threads,
            failures_name=part_failures_name(part.index, part.count) if part.count > 1 else FAILURES)
    except KeyboardInterrupt:
        seconds = time.perf_counter() - started
        if part.count > 1:
            record_part(run_dir, part, INTERRUPTED, seconds=seconds, described=describe_restorer(restorer))
        else:
            _finish(run_dir, record, restorer, items, seconds, 0, status="interrupted")
        raise
    seconds = time.perf_counter() - started
    if part.count == 1:
        record = _finish(run_dir, record, restorer, items, seconds, processed,
                         status="complete" if failures == 0 else "incomplete")
        clear_parts(run_dir)
    else:
        record_part(run_dir, part, DONE, processed=processed, failed=failures, seconds=seconds,
                    described=describe_restorer(restorer))
        final = finish_parts(run_dir, record, items, part)
        if final is None:  # a shard that is not the last: its share is written, the run is not final yet
            return {**record, "run_dir": str(run_dir), "status": "part-done", "part": part.label,
                    "part_processed": processed, "part_failed": failures, "is_main": False}
        record = final
    # 4. score (every rank of a launched group takes part; one process writes the scores).
    record["run_dir"] = str(run_dir)
    record["is_main"] = part.is_main
    if config.score:
        record["summary"] = _score(run_dir, record, config, part)
    return record


def _finalize_only(run_dir: Path, items: list[SplitRow], config: RunConfig) -> dict[str, Any]:
    """`--finalize`: merge finished shards into run.json and score, restoring nothing."""
    from tipbench.parallel import SINGLE
    from tipbench.run.parts import finalize_now

    record = finalize_now(run_dir, items)
    record["run_dir"] = str(run_dir)
    record["is_main"] = True
    if config.score:
        record["summary"] = _score(run_dir, record, config, SINGLE)
    return record


def ignored_prompts(items: list[SplitRow], prompts: str, uses_semantic: bool, uses_restoration: bool) -> list[str]:
    """Prompt kinds fed non-empty (under policy `prompts`) to at least one item of a restorer that does not use them."""
    from tipbench.contracts.prompt_policy import feed_prompts

    fed = [feed_prompts(prompts, item) for item in items]
    ignored = []
    if not uses_semantic and any(semantic for semantic, _ in fed):
        ignored.append("semantic")
    if not uses_restoration and any(restoration for _, restoration in fed):
        ignored.append("restoration")
    return ignored


def versions() -> dict[str, str]:
    """Installed versions of the libraries that can change outputs."""
    from tipbench.versions import installed_versions

    return installed_versions(_VERSIONED, skip_missing=True)


def _record(config: RunConfig, identity: dict, split_dir: Path, described: dict, restorer: Any,
            items: list[SplitRow], status: str, part: Part) -> dict[str, Any]:
    ignored = sorted(set(ignored_prompts(items, config.prompts, restorer.uses_semantic_prompt,
                                         restorer.uses_restoration_prompt))
                     | set(described.get("ignored_prompts") or []))
    return {
        **identity, "split_dir": str(split_dir.resolve()), "ignored_prompts": ignored,
        "settings": described["settings"], "command": described["command"], "device": config.device,
        "n_items": len(items), "n_done": 0, "n_failed": 0, "seconds": None, "images_per_second": None,
        "versions": versions(), "status": status, "config": config.to_dict(), "processes": part.count,
        "dtype": identity.get("dtype"), "deviations": _deviations(config, identity),
        "torch_threads": _torch_threads(),
    }


def _torch_threads() -> int | None:
    """torch's intra-op threads in this process (CPU torch's sums, so its output bits, depend on it), when the
    restorer uses torch."""
    import sys

    torch = sys.modules.get("torch")
    return int(torch.get_num_threads()) if torch is not None else None


def _deviations(config: RunConfig, identity: dict) -> list[str]:
    """Settings that make the run's numbers not comparable to the paper (summary.json then says so)."""
    dtype = identity.get("dtype")
    if dtype is not None and dtype != "fp32":
        return [f"dtype {dtype}: fp32 is the comparable precision (docs/contracts.md §2.3)"]
    return []


def _finish(run_dir: Path, record: dict, restorer: Any, items: list[SplitRow], seconds: float, processed: int,
            status: str) -> dict[str, Any]:
    from tipbench.methods import describe_restorer

    described = describe_restorer(restorer)  # subprocess baselines add their command lines as they run
    failed = {entry["id"] for entry in read_failures(run_dir)}
    done = sum(1 for item in items if output_path(run_dir, item.id).is_file())
    record = {**record, "settings": described["settings"], "command": described["command"], "n_done": done,
              "n_failed": len(failed), "seconds": round(seconds, 3),
              "images_per_second": round(processed / seconds, 4) if processed and seconds > 0 else None,
              "status": status}
    write_run_json(run_dir, record)
    return record


def _score(run_dir: Path, record: dict, config: RunConfig, part: Part) -> dict[str, Any] | None:
    """Score with the harness (a `--limit` run on its first N items); a run with failures is not scored."""
    if record["n_failed"]:
        logger.warning("not scoring %s: %d item(s) failed (see failures.jsonl)", run_dir, record["n_failed"])
        return None
    try:
        from tipbench.score import ScoreConfig, score_run
    except ImportError as exc:  # the harness is optional for running a method
        logger.warning("not scoring %s: the metrics harness is unavailable (%s)", run_dir, exc)
        return None
    return score_run(ScoreConfig(run_dir=str(run_dir), splits_dir=config.splits_dir, device=config.device,
                                 progress=config.progress), group=part if part.communicates else None)
