"""What every command shares (contracts §6): `-v` / `-q`, the log format, the one-line error edge, progress bars.

Each command's `main(argv)` parses its arguments, then hands its work to `run_command`, which

* sets up logging once for this process: INFO by default, `-v` DEBUG for the package's loggers (`-vv` for other
  libraries too, whose debug output is noisy), `-q` WARNING, `-qq` ERROR; one line per record on stderr
  (`LEVEL logger: message`, with a timestamp for long jobs such as training);
* routes log records through `tqdm.write` while the work runs, so a message never breaks a progress bar;
* turns a user-fixable failure (`TipbenchError`, `OSError`) into `error: <message>` on stderr and exit status 1, a
  worker process that died (killed, out of memory) into one `error:` line saying how to resume (exit 1), and Ctrl-C
  into one line saying how to resume (exit 130; worker pools ignore SIGINT and are torn down by the parent,
  `tipbench.pools`). Bad usage exits 2 through `argparse` before any of this. Anything else keeps its traceback: it
  is a bug.

Long loops draw their bar with `progress_bar`, which is off when stderr is not a terminal or the caller said so.
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

from tipbench.errors import TipbenchError, os_error_text

#: The packages whose loggers `-v` / `-q` control.
OWN_LOGGERS = ("tipbench", "baselines", "reference_model", "data_recipes", "leaderboard")
LOG_FORMAT = "%(levelname)s %(name)s: %(message)s"
#: For commands that run for hours (training): when each record was written.
TIMESTAMPED_LOG_FORMAT = "%(asctime)s " + LOG_FORMAT


def add_output_options(parser: argparse.ArgumentParser, *, progress: bool = True) -> None:
    """`-v/--verbose`, `-q/--quiet` (both repeatable) and, for commands with long loops, `--no-progress`."""
    group = parser.add_argument_group("output")
    group.add_argument("-v", "--verbose", action="count", default=0,
                       help="more detail on stderr: -v debug, -vv also other libraries' debug")
    group.add_argument("-q", "--quiet", action="count", default=0,
                       help="less on stderr: -q warnings and errors only, -qq errors only")
    if progress:
        group.add_argument("--no-progress", action="store_true",
                           help="no progress bar (bars are drawn only when stderr is a terminal)")


def log_level(verbose: int = 0, quiet: int = 0) -> int:
    """The package's log level for a `-v` / `-q` count.

    >>> [logging.getLevelName(log_level(*counts)) for counts in ((0, 0), (1, 0), (0, 1), (0, 2))]
    ['INFO', 'DEBUG', 'WARNING', 'ERROR']
    """
    verbosity = verbose - quiet
    if verbosity >= 1:
        return logging.DEBUG
    return {0: logging.INFO, -1: logging.WARNING}.get(verbosity, logging.ERROR)


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever `sys.stderr` is at the time of the record (test capture, redirection)."""

    def __init__(self) -> None:
        super().__init__()

    @property
    def stream(self) -> Any:
        return sys.stderr

    @stream.setter
    def stream(self, value: Any) -> None:  # StreamHandler.__init__ assigns it; the property ignores that
        pass


def configure_logging(verbose: int = 0, quiet: int = 0, *, timestamps: bool = False) -> None:
    """One stderr handler on the root logger (replaced, never stacked, when a process runs several commands)."""
    root = logging.getLogger()
    for handler in [h for h in root.handlers if isinstance(h, _StderrHandler)]:
        root.removeHandler(handler)
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter(TIMESTAMPED_LOG_FORMAT if timestamps else LOG_FORMAT))
    root.addHandler(handler)
    level = log_level(verbose, quiet)
    root.setLevel(logging.DEBUG if verbose >= 2 else max(level, logging.INFO))
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(level)


def progress_enabled(args: argparse.Namespace) -> bool:
    """Whether the command's library call draws bars: stderr is a terminal, and neither `--no-progress` nor `-q`
    was given (recorded as such in the configs a command writes)."""
    return not getattr(args, "no_progress", False) and getattr(args, "quiet", 0) == 0 and sys.stderr.isatty()


def progress_bar(iterable: Iterable[Any] | None = None, *, total: int | None = None, desc: str = "",
                 unit: str = "it", enabled: bool = True, leave: bool = True) -> Any:
    """A tqdm bar on stderr, drawn only when `enabled` and stderr is a terminal (`leave=False`: erased when done,
    for inner bars)."""
    from tqdm.auto import tqdm

    return tqdm(iterable, total=total, desc=desc, unit=unit, file=sys.stderr, dynamic_ncols=True, leave=leave,
                disable=not (enabled and sys.stderr.isatty()))


def report_error(exc: TipbenchError | OSError) -> int:
    """Print the one-line `error: …` of a user-fixable failure to stderr; return exit status 1."""
    text = os_error_text(exc) if isinstance(exc, OSError) else str(exc)
    print(f"error: {text}", file=sys.stderr)
    return 1


#: What a command that writes nothing before it finishes says on Ctrl-C.
RERUN = "interrupted; nothing was written, run the same command again"


def run_command(args: argparse.Namespace, work: Callable[[], int], *, interrupted: str = RERUN,
                timestamps: bool = False) -> int:
    """Run a command's work at the CLI edge (see the module docstring); returns the exit status.

    `interrupted` is the one line printed on Ctrl-C: `interrupted; <how to resume>`.
    """
    from concurrent.futures.process import BrokenProcessPool

    from tqdm.contrib.logging import logging_redirect_tqdm

    configure_logging(getattr(args, "verbose", 0), getattr(args, "quiet", 0), timestamps=timestamps)
    try:
        with logging_redirect_tqdm():
            return work()
    except BrokenPipeError:  # stdout closed early by its reader (`… | head`): stop quietly, as Python's docs advise
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    except (TipbenchError, OSError) as exc:  # user-fixable: one line, exit 1
        return report_error(exc)
    except BrokenProcessPool:  # a worker was killed (OOM killer, kill -9): the parent stopped the pool
        resume = interrupted.partition("; ")[2] or "run the same command again"
        print(f"error: a worker process ended abruptly (killed, or out of memory?); {resume}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        if sys.stderr.isatty():
            print(file=sys.stderr)  # end a progress bar's line first
        print(interrupted, file=sys.stderr)
        return 130


def top_reasons(reasons: Iterable[str], limit: int = 3) -> str:
    """The most frequent kinds of skip reason, for the one summary line a command prints: each reason is cut at its
    first `:`, `;` or `(` and its numbers and quoted names are blanked, so "short side 90 px" and "short side 100 px"
    count together.

    >>> top_reasons(["short side 90 px < 256 px", "not a readable image file", "short side 100 px < 256 px"])
    '2× short side N px < N px; 1× not a readable image file'
    """
    counts: dict[str, int] = {}
    for reason in reasons:
        head = re.split(r"[:;(]", reason, maxsplit=1)[0].strip()
        head = re.sub(r"\d+(\.\d+)?", "N", re.sub(r"`[^`]*`|'[^']*'", "`…`", head))
        counts[head] = counts.get(head, 0) + 1
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:limit]
    return "; ".join(f"{count}× {text}" for text, count in ranked)
