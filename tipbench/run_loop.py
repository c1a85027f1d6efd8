"""The restoring loop of `tipbench.run`: batches, per-item failures, atomic writes, optional worker processes.

Every output depends only on its item (its LQ, prompts and seed), so the loop may skip finished items, split the
work across processes or change batch sizes without changing a byte (for restorers whose batched form equals the
one-by-one form, as the contract requires).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from typing import Any

from tipbench.errors import TipbenchError

logger = logging.getLogger(__name__)


class _FailureList:
    """Collects failures in a worker process; the parent writes them to failures.jsonl."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str]] = []

    def add(self, item_id: str, error: str) -> None:
        self.entries.append((item_id, error))


def restore_items(restorer: Any, items: list, run_dir: Path, *, batch_size: int, progress: bool, workers: int = 1,
                  method: str | None = None, options: Any = None) -> tuple[int, int]:
    """Restore every item without an output; returns (items restored now, items failed now)."""
    from tqdm import tqdm

    from tipbench.run_folder import FailureLog

    out_dir = run_dir / "out"
    # Batches are cut from the full item list, never from the unfinished ones, so a resumed run calls the restorer
    # with exactly the batches of an uninterrupted one (subprocess baselines take one seed per call); a batch with
    # any output missing is redone whole.
    every_batch = [items[start : start + batch_size] for start in range(0, len(items), batch_size)]
    batches = [batch for batch in every_batch if any(not (out_dir / f"{i.id}.png").is_file() for i in batch)]
    todo = [item for batch in batches for item in batch]
    if len(todo) < len(items):
        logger.info("resuming: %d of %d outputs already in %s", len(items) - len(todo), len(items), out_dir)
    failures = FailureLog(run_dir)
    bar = tqdm(total=len(todo), unit="img", desc=restorer.name, disable=not progress or not sys.stderr.isatty())
    processed = 0
    try:
        if workers > 1 and len(batches) > 1:
            processed = _restore_in_workers(method, options, batches, out_dir, failures, workers, bar)
        else:
            for batch in batches:
                processed += restore_batch(restorer, batch, out_dir, failures)
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


def _worker_batch(batch: list, out_dir: Path) -> tuple[int, list[tuple[str, str]]]:
    collected = _FailureList()
    written = restore_batch(_WORKER_RESTORER, batch, out_dir, collected)
    return written, collected.entries


def _restore_in_workers(method: str | None, options: Any, batches: list, out_dir: Path, failures, workers: int,
                        bar) -> int:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    if method is None or options is None:
        raise TipbenchError("worker processes need the method key and its options")
    context = multiprocessing.get_context("spawn")  # no forked copies of threads or torch state
    processed = 0
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                             initargs=(method, options)) as pool:
        futures = {pool.submit(_worker_batch, batch, out_dir): batch for batch in batches}
        for future in as_completed(futures):
            written, entries = future.result()
            for item_id, error in entries:
                failures.add(item_id, error)
            processed += written
            bar.update(len(futures[future]))
    return processed


def _prepare(item) -> dict[str, Any]:
    from tipbench.io import decode_png
    from tipbench.run_folder import image_size

    return {"lq": decode_png(item.lq_path), "semantic_prompt": item.semantic_prompt,
            "restoration_prompt": item.restoration_prompt, "out_size": image_size(item.gt_path), "seed": item.seed}


def restore_batch(restorer: Any, batch: list, out_dir: Path, failures) -> int:
    """Restore and write one batch; on a batch error, retry item by item so one bad item fails alone.

    `restore_batch` of a restorer may put an exception in place of an item's image (that item failed alone).
    Returns the number of outputs written.
    """
    from tipbench.io import write_png
    from tipbench.restorer import check_restore_output

    prepared: list[tuple[Any, dict]] = []
    for item in batch:
        try:
            prepared.append((item, _prepare(item)))
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
        return sum(restore_batch(restorer, [item], out_dir, failures) for item, _ in prepared)
    written = 0
    for (item, request), output in results:
        if isinstance(output, BaseException):
            failures.add(item.id, error_text(output))
            continue
        try:
            check_restore_output(output, request["out_size"], restorer.name)
            write_png(out_dir / f"{item.id}.png", output)
            written += 1
        except TipbenchError as exc:
            failures.add(item.id, str(exc))
    return written


def error_text(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, TipbenchError) else f"{type(exc).__name__}: {exc}"
