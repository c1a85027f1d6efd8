"""`LeaderboardConfig`: the options of one rendering of the tables (`python -m tipbench.leaderboard`)."""

from __future__ import annotations

from dataclasses import dataclass

from tipbench.config import FrozenConfig


@dataclass(frozen=True)
class LeaderboardConfig(FrozenConfig):
    """Which run folders, which tables, which formats, where to write."""

    runs_dir: str
    out: str
    tables: tuple[str, ...] = ()  # empty = the default set
    formats: tuple[str, ...] = ("md", "tex", "csv", "html")
