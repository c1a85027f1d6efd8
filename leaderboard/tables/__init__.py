"""TABLES: every leaderboard table by key ("1", "3", "4", "5", "6", "a"); one module per table."""

from __future__ import annotations

from leaderboard.spec import TableSpec
from tipbench.registry import Registry

TABLES: Registry[TableSpec] = Registry("table")
TABLES.register("1", "leaderboard.tables.table1:TABLE")
TABLES.register("3", "leaderboard.tables.table3:TABLE")
TABLES.register("4", "leaderboard.tables.table4:TABLE")
TABLES.register("5", "leaderboard.tables.table5:TABLE")
TABLES.register("6", "leaderboard.tables.table6:TABLE")
TABLES.register("a", "leaderboard.tables.table_a:TABLE")

#: What `--tables` renders when not given.
DEFAULT_TABLES: tuple[str, ...] = ("1", "3", "4", "5", "6", "a")
