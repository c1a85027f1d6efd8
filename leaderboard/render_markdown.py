"""Markdown (GitHub pipe tables) rendering of filled tables."""

from __future__ import annotations

from leaderboard.cells import banner, column_label, legend, mark_lines
from leaderboard.fill import Cell, FilledTable
from leaderboard.provenance import table_provenance


def _escape(text: str) -> str:
    return text.replace("|", "\\|")


def _bold(text: str, on: bool) -> str:
    return f"**{text}**" if on else text


def markdown_cell(cell: Cell) -> str:
    if cell.status == "paper-only":
        return _bold(cell.paper or "—", False) + " (paper)"
    ours = _bold(cell.ours_text, cell.best) + "".join(m.symbol for m in cell.marks)
    if cell.note is not None:
        ours += f" [{cell.note}]"
    if cell.paper is None:
        return ours
    if cell.diff is None:
        return f"{ours} / {_bold(cell.paper, cell.paper_best)}"
    return f"{ours} / {_bold(cell.paper, cell.paper_best)} ({cell.diff_text})"


def render_table_markdown(table: FilledTable) -> str:
    spec = table.spec
    many_splits = len(spec.splits) > 1
    header = ["Method", *spec.descriptor_headers, *(column_label(c, many_splits) for c in spec.columns)]
    lines = [f"## {spec.heading}", ""]
    warning = banner(table)
    if warning:
        lines += [f"> **{warning}**", ""]
    lines += [spec.caption, ""]
    lines.append("| " + " | ".join(_escape(h) for h in header) + " |")
    lines.append("|" + "|".join("---" for _ in header) + "|")
    for row in table.rows:
        cells = [row.spec.label, *row.spec.descriptors, *(markdown_cell(c) for c in row.cells)]
        lines.append("| " + " | ".join(_escape(c) for c in cells) + " |")
    lines += ["", legend(table)]
    marks = mark_lines(table)
    if marks:
        lines += ["", "Marks:", ""] + [f"- {line}" for line in marks]
    if table.notes:
        lines += ["", "Notes:", ""] + [f"{i}. {_escape(note)}" for i, note in enumerate(table.notes, 1)]
    lines += ["", "Provenance:", ""] + [f"- {p.label}: {p.text}" for p in table_provenance(table)]
    return "\n".join(lines) + "\n"


def render_markdown(tables: list[FilledTable]) -> str:
    return "# tipbench leaderboard\n\n" + "\n".join(render_table_markdown(t) for t in tables)
