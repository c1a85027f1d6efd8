"""The restoring loop of `tipbench.run`: batches, per-item failures, atomic writes, optional worker processes.

Every output depends only on its item (its LQ, prompts and seed), so the loop may skip finished items, split the
work across processes or change batch sizes without changing a byte (for restorers whose batched form equals the
one-by-one form, as the contract requires).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipbench.contracts.prompt_policy import feed_prompts
from tipbench.contracts.run_folder import FailureLog, output_path
from tipbench.contracts.split_folder import SplitRow
from tipbench.errors import ManifestError, TipbenchError
from tipbench.seeding import restorer_seed

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ItemFeed:
    """Turns a split row into the keyword arguments of `Restorer.restore`: the LQ pixels, the prompts its policy
    feeds (contracts §2.2), the GT's size and the item's restorer seed (protocol §2). Small and picklable, so worker
    processes build requests exactly as the parent does."""

    split_dir: Path
    prompts: str

    def __call__(self, row: SplitRow) -> dict[str, Any]:
        from tipbench.contracts.safe_paths import inside, resolved_root
        from tipbench.io import decode_png

        root = resolved_root(self.split_dir)
        try:
            lq_path, gt_path = inside(root, row.lq_path), inside(root, row.gt_path)
        except ValueError as exc:
            raise ManifestError(f"row `{row.id}` of `{self.split_dir}`: {exc}") from exc
        semantic, restoration = feed_prompts(self.prompts, row)
        return {"lq": decode_png(lq_path), "semantic_prompt": semantic, "restoration_prompt": restoration,
                "out_size": image_size(gt_path), "seed": restorer_seed(row.seed, row.index)}


def image_size(path: Path) -> tuple[int, int]:
    """(H, W) of an image file from its header (bomb-guarded: `ImageFileError`)."""
    from tipbench.image_files import image_header

    width, height = image_header(path)[1]
    return height, width


class _FailureList:
    """Collects failures in a worker process; the parent writes them to failures.jsonl."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str]] = []

    def add(self, item_id: str, error: str) -> None:
        self.entries.append((item_id, error))


def restore_items(restorer: Any, items: list[SplitRow], run_dir: Path, feed: ItemFeed, *, batch_size: int,
                  progress: bool, workers: int = 1, method: str | None = None,
                  options: Any = None) -> tuple[int, int]:
    """Restore every item without an output; returns (items restored now, items failed now)."""
    from tipbench.cli import progress_bar

    # Batches are cut from the full item list, never from the unfinished ones, so a resumed run calls the restorer
    # with exactly the batches of an uninterrupted one (subprocess baselines take one seed per call); a batch with
    # any output missing is redone whole.
    every_batch = [items[start : start + batch_size] for start in range(0, len(items), batch_size)]
    batches = [batch for batch in every_batch if any(not output_path(run_dir, i.id).is_file() for i in batch)]
    todo = [item for batch in batches for item in batch]
    if len(todo) < len(items):
        logger.info("resuming: %d of %d outputs already in %s", len(items) - len(todo), len(items), run_dir)
    failures = FailureLog(run_dir)
    bar = progress_bar(total=len(todo), unit="img", desc=restorer.name, enabled=progress)
    processed = 0
    try:
        if workers > 1 and len(batches) > 1:
            processed = _restore_in_workers(method, options, batches, run_dir, feed, failures, workers, bar)
        else:
            for batch in batches:
                processed += restore_batch(restorer, batch, run_dir, feed, failures)
                bar.update(len(batch))
    finally:
        bar.close()
    return processed, failures.count


# One restorer per worker process, built once by the pool initializer (process-local, never shared).
_WORKER_RESTORER: Any = None


def _init_worker(method: str, options: Any) -> None:
    global _WORKER_RESTORER
    from tipbench.methods import load_restorer

    logging.getLogger("baselines").setLevel(logging.ERROR)  # the parent already logged ignored prompts
    _WORKER_RESTORER = load_restorer(method, options=options)


def _worker_batch(batch: list[SplitRow], run_dir: Path, feed: ItemFeed) -> tuple[int, list[tuple[str, str]]]:
    collected = _FailureList()
    written = restore_batch(_WORKER_RESTORER, batch, run_dir, feed, collected)
    return written, collected.entries


def _restore_in_workers(method: str | None, options: Any, batches: list, run_dir: Path, feed: ItemFeed, failures,
                        workers: int, bar) -> int:
    from concurrent.futures import as_completed

    from tipbench.pools import process_pool

    if method is None or options is None:
        raise TipbenchError("worker processes need the method key and its options")
    processed = 0
    with process_pool(workers, _init_worker, (method, options)) as pool:
        futures = {pool.submit(_worker_batch, batch, run_dir, feed): batch for batch in batches}
        for future in as_completed(futures):
            written, entries = future.result()
            for item_id, error in entries:
                failures.add(item_id, error)
            processed += written
            bar.update(len(futures[future]))
    return processed


def restore_batch(restorer: Any, batch: list[SplitRow], run_dir: Path, feed: ItemFeed, failures) -> int:
    """Restore and write one batch; on a batch error, retry item by item so one bad item fails alone.

    `restore_batch` of a restorer may put an exception in place of an item's image (that item failed alone).
    Returns the number of outputs written.
    """
    from tipbench.contracts.restorer import check_restore_output
    from tipbench.io import write_png

    prepared: list[tuple[SplitRow, dict]] = []
    for item in batch:
        try:
            prepared.append((item, feed(item)))
        except (TipbenchError, OSError, ValueError) as exc:  # unreadable LQ/GT: that item fails alone
            failures.add(item.id, error_text(exc))
    if not prepared:
        return 0
    requests = [request for _, request in prepared]
    try:
        if len(requests) > 1 and hasattr(restorer, "restore_batch"):
            outputs = restorer.restore_batch(requests)
        else:
            outputs = [restorer.restore(**request) for request in requests]
        results = list(zip(prepared, outputs, strict=True))
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception as exc:
        if len(prepared) == 1 or not getattr(restorer, "retry_items_alone", True):
            for item, _ in prepared:
                failures.add(item.id, error_text(exc))
            return 0
        logger.warning("batch of %d failed (%s); retrying item by item", len(prepared), error_text(exc))
        return sum(restore_batch(restorer, [item], run_dir, feed, failures) for item, _ in prepared)
    written = 0
    for (item, request), output in results:
        if isinstance(output, BaseException):
            failures.add(item.id, error_text(output))
            continue
        try:
            check_restore_output(output, request["out_size"], restorer.name)
            write_png(output_path(run_dir, item.id), output)
            written += 1
        except TipbenchError as exc:
            failures.add(item.id, str(exc))
    return written


def error_text(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, TipbenchError) else f"{type(exc).__name__}: {exc}"
