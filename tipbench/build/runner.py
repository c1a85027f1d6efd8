"""`build_split`: resolve the source, build items in the seeded order (in parallel, resumably), then assemble the
split folder of contracts §1 from the per-item records."""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipbench import paths
from tipbench.build.config import BuildConfig
from tipbench.build.item import WORK_DIR, ItemContext, process_item, verified_record
from tipbench.cli import top_reasons
from tipbench.contracts import PROTOCOL
from tipbench.contracts.split_folder import (
    IMAGE_KINDS,
    MANIFEST,
    SKIPPED,
    SPLIT_JSON,
    SplitRow,
    write_manifest,
    write_skipped,
    write_split_info,
)
from tipbench.errors import ConfigError, SourceError
from tipbench.io import write_json
from tipbench.sources import ResolvedSource, resolve_source
from tipbench.splits import SPLITS, SplitSpec

logger = logging.getLogger(__name__)

#: Exit status of the fault-injection abort (`TIPBENCH_FAULT_AFTER`), distinct from 1 (error) and 2 (usage).
FAULT_EXIT_CODE = 75
OUTPUT_NAMES = (*IMAGE_KINDS, WORK_DIR, MANIFEST, SPLIT_JSON, SKIPPED)
FINGERPRINT = "build.json"


@dataclass(frozen=True)
class _Plan:
    spec: SplitSpec
    source: ResolvedSource
    n: int
    split_dir: Path
    context: ItemContext


def build_split(config: BuildConfig) -> Path:
    """Build one split folder (contracts §1) and return its path.

    Raises:
        ConfigError: unknown split, unusable output folder, or a previous build in the way.
        SourceError: missing or malformed source, or fewer usable images than the split needs.
    """
    if config.repo_id or (config.source_root and _is_published(config.source_root)):
        from tipbench.build.from_published import build_from_published

        return build_from_published(config)  # a published dataset is copied and checked, not rebuilt
    plan = _plan(config)  # 1. resolve split, source and output folder
    _prepare_output(plan, config)  # 2. check the output folder and the resume fingerprint
    records = _run_items(plan, config)  # 3. build (or verify) items in the seeded order
    return _finalize(plan, config, records)  # 4. manifest, skipped.jsonl, split.json


def _is_published(source_root: str) -> bool:
    from tipbench.build.from_published import is_published

    return is_published(Path(source_root).expanduser())


def _plan(config: BuildConfig) -> _Plan:
    try:
        spec = SPLITS.get(config.split)
    except KeyError:
        raise ConfigError(f"unknown split `{config.split}`; available: {', '.join(SPLITS.names())}") from None
    source = resolve_source(spec, config.source_root, config.seed, stablesr_zip_sha256=config.stablesr_zip_sha256)
    n = config.limit if config.limit is not None else spec.n
    available = len(source.candidates)
    if source.kind == "sample":
        n = min(n, available)
    elif available < n:
        raise SourceError(f"source `{source.root}` has {available} candidate items; split `{spec.name}` needs {n} "
                          f"(use --limit {available} or fewer)")
    pipeline, param_set = spec.pipeline, spec.param_set
    if pipeline == "published" and source.kind not in ("stablesr", "stablesr-zip"):
        pipeline, param_set = "realesrgan", "stablesr"  # the sample has no published LQ (see notes)
    split_dir = paths.splits_dir(config.out) / spec.name
    context = ItemContext(str(split_dir), config.seed, source.reader, pipeline, param_set,
                          blind_prompt=spec.prompt_policy == "blind")
    return _Plan(spec, source, n, split_dir, context)


def _fingerprint(plan: _Plan) -> dict[str, Any]:
    return {"protocol": PROTOCOL, "split": plan.spec.to_dict(), "seed": plan.context.seed,
            "source": plan.source.kind, "source_root": str(plan.source.root), "pipeline": plan.context.pipeline,
            "param_set": plan.context.param_set}


