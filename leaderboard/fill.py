"""Fill a `TableSpec` from collected runs: one `Cell` per (row, column), ours beside the paper's number.

Every cell says what it is: a value (with its non-benchmark marks), `null` (the metric was not computed, with the
summary's reason), `not run` (with the registry's reason) or paper-only. Nothing is left blank or shown as zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from leaderboard.collect import RunRecord, Scores
from leaderboard.marks import Mark, data_marks, run_marks
from leaderboard.readiness import not_run_reason
from leaderboard.spec import ColumnSpec, RowSpec, TableSpec
from tipbench.contracts.run_folder import walk_dir

CellStatus = Literal["ok", "null", "not-run", "paper-only"]


@dataclass(frozen=True)
class Cell:
    column: ColumnSpec
    status: CellStatus
    value: float | None = None
    paper: str | None = None
    marks: tuple[Mark, ...] = ()
    note: int | None = None  # index into FilledTable.notes (1-based) for `null` / `not-run`
    best: bool = False  # best of our benchmark cells in this column
    paper_best: bool = False  # best of the paper's numbers in this column

    @property
    def decimals(self) -> int:
        return self.column.info.decimals

    @property
    def ours_text(self) -> str:
        """Our value at the paper's precision, or the status word."""
        if self.status == "ok":
            return f"{self.value:.{self.decimals}f}"
        return {"null": "n/a", "not-run": "not run", "paper-only": "—"}[self.status]

    @property
    def paper_value(self) -> float | None:
        return float(self.paper) if self.paper is not None else None

    @property
    def diff(self) -> float | None:
        """ours − paper, rounded to the shown precision (None when either side is missing)."""
        if self.status != "ok" or self.paper is None:
            return None
        return round(round(self.value, self.decimals) - float(self.paper), self.decimals)

    @property
    def diff_better(self) -> bool | None:
        """Whether ours beats the paper in this metric's direction (None: no difference to judge, or a tie)."""
        diff = self.diff
        if diff is None or diff == 0:
            return None
        return (diff > 0) == self.column.info.higher_is_better

    @property
    def diff_text(self) -> str:
        diff = self.diff
        return "—" if diff is None else f"{diff:+.{self.decimals}f}"

    @property
    def is_benchmark(self) -> bool:
        return self.status == "ok" and not self.marks


@dataclass(frozen=True)
class FilledRow:
    spec: RowSpec
    runs: dict[str, RunRecord | None]  # split -> run used (None = not run)
    cells: tuple[Cell, ...]
    walks: dict[str, Scores | None] = field(default_factory=dict)  # split -> prompt walk used (Table A)


@dataclass(frozen=True)
class FilledTable:
    spec: TableSpec
    rows: tuple[FilledRow, ...]
    notes: tuple[str, ...]

    @property
    def used_marks(self) -> tuple[Mark, ...]:
        seen: dict[str, Mark] = {}
        for row in self.rows:
            for cell in row.cells:
                for mark in cell.marks:
                    seen.setdefault(mark.code, mark)
        return tuple(seen.values())

    @property
    def walks(self) -> list[Scores]:
        found: dict[Path, Scores] = {}
        for row in self.rows:
            for walk in row.walks.values():
                if walk is not None:
                    found.setdefault(walk.path, walk)
        return list(found.values())

    @property
    def runs(self) -> list[RunRecord]:
        found: dict[Path, RunRecord] = {}
        for row in self.rows:
            for record in row.runs.values():
                if record is not None:
                    found.setdefault(record.path, record)
        return list(found.values())


def find_run(row: RowSpec, split: str, runs: dict[tuple, RunRecord],
             refused: list[str] | None = None) -> RunRecord | None:
    """The first run matching the row on `split` (matches and their prompt policies in preference order).

    A run whose restorer did not use a prompt the row requires is passed over (and said why in `refused`): its
    numbers are another method's, e.g. plain ControlNet-SR's under the "+ CLIP" label.
    """
    for match in row.matches:
        for prompts in match.prompts:
            record = runs.get((split, match.method, match.variant, prompts))
            if record is None:
                continue
            unused = row.unused_required(record.run)
            if not unused:
                return record
            if refused is not None:
                said = "does not record `ignored_prompts`" if "ignored_prompts" not in record.run else (
                    "ignored the " + " and ".join(unused) + " prompt")
                refused.append(f"run {record.key_path} {said} (run.json), which this row requires")
    return None


