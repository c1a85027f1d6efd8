"""Format-neutral pieces every renderer shares: header labels, the legend, and the banner for marked tables."""

from __future__ import annotations

from leaderboard.fill import FilledTable
from leaderboard.spec import ColumnSpec

CELL_LEGEND = (
    "Each cell: ours / paper (ours − paper). Bold: best value per column — of ours only among unmarked (benchmark) "
    "cells, of the paper among its printed numbers."
)
#: The two-line cells of HTML and LaTeX: ours above, the paper below.
STACKED_LEGEND = (
    "Each cell: ours, and below it the paper's number with (ours − paper). Bold: best value per column — of ours "
    "only among unmarked (benchmark) cells, of the paper among its printed numbers."
)
COLOUR_LEGEND = " The difference is green where ours is better in the metric's direction (↑/↓), red where worse."


NO_PAPER_LEGEND = (
    "Each cell: ours (the paper has no such table). Bold: best value per column among unmarked (benchmark) cells."
)


def legend(table: FilledTable, fmt: str = "md") -> str:
    """The cell legend of `table` in format `fmt` (`md`, `tex`, `html`: the last two stack ours above the paper)."""
    if not table.spec.has_paper:
        return NO_PAPER_LEGEND
    if fmt == "md":
        return CELL_LEGEND
    return STACKED_LEGEND + (COLOUR_LEGEND if fmt == "html" else "")


def column_label(column: ColumnSpec, with_split: bool) -> str:
    """`FID↓`, or `FID↓ (coco-param)` when a table spans several splits and headers cannot be grouped."""
    info = column.info
    arrow = "" if column.paper_only else ("↑" if info.higher_is_better else "↓")
    label = f"{info.label}{arrow}"
    return f"{label} ({column.split})" if with_split else label


def banner(table: FilledTable) -> str | None:
    """A warning line for tables holding any marked (non-benchmark) number, None when every number is the benchmark."""
    marks = table.used_marks
    if not marks:
        return None
    symbols = " ".join(m.symbol for m in marks)
    return (f"NOT THE BENCHMARK: numbers marked {symbols} come from runs that cannot be compared with the paper "
            "(see marks below).")


def mark_lines(table: FilledTable, tex: bool = False) -> list[str]:
    return [f"{m.tex if tex else m.symbol} {m.meaning}" for m in table.used_marks]
