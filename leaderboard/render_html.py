"""HTML rendering: one standalone page, grouped column headers, marks with their meaning as a tooltip, and (when a
results browser shares the folder) each filled cell linked to its run's page there."""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from leaderboard.cells import banner, legend, mark_lines
from leaderboard.fill import Cell, FilledRow, FilledTable
from leaderboard.provenance import table_provenance

_STYLE = (
    "body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
    "th,td{border:1px solid #bbb;padding:3px 6px;text-align:center;white-space:nowrap}"
    ".warn{background:#fde2e2;padding:.5em;border:1px solid #d33}.mark{color:#c00}.paper{color:#555}"
)


def _bold(text: str, on: bool) -> str:
    return f"<b>{text}</b>" if on else text


def html_cell(cell: Cell) -> str:
    if cell.status == "paper-only":
        return f'<span class="paper">{escape(cell.paper or "—")}</span> (paper)'
    ours = _bold(escape(cell.ours_text), cell.best)
    ours += "".join(f'<sup class="mark" title="{escape(m.meaning)}">{m.symbol}</sup>' for m in cell.marks)
    if cell.note is not None:
        ours += f" [{cell.note}]"
    if cell.paper is None:
        return ours
    paper = f'<span class="paper">{_bold(escape(cell.paper), cell.paper_best)}</span>'
    return f"{ours} / {paper}" if cell.diff is None else f"{ours} / {paper} ({escape(cell.diff_text)})"


#: Run identity (`RunRecord.key`: split, method, variant, prompts) → link to its page in a results browser.
RunLinks = Mapping[tuple, str]


def _linked(cell: Cell, row: FilledRow, links: RunLinks | None) -> str:
    """The cell, its number wrapped in a link to the run's page when the browser shows that run."""
    text = html_cell(cell)
    record = row.runs.get(cell.column.split)
    if not links or cell.status != "ok" or cell.column.source == "walk" or record is None:
        return text
    target = links.get(record.key)
    return f'<a href="{escape(target)}">{text}</a>' if target else text


def render_table_html(table: FilledTable, links: RunLinks | None = None) -> str:
    spec = table.spec
    lead = 1 + len(spec.descriptor_headers)
    parts = [f"<h2>{escape(spec.title)}</h2>"]
    warning = banner(table)
    if warning:
        parts.append(f'<p class="warn"><b>{escape(warning)}</b></p>')
    parts.append(f"<p>{escape(spec.caption)}</p><table>")
    groups: list[list] = []
    for column in spec.columns:
        label = column.group or column.split
        if groups and groups[-1][0] == label:
            groups[-1][1] += 1
        else:
            groups.append([label, 1])
    parts.append(f'<tr><th colspan="{lead}"></th>'
                 + "".join(f'<th colspan="{n}">{escape(label)}</th>' for label, n in groups) + "</tr>")
    names = ["Method", *spec.descriptor_headers]
    for column in spec.columns:
        arrow = "" if column.paper_only else ("↑" if column.info.higher_is_better else "↓")
        names.append(column.info.label + arrow)
    parts.append("<tr>" + "".join(f"<th>{escape(n)}</th>" for n in names) + "</tr>")
    for row in table.rows:
        cells = [escape(row.spec.label), *(escape(d) for d in row.spec.descriptors)]
        cells += [_linked(c, row, links) for c in row.cells]
        parts.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    parts.append(f"</table><p>{escape(legend(table))}</p>")
    marks = mark_lines(table)
    if marks:
        parts.append("<ul>" + "".join(f"<li>{escape(m)}</li>" for m in marks) + "</ul>")
    if table.notes:
        parts.append("<ol>" + "".join(f"<li>{escape(n)}</li>" for n in table.notes) + "</ol>")
    parts.append("<p><i>Provenance</i></p><ul>" + "".join(
        f"<li>{escape(p.label)}: {escape(p.text)}</li>" for p in table_provenance(table)) + "</ul>")
    return "\n".join(parts) + "\n"


def render_html(tables: list[FilledTable], links: RunLinks | None = None) -> str:
    """The page of `tables`; `links` (`tipbench.browse.site.site_links`) turns filled cells into links."""
    head = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>tipbench leaderboard</title>'
            f"<style>{_STYLE}</style></head><body>\n<h1>tipbench leaderboard</h1>\n")
    return head + "".join(render_table_html(t, links) for t in tables) + "</body></html>\n"
