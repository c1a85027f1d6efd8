"""Input decoding and output writing beside the restorer, on a small thread pool, so a GPU never waits for the disk.

While the restorer works on batch k, the pool decodes the LQ images of batches k+1 … k+`ahead` and encodes and
writes the PNGs of batch k-1. PNG decoding and zlib encoding run in C with the GIL released (Pillow), so threads
overlap them with the restorer's own work; the loop then takes about max(restorer, I/O) instead of their sum
(`bench/run_loop.py` measures it). Only the order of the work changes: every request and every output byte is
what the in-line loop makes, and every failure is recorded in the calling thread, in item order.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

from tipbench.contracts.run_folder import output_path
from tipbench.errors import TipbenchError

logger = logging.getLogger(__name__)

#: Default threads for decoding and writing (0: everything in line, in the calling thread).
DEFAULT_IO_THREADS = 2
Prepared = list[tuple[Any, Any]]  # (row, request dict or the exception that made it unreadable)


def error_text(exc: BaseException) -> str:
    return str(exc) if isinstance(exc, TipbenchError) else f"{type(exc).__name__}: {exc}"


def prepare_batch(batch: list, feed: Callable[[Any], dict]) -> Prepared:
    """Each row's restorer request, or the exception reading it raised (that item then fails alone)."""
    prepared: Prepared = []
    for item in batch:
        try:
            prepared.append((item, feed(item)))
        except (TipbenchError, OSError, ValueError) as exc:  # unreadable LQ/GT
            prepared.append((item, exc))
    return prepared


def write_output(run_dir: Path, item_id: str, output: Any, out_size: tuple[int, int], name: str) -> None:
    """Check a restorer's output (exact size, uint8 RGB) and write it atomically as `out/<id>.png`."""
    from tipbench.contracts.restorer import check_restore_output
    from tipbench.io import write_png

    check_restore_output(output, out_size, name)
    write_png(output_path(run_dir, item_id), output)


class OverlappedIO:
    """Decode ahead, write behind (see the module docstring). Use as a context manager around the batch loop.

    Args:
        batches: the batches the loop will ask for, in order (decoding starts on the first `ahead` at once).
        feed: row → restorer request (`tipbench.run.loop.ItemFeed`).
        run_dir: where outputs go. failures: the attempt's failure log (written only from the calling thread).
        threads: pool size (at least 1). ahead: batches decoded in advance.
    """

    def __init__(self, batches: Iterable[list], feed: Callable[[Any], dict], run_dir: Path, failures: Any, *,
                 threads: int = DEFAULT_IO_THREADS, ahead: int = 2) -> None:
        self.feed, self.run_dir, self.failures = feed, Path(run_dir), failures
        self.pool = ThreadPoolExecutor(max(1, threads), thread_name_prefix="tipbench-io")
        self._upcoming = iter(batches)
        self._decoding: deque[tuple[list, Future]] = deque()
        self._writes: deque[tuple[str, Future]] = deque()
        self._max_writes = 64
        self.written = 0
        for _ in range(max(1, ahead)):
            self._decode_next()

    def __enter__(self) -> OverlappedIO:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        for _, future in self._decoding:  # inputs not needed any more
            future.cancel()
        if kind is None:
            self.close()
        else:  # interrupted: outputs already restored are still written (restoring them cost the most)
            for _, future in self._writes:
                future.exception()
            self.pool.shutdown(wait=True, cancel_futures=True)

    def _decode_next(self) -> None:
        batch = next(self._upcoming, None)
        if batch is not None:
            self._decoding.append((batch, self.pool.submit(prepare_batch, batch, self.feed)))

    def prepared(self, batch: list) -> Prepared:
        """The requests of `batch`: decoded ahead when it is the next one, else now (a batch asked out of order)."""
        if not self._decoding or self._decoding[0][0] is not batch:
            return prepare_batch(batch, self.feed)
        _, future = self._decoding.popleft()
        self._decode_next()
        return future.result()

    def write(self, item_id: str, output: Any, out_size: tuple[int, int], name: str) -> None:
        """Queue one output; waits for the oldest writes when too many are queued (bounded memory)."""
        self._writes.append((item_id, self.pool.submit(write_output, self.run_dir, item_id, output, out_size, name)))
        self._harvest(block=len(self._writes) > self._max_writes)

    def _harvest(self, block: bool = False) -> None:
        """Record finished writes, oldest first (blocking on the oldest when `block`); a disk error propagates."""
        while self._writes and (block or self._writes[0][1].done()):
            item_id, future = self._writes.popleft()
            block = False
            try:
                future.result()
            except TipbenchError as exc:  # a wrong output fails its item; OSError (disk full) stops the run
                self.failures.add(item_id, error_text(exc))
            else:
                self.written += 1

    def close(self) -> None:
        """Wait for every queued write and record its outcome."""
        while self._writes:
            self._harvest(block=True)
        self.pool.shutdown(wait=True, cancel_futures=True)
