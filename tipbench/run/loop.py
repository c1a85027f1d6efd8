"""The restoring loop of `tipbench.run`: batches, per-item failures, atomic writes, overlapped I/O, worker processes,
and this process's share of a run written by several (`tipbench.parallel`).

Every output depends only on its item (its LQ, prompts and seed), so the loop may skip finished items, split the
work across processes or change batch sizes without changing a byte (for restorers whose batched form equals the
one-by-one form, as the contract requires). Batches are always cut from the full item list, so a process, a rank
or a shard calls the restorer with exactly the batches of a one-process run.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipbench.contracts.prompt_policy import feed_prompts
from tipbench.contracts.run_folder import FAILURES, FailureLog, output_path
from tipbench.contracts.split_folder import SplitRow
from tipbench.errors import ManifestError, TipbenchError
from tipbench.parallel import SINGLE, Part
from tipbench.run.overlap import DEFAULT_IO_THREADS, OverlappedIO, error_text, prepare_batch, write_output
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


def cut_batches(items: list[SplitRow], batch_size: int) -> list[list[SplitRow]]:
    """The batches of a one-process run: consecutive, cut from the full item list."""
    return [items[start : start + batch_size] for start in range(0, len(items), batch_size)]


def unfinished(batches: list[list[SplitRow]], run_dir: Path) -> list[list[SplitRow]]:
    """Batches with any output missing (a batch is redone whole, so a resumed run makes the same calls)."""
    return [batch for batch in batches if any(not output_path(run_dir, item.id).is_file() for item in batch)]


def my_batches(items: list[SplitRow], run_dir: Path, batch_size: int, part: Part = SINGLE) -> list[list[SplitRow]]:
    """This part's unfinished batches.

    A launched group shares the unfinished batches (every rank lists them, then meets at a barrier before anyone
    writes), so a resumed run spreads what is left evenly; independent shards cannot agree on that list, so each
    owns a fixed share of all batches.
    """
    every_batch = cut_batches(items, batch_size)
    if part.count == 1:
        return unfinished(every_batch, run_dir)
    if part.communicates:
        pending = unfinished(every_batch, run_dir)
        part.barrier()
        return part.mine(pending)
    return unfinished(part.mine(every_batch), run_dir)


def restore_items(restorer: Any, items: list[SplitRow], run_dir: Path, feed: ItemFeed, *, batch_size: int,
                  progress: bool, workers: int = 1, method: str | None = None, options: Any = None,
                  part: Part = SINGLE, failures_name: str = FAILURES,
                  io_threads: int = DEFAULT_IO_THREADS) -> tuple[int, int]:
    """Restore this part's items without an output; returns (items restored now, items failed now)."""
    from tipbench.cli import progress_bar

    batches = my_batches(items, run_dir, batch_size, part)
    todo = sum(len(batch) for batch in batches)
    if part.count == 1 and todo < len(items):
        logger.info("resuming: %d of %d outputs already in %s", len(items) - todo, len(items), run_dir)
    elif part.count > 1:
        logger.info("part %s: %d item(s) to restore in %s", part.label, todo, run_dir)
    failures = FailureLog(run_dir, failures_name)
    bar = progress_bar(total=todo, unit="img", desc=restorer.name, enabled=progress)
    fault, done = _fault_after(part), 0
    processed = 0
    try:
        if workers > 1 and len(batches) > 1:
            processed = _restore_in_workers(method, options, batches, run_dir, feed, failures, workers, bar)
        elif io_threads > 0:
            with OverlappedIO(batches, feed, run_dir, failures, threads=io_threads) as io:
                for batch in batches:
                    restore_batch(restorer, batch, run_dir, feed, failures, io=io)
                    bar.update(len(batch))
                    done += len(batch)
                    _maybe_fault(fault, done)
            processed = io.written
        else:
            for batch in batches:
                processed += restore_batch(restorer, batch, run_dir, feed, failures)
                bar.update(len(batch))
                done += len(batch)
                _maybe_fault(fault, done)
    finally:
        bar.close()
    return processed, failures.count


def _fault_after(part: Part) -> int | None:
    """Test-only switch (`TIPBENCH_FAULT_AFTER=k`, optionally `TIPBENCH_FAULT_RANK=r`): this process is killed
    after k items, as a rank that dies mid-run."""
    from tipbench import paths

    after, rank = paths.fault_after(), paths.fault_rank()
    return after if after is not None and (rank is None or rank == part.index) else None


def _maybe_fault(fault: int | None, done: int) -> None:
    if fault is not None and done >= fault:
        import signal

        logger.error("TIPBENCH_FAULT_AFTER=%d: killing this process", fault)
        os.kill(os.getpid(), signal.SIGKILL)


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


def restore_batch(restorer: Any, batch: list[SplitRow], run_dir: Path, feed: ItemFeed, failures,
                  io: OverlappedIO | None = None) -> int:
    """Restore and write one batch; on a batch error, retry item by item so one bad item fails alone.

    `restore_batch` of a restorer may put an exception in place of an item's image (that item failed alone). With
    `io`, the requests were decoded ahead and the outputs are written behind (`io.written` counts them); without,
    everything happens here. Returns the number of outputs written (queued, with `io`).
    """
    ready = []
    for item, request in (io.prepared(batch) if io is not None else prepare_batch(batch, feed)):
        if isinstance(request, BaseException):  # unreadable LQ/GT: that item fails alone
            failures.add(item.id, error_text(request))
        else:
            ready.append((item, request))
    written = 0
    for item, request, output in call_restorer(restorer, ready, failures):
        if isinstance(output, BaseException):
            failures.add(item.id, error_text(output))
        elif io is not None:
            io.write(item.id, output, request["out_size"], restorer.name)
            written += 1
        else:
            try:
                write_output(run_dir, item.id, output, request["out_size"], restorer.name)
                written += 1
            except TipbenchError as exc:
                failures.add(item.id, str(exc))
    return written


def call_restorer(restorer: Any, ready: list[tuple[SplitRow, dict]], failures) -> list[tuple[SplitRow, dict, Any]]:
    """(row, request, output or exception) of every item that got one; items of a call that raised are recorded
    as failed (after a retry one by one, unless the restorer says its failures are systematic)."""
    if not ready:
        return []
    requests = [request for _, request in ready]
    try:
        if len(requests) > 1 and hasattr(restorer, "restore_batch"):
            outputs = restorer.restore_batch(requests)
        else:
            outputs = [restorer.restore(**request) for request in requests]
        return [(item, request, output) for (item, request), output in zip(ready, outputs, strict=True)]
    except (KeyboardInterrupt, MemoryError):
        raise
    except Exception as exc:
        if len(ready) == 1 or not getattr(restorer, "retry_items_alone", True):
            for item, _ in ready:
                failures.add(item.id, error_text(exc))
            return []
        logger.warning("batch of %d failed (%s); retrying item by item", len(ready), error_text(exc))
        return [result for entry in ready for result in call_restorer(restorer, [entry], failures)]