class _Notes:
    """Numbered, de-duplicated footnotes."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, text: str) -> int:
        if text not in self.items:
            self.items.append(text)
        return self.items.index(text) + 1


def _cell(column: ColumnSpec, row: RowSpec, record: RunRecord | None, walk: Scores | None, notes: _Notes,
          reason: str) -> Cell:
    paper = row.paper.get(column.key)
    if column.key in row.measured:  # a property of the model (Table 6's parameter ratio), not of a run's outputs
        return Cell(column, "ok", value=row.measured[column.key], paper=paper)
    if column.paper_only:
        return Cell(column, "paper-only", paper=paper)
    where = f"{row.label} on {column.split}: {column.info.label} — "
    if column.source == "walk":  # one walk per method: its notes are per row, not per column
        if not row.uses_walk:
            why = "blind row: no controllability, the walk feeds restoration prompts (see the instructed row)"
            return Cell(column, "null", paper=paper, note=notes.add(f"{row.label}: {why}"))
        if walk is None:
            folder = walk_dir("", column.split, row.matches[0].method, row.matches[0].variant).as_posix()
            why = f"no prompt walk {folder} (run `python -m tipbench.adherence walk`)"
            return Cell(column, "not-run", paper=paper, note=notes.add(f"{row.label}: {why}"))
        scores = walk if record is None else Scores(walk.path, walk.data, record.run, walk.benchmark_n)
        marks = data_marks(scores.data, scores.run, scores.benchmark_n, comparable_key=None)
    else:
        if record is None:
            return Cell(column, "not-run", paper=paper, note=notes.add(reason))
        scores = record.scores(column.source)
        if scores is None:
            return Cell(column, "null", paper=paper, marks=run_marks(record),
                        note=notes.add(where + record.missing_reason(column.source)))
        comparable_key = "comparable_to_paper" if column.source == "summary" else "full_split"
        marks = data_marks(scores.data, scores.run, comparable_key=comparable_key)
    value = scores.metric(column.metric)
    if value is None:
        return Cell(column, "null", paper=paper, marks=marks, note=notes.add(where + scores.null_reason(column.metric)))
    return Cell(column, "ok", value=value, paper=paper, marks=marks)


def _best_flags(cells: list[Cell], higher_is_better: bool) -> tuple[set[int], set[int]]:
    """Indices of the best benchmark value of ours and of the best paper value (ties all count)."""
    pick = max if higher_is_better else min
    ours = {i: round(c.value, c.decimals) for i, c in enumerate(cells) if c.is_benchmark}
    paper = {i: c.paper_value for i, c in enumerate(cells) if c.paper is not None}
    best_ours = pick(ours.values()) if ours else None
    best_paper = pick(paper.values()) if paper else None
    return ({i for i, v in ours.items() if v == best_ours}, {i for i, v in paper.items() if v == best_paper})


def find_walk(row: RowSpec, split: str, walks: dict[tuple, Scores]) -> Scores | None:
    for match in row.matches:
        walk = walks.get((split, match.method, match.variant))
        if walk is not None:
            return walk
    return None


def fill_table(spec: TableSpec, runs: dict[tuple, RunRecord], walks: dict[tuple, Scores] | None = None) -> FilledTable:
    """Match each row to its runs and build every cell, with best-per-column flags (direction from metric info)."""
    notes = _Notes()
    reason_cache: dict = {}
    rows: list[tuple[RowSpec, dict[str, RunRecord | None], list[Cell]]] = []
    row_walks: list[dict[str, Scores | None]] = []
    for row in spec.rows:
        refused: dict[str, list[str]] = {split: [] for split in spec.splits}
        used = {split: find_run(row, split, runs, refused[split]) for split in spec.splits}
        missing = [split for split, record in used.items() if record is None and not refused[split]]
        reasons = [text for split in spec.splits if used[split] is None for text in refused[split]]
        if missing:
            reasons.append(not_run_reason(row.matches[0], missing, reason_cache))
        reason = f"{row.label}: " + "; ".join(reasons) if reasons else ""
        found = {split: find_walk(row, split, walks or {}) if row.uses_walk else None for split in spec.splits}
        row_walks.append(found)
        cells = [_cell(column, row, used[column.split], found[column.split], notes, reason) for column in spec.columns]
        rows.append((row, used, cells))
    for index, column in enumerate(spec.columns):
        if column.paper_only:
            continue
        column_cells = [cells[index] for _, _, cells in rows]
        best_ours, best_paper = _best_flags(column_cells, column.info.higher_is_better)
        for row_index, (_, _, cells) in enumerate(rows):
            cell = cells[index]
            cells[index] = replace(cell, best=row_index in best_ours, paper_best=row_index in best_paper)
    filled = tuple(FilledRow(row, used, tuple(cells), found) for (row, used, cells), found in zip(rows, row_walks))
    return FilledTable(spec, filled, tuple(notes.items))
