"""The one way a long command runs work in worker processes (`process_pool`), so Ctrl-C and crashes behave alike
everywhere (build, run, shards, adherence):

* spawn start: workers begin clean (no forked copies of threads, tqdm or torch state);
* workers ignore SIGINT: Ctrl-C in a terminal reaches the whole process group, and a worker that raised
  KeyboardInterrupt would print its own traceback; the parent alone answers it (`tipbench.cli.run_command`);
* on any exception in the parent (Ctrl-C included) the pool is torn down at once: queued tasks cancelled, workers
  sent SIGTERM and joined, instead of `ProcessPoolExecutor`'s default of finishing every queued task first. A
  worker turns SIGTERM into `SystemExit` in its running task (so atomic writes remove their temporary files) and
  refuses the tasks already queued to it, then exits normally; one that does not stop within 5 s is killed;
* workers hold no named semaphore of their own (tqdm's inter-process lock is replaced by a thread lock: a worker
  draws no shared bar), so a worker killed with SIGKILL leaves nothing for Python's resource tracker to warn about;
* a worker whose parent died (SIGKILL) exits on its own instead of waiting on its task queue forever;
* a worker logs like its parent (same levels, same `LEVEL logger: message` lines), not through Python's bare
  last-resort handler;
* after a SIGKILL of the parent, Python's resource tracker (the helper process of the spawn start method) still
  unlinks the pool's named semaphores, but its "There appear to be N leaked semaphore objects" note is muted (a
  `-W` filter it inherits): nothing leaks, and the note only alarmed users. Only the fork start method avoids named
  semaphores, and fork is what this package deliberately does not use. The filter applies when the pool is the
  first user of the tracker in the process (torch's DataLoader may start it earlier; then the note can appear).
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any


def _watch_parent(parent: int) -> None:
    while True:
        time.sleep(0.5)
        if os.getppid() != parent:
            os._exit(1)


_TERMINATING = False
#: Inherited by the resource tracker (and spawned workers) through the interpreter flags they are started with.
_QUIET_TRACKER = "ignore:resource_tracker:UserWarning:multiprocessing.resource_tracker"


def _exit_on_sigterm(signum: int, frame: Any) -> None:
    global _TERMINATING
    _TERMINATING = True
    raise SystemExit(128 + signum)


def _run_task(fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
    """Every task goes through here: once SIGTERM arrived, the tasks still queued to this worker are refused (the
    executor's worker loop survives a task's `SystemExit` and would otherwise start the next one)."""
    if _TERMINATING:
        raise SystemExit(128 + signal.SIGTERM)
    return fn(*args, **kwargs)


class _Pool(ProcessPoolExecutor):
    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Any:
        return super().submit(_run_task, fn, *args, **kwargs)


def _parent_logging() -> tuple[dict[str, int], str]:
    """The parent's log levels (root and the package loggers) and line format, for its workers."""
    from tipbench.cli import LOG_FORMAT, OWN_LOGGERS

    formats = [h.formatter._fmt for h in logging.getLogger().handlers if h.formatter is not None and h.formatter._fmt]
    return {name: logging.getLogger(name).level for name in ("", *OWN_LOGGERS)}, (formats or [LOG_FORMAT])[0]


def _start_worker(initializer: Callable[..., None] | None, initargs: tuple[Any, ...],
                  log_setup: tuple[dict[str, int], str]) -> None:
    """Runs first in every worker: SIGINT ignored, SIGTERM a clean exit, orphan watchdog, the parent's logging, one
    OpenCV thread, then the caller's own setup."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    levels, line_format = log_setup
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(line_format))
    logging.getLogger().addHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    from tqdm import tqdm

    tqdm.set_lock(threading.RLock())
    # Our own watchdog because the stdlib has no option for it: a pool worker blocks forever on its task queue when
    # the parent dies without closing it.
    threading.Thread(target=_watch_parent, args=(os.getppid(),), name="tipbench-orphan-watchdog", daemon=True).start()
    try:
        import cv2
    except ImportError:  # pragma: no cover - opencv is a core dependency
        pass
    else:
        cv2.setNumThreads(1)  # K processes already use the cores; more threads per process only contend
    if initializer is not None:
        initializer(*initargs)


def stop_pool(pool: ProcessPoolExecutor) -> None:
    """Cancel what is queued and end the workers now (their partial work is written atomically or not at all)."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + 5.0
    for process in processes:
        process.join(timeout=max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join()


@contextmanager
def process_pool(workers: int, initializer: Callable[..., None] | None = None,
                 initargs: tuple[Any, ...] = ()) -> Iterator[ProcessPoolExecutor]:
    """A spawn-started `ProcessPoolExecutor` of `workers` processes set up as the module docstring says."""
    import multiprocessing

    if _QUIET_TRACKER not in sys.warnoptions:
        sys.warnoptions.append(_QUIET_TRACKER)
    pool = _Pool(workers, mp_context=multiprocessing.get_context("spawn"), initializer=_start_worker,
                               initargs=(initializer, initargs, _parent_logging()))
    try:
        yield pool
    except BaseException:
        stop_pool(pool)
        raise
    pool.shutdown(wait=True)


@contextmanager
def sigint_held() -> Iterator[None]:
    """Hold Ctrl-C back while worker processes are forked (torch's DataLoader), then raise it.

    A SIGINT that lands during `fork` is raised inside some library's at-fork hook, where Python prints "Exception
    ignored in …" with a traceback and drops it: the command would go on as if Ctrl-C had not been pressed. Held here,
    it becomes the usual KeyboardInterrupt right after; forked children keep the holding handler, so they leave
    Ctrl-C to the parent (which shuts them down). Outside the main thread (no signal handlers there) this does
    nothing.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    held: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: held.append(signum))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if held:
        raise KeyboardInterrupt
