"""Every environment variable the package reads, in one place."""

from __future__ import annotations

import os
from pathlib import Path

ENV_HOME = "TIPBENCH_HOME"
ENV_WEIGHTS = "TIPBENCH_WEIGHTS"
ENV_COCO_ROOT = "TIPBENCH_COCO_ROOT"
ENV_DIV2K_ROOT = "TIPBENCH_DIV2K_ROOT"
ENV_STABLESR_TESTSETS = "TIPBENCH_STABLESR_TESTSETS"
ENV_STABLESR_REPO = "TIPBENCH_STABLESR_REPO"
ENV_STABLESR_PYTHON = "TIPBENCH_STABLESR_PYTHON"
ENV_DIFFBIR_REPO = "TIPBENCH_DIFFBIR_REPO"
ENV_DIFFBIR_PYTHON = "TIPBENCH_DIFFBIR_PYTHON"
ENV_CACHE = "TIPBENCH_CACHE"


def env_path(name: str) -> Path | None:
    """The path in environment variable `name`, or None when unset or empty."""
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def home_dir() -> Path:
    """`TIPBENCH_HOME` (default `./tipbench-data`), holding `splits/` and `runs/`."""
    return env_path(ENV_HOME) or Path("tipbench-data")


def splits_dir(override: str | os.PathLike | None = None) -> Path:
    return Path(override) if override else home_dir() / "splits"


def runs_dir(override: str | os.PathLike | None = None) -> Path:
    return Path(override) if override else home_dir() / "runs"


def weights_dir() -> Path:
    """`TIPBENCH_WEIGHTS` (default `~/.cache/tipbench/weights`)."""
    return env_path(ENV_WEIGHTS) or Path("~/.cache/tipbench/weights").expanduser()


def cache_dir() -> Path:
    """`TIPBENCH_CACHE` (default `$XDG_CACHE_HOME/tipbench`, else `~/.cache/tipbench`): the user's own caches
    (which split files were verified), never written into a split or run folder."""
    return env_path(ENV_CACHE) or (env_path("XDG_CACHE_HOME") or Path("~/.cache").expanduser()) / "tipbench"


ENV_FAULT_AFTER = "TIPBENCH_FAULT_AFTER"
ENV_FAULT_RANK = "TIPBENCH_FAULT_RANK"


def fault_after() -> int | None:
    """Test-only switch: `TIPBENCH_FAULT_AFTER=k` makes `tipbench.build` abort the process after k new items, and
    `tipbench.run` kill itself after k items (a rank dying mid-run)."""
    value = os.environ.get(ENV_FAULT_AFTER, "").strip()
    return int(value) if value else None


def fault_rank() -> int | None:
    """Test-only: with `TIPBENCH_FAULT_RANK=r`, only part (rank or shard) r of a run obeys `TIPBENCH_FAULT_AFTER`."""
    value = os.environ.get(ENV_FAULT_RANK, "").strip()
    return int(value) if value else None
