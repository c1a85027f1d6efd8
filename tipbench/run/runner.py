"""`run_method`: restore a split with one method and write the run folder (contracts §2), then score it.

Each item gets the prompts its policy says (contracts §2.2) and its own seed (protocol §2), so outputs do not
depend on batch order, interruption or resume. Finished outputs are skipped on resume; every write is atomic; a
failing item is recorded in failures.jsonl and counted, never dropped.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

from tipbench.contracts.integrity import verify_on_use
from tipbench.contracts.run_folder import (
    RunKey,
    check_resumable,
    out_dir,
    output_path,
    read_failures,
    write_run_json,
)
from tipbench.contracts.split_folder import SplitRow, read_split_folder
from tipbench.errors import ConfigError
from tipbench.run.config import RunConfig

logger = logging.getLogger(__name__)

#: Libraries whose versions can change a run's outputs (recorded in run.json).
_VERSIONED = ("tipbench", "numpy", "scipy", "pillow", "opencv-python-headless", "opencv-python", "scikit-image",
              "torch", "torchvision", "diffusers", "transformers", "spandrel")


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
    from tipbench.methods import (
        check_variant,
        cpu_parallel_methods,
        describe_restorer,
        load_restorer,
        method_spec,
    )
    from tipbench.run.loop import ItemFeed, restore_items

    # 1. validate: method, split, items — before any model work.
    spec = method_spec(config.method)
    check_variant(spec, config.variant)
    key = RunKey(config.split, config.method, config.prompts, config.variant)
    split = read_split_folder(paths.splits_dir(config.splits_dir) / config.split)
    items = list(split.rows[:config.limit] if config.limit is not None else split.rows)
    verify_on_use(split, items, ("lq", "gt"), progress=config.progress)  # a split changed since its build stops here
    run_dir = key.path(paths.runs_dir(config.runs_dir))
    options = _restorer_options(config, spec)
    if config.workers > 1 and not spec.cpu_parallel:
        raise ConfigError(f"method `{config.method}` runs in one process (its model is loaded once); --workers "
                          "applies to the CPU methods: " + ", ".join(cpu_parallel_methods()))
    # 2. the restorer: every missing file or clone stops the run here, before anything is written.
    restorer = load_restorer(config.method, options=options)
    described = describe_restorer(restorer)
    identity = {"method": config.method, "variant": config.variant, "split": config.split,
                "split_manifest_sha256": split.manifest_sha256, "prompts": config.prompts,
                "checkpoints": described["checkpoints"], "weights": described["weights"]}
    check_resumable(run_dir, identity)
    # 3. restore what is not done yet.
    out_dir(run_dir).mkdir(parents=True, exist_ok=True)  # refused when a received `out` links elsewhere
    feed = ItemFeed(split.path, config.prompts)
    record = _record(config, identity, split.path, described, restorer, items, status="running")
    write_run_json(run_dir, record)
    started = time.perf_counter()
    try:
        processed, failures = restore_items(restorer, items, run_dir, feed, batch_size=options.batch_size,
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
            items: list[SplitRow], status: str) -> dict[str, Any]:
    ignored = sorted(set(ignored_prompts(items, config.prompts, restorer.uses_semantic_prompt,
                                         restorer.uses_restoration_prompt))
                     | set(described.get("ignored_prompts") or []))
    return {
        **identity, "split_dir": str(split_dir.resolve()), "ignored_prompts": ignored,
        "settings": described["settings"], "command": described["command"], "device": config.device,
        "n_items": len(items), "n_done": 0, "n_failed": 0, "seconds": None, "images_per_second": None,
        "versions": versions(), "status": status, "config": config.to_dict(),
    }


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


def _score(run_dir: Path, record: dict, config: RunConfig) -> dict[str, Any] | None:
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
                                 progress=config.progress))