def _prepare_output(plan: _Plan, config: BuildConfig) -> None:
    split_dir = plan.split_dir
    previous = [name for name in OUTPUT_NAMES if (split_dir / name).exists()]
    if previous and config.overwrite:
        for name in previous:
            target = split_dir / name
            shutil.rmtree(target) if target.is_dir() else target.unlink()
    elif previous and not config.resume:
        raise ConfigError(f"`{split_dir}` already holds a build ({', '.join(previous)}); pass --resume to continue "
                          "or verify it, or --overwrite to rebuild it")
    fingerprint_path = split_dir / WORK_DIR / FINGERPRINT
    wanted = _fingerprint(plan)
    if config.resume and fingerprint_path.is_file():
        found = json.loads(fingerprint_path.read_text(encoding="utf-8"))
        if found != wanted:
            changed = sorted(key for key in wanted if found.get(key) != wanted[key])
            raise ConfigError(f"cannot resume `{split_dir}`: it was built with different {', '.join(changed)}; "
                              "use --overwrite to rebuild it")
    try:
        for folder in ("gt", "lq", WORK_DIR):
            (split_dir / folder).mkdir(parents=True, exist_ok=True)
        write_json(fingerprint_path, wanted)
    except OSError as exc:
        raise ConfigError(f"cannot write to output folder `{split_dir}`: {exc.strerror or exc}") from exc


class _InlineExecutor:
    """Runs tasks in this process (workers = 1): same code path as the pool, no pickling, no start-up cost."""

    def submit(self, fn, *args) -> Future:
        future: Future = Future()
        future.set_result(fn(*args))
        return future

    def __enter__(self) -> _InlineExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


def _executor(workers: int):
    if workers == 1:
        return _InlineExecutor()
    from tipbench.pools import process_pool

    return process_pool(workers)


def _progress_bar(plan: _Plan, config: BuildConfig):
    from tipbench.cli import progress_bar

    return progress_bar(total=plan.n, desc=plan.spec.name, unit="img", enabled=config.progress)


def _run_items(plan: _Plan, config: BuildConfig) -> list[dict[str, Any]]:
    """Records of the consumed prefix of the seeded order, in order; stops at N ok items.

    At most `window` items are in flight and never more than still needed, so no image past the N-th usable one
    is built (the output does not depend on the worker count).
    """
    fault_after = paths.fault_after()
    window = 4 * config.workers
    candidates = iter(plan.source.candidates)
    pending: deque[Future] = deque()
    records: list[dict[str, Any]] = []
    built = new_items = 0
    exhausted = False
    with _executor(config.workers) as executor, _progress_bar(plan, config) as bar:
        while True:
            while not exhausted and len(pending) < window and built + len(pending) < plan.n:
                candidate = next(candidates, None)
                if candidate is None:
                    exhausted = True
                    break
                done = verified_record(plan.split_dir, candidate) if config.resume else None
                if done is not None:
                    future: Future = Future()
                    future.set_result(dict(done, reused=True))
                    pending.append(future)
                else:
                    pending.append(executor.submit(process_item, plan.context, candidate))
            if not pending:
                break
            record = pending.popleft().result()
            records.append(record)
            if record["status"] == "ok":
                built += 1
                bar.update(1)
            else:
                logger.debug("skipped %s: %s", record["source_path"], record["reason"])
            if not record.pop("reused", False):
                new_items += 1
                if fault_after is not None and new_items >= fault_after:
                    _abort(executor, fault_after)
            if built == plan.n:
                break
    return records


def _abort(executor: Any, fault_after: int) -> None:
    """Fault injection: die at once like a crash (no cleanup, no manifest), taking the pool workers along."""
    logger.error("fault injection (%s=%d): aborting the build", paths.ENV_FAULT_AFTER, fault_after)
    for process in list((getattr(executor, "_processes", None) or {}).values()):
        process.kill()
    os._exit(FAULT_EXIT_CODE)


def _clean_stale(split_dir: Path, ids: set[str]) -> None:
    """Remove temporary files of interrupted writes and images of items outside the final set."""
    for folder in (*IMAGE_KINDS, WORK_DIR):
        directory = split_dir / folder
        if not directory.is_dir():
            continue
        for path in directory.iterdir():
            stale_tmp = path.name.startswith(".") and path.name.endswith(".tmp")
            stale_png = folder != WORK_DIR and path.suffix == ".png" and path.stem not in ids
            if stale_tmp or stale_png:
                path.unlink()


def _versions() -> dict[str, str | None]:
    from tipbench.versions import image_stack_versions, installed_versions

    found: dict[str, str | None] = dict(image_stack_versions())
    found.update({name: version or "missing" for name, version in installed_versions(("pyarrow",)).items()})
    return found


def _finalize(plan: _Plan, config: BuildConfig, records: list[dict[str, Any]]) -> Path:
    split_dir = plan.split_dir
    rows = [SplitRow.from_dict(record["row"]) for record in records if record["status"] == "ok"]
    skipped = [{"kind": "item", **{key: record[key] for key in ("index", "id", "source_path", "reason")}}
               for record in records if record["status"] == "skipped"]
    write_skipped(split_dir, [*plan.source.skipped, *skipped])  # what the source set aside first, then the order
    if len(rows) < plan.n and plan.source.kind != "sample":
        raise SourceError(f"only {len(rows)} usable items of {len(records)} candidates in `{plan.source.root}` "
                          f"({len(skipped)} skipped, see {split_dir / SKIPPED}); split `{plan.spec.name}` "
                          f"needs {plan.n} (use --limit)")
    if not rows:
        raise SourceError(f"no usable items in `{plan.source.root}` (see {split_dir / SKIPPED})")
    manifest_sha256 = write_manifest(split_dir, rows)
    _clean_stale(split_dir, {row.id for row in rows})
    info = {
        "split": plan.spec.name, "protocol": PROTOCOL, "seed": config.seed, "source": plan.source.kind,
        "source_root": plan.source.root_as_given, "n_requested": plan.n, "n_built": len(rows),
        "n_skipped": len(skipped), "n_source_skipped": len(plan.source.skipped), "n_candidates_read": len(records),
        "manifest_sha256": manifest_sha256,
        "pipeline": plan.context.pipeline, "param_set": plan.context.param_set, "split_spec": plan.spec.to_dict(),
        "build": {"split": config.split, "seed": config.seed, "limit": config.limit,
                  "source_root": config.source_root},
        "notes": list(plan.source.notes), "versions": _versions(), "source_fingerprint": plan.source.fingerprint,
    }
    write_split_info(split_dir, info)
    if plan.source.kind == "sample":
        logger.warning("built `%s` from the BUNDLED SAMPLE (%d items): not the benchmark", plan.spec.name, len(rows))
    else:
        _log_paper_data(split_dir)
    _report(split_dir, rows, skipped, plan.source.skipped)
    return split_dir


def _log_paper_data(split_dir: Path) -> None:
    """Say at build time when a split is not the paper's data (nothing scored on it will be comparable)."""
    from tipbench.contracts.split_folder import read_split_folder
    from tipbench.paper_data import paper_data

    verdict = paper_data(read_split_folder(split_dir))
    if not verdict.ok:
        logger.warning("`%s` is not the paper's test data (%s): nothing scored on it is comparable to the paper",
                       split_dir.name, verdict.reason)


def _report(split_dir: Path, rows: list[SplitRow], skipped: list[dict], set_aside: tuple[dict, ...]) -> None:
    """The counts a user must see without `-v`: built, skipped in the order, set aside by the source, top reasons."""
    line = f"built {len(rows)} items, skipped {len(skipped)}"
    if set_aside:
        line += f" (and {len(set_aside)} source entries set aside)"
    reasons = [entry["reason"] for entry in (*set_aside, *skipped)]
    if reasons:
        line += f"; top reasons: {top_reasons(reasons)}; see {split_dir / SKIPPED}"
    logger.info("%s", line)

