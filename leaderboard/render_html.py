"""HTML rendering: one standalone page, readable at 1400 px.

Each table scrolls inside its own box with the header rows and the method column sticky, so a wide table (Table 1
has 12 metric columns) never loses its labels. A cell shows ours on its first line and, smaller and grey, the
paper's number with the difference on the second; the difference is green when ours is better in that metric's
direction and red when worse (direction from the metrics table). `html_cell` is the one place a cell is drawn;
when a results browser shares the folder, each filled cell links to its run's page there.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from leaderboard.cells import banner, column_label, legend, mark_lines
from leaderboard.fill import Cell, FilledRow, FilledTable
from leaderboard.provenance import table_provenance

_STYLE = (
    "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:1.5em;color:#111}"
    ".scroll{overflow:auto;max-height:85vh;border:1px solid #bbb;margin:1em 0}"
    "table{border-collapse:separate;border-spacing:0;font-size:13px}"
    "th,td{border-right:1px solid #ddd;border-bottom:1px solid #ddd;padding:3px 5px;text-align:center;"
    "white-space:nowrap;background:#fff}"
    "thead{position:sticky;top:0;z-index:2}thead th{background:#eef1f5}"
    ".rowhead{position:sticky;left:0;z-index:1;text-align:left;background:#f8f8f8;white-space:normal;"
    "min-width:9em;max-width:13em}"
    "thead .rowhead{z-index:3;background:#eef1f5}"
    ".ours{display:block;font-weight:600}.status{font-weight:normal;color:#444}"
    ".paper{display:block;color:#666;font-size:85%}"
    ".better{color:#0a7a28}.worse{color:#b3261e}.same{color:#666}"
    ".best{text-decoration:underline}.mark{color:#c00}.note{color:#555;font-weight:normal;font-size:85%}"
    ".warn{background:#fde2e2;padding:.5em;border:1px solid #d33}"
)


def _bold(text: str, on: bool) -> str:
    return f"<b>{text}</b>" if on else text


def _diff_class(cell: Cell) -> str:
    better = cell.diff_better
    return "same" if better is None else ("better" if better else "worse")


def html_cell(cell: Cell) -> str:
    """The inside of one `<td>`: ours (with its marks and note) above, the paper's number and the difference below."""
    if cell.status == "paper-only":
        return f'<span class="paper">{escape(cell.paper or "—")} (paper)</span>'
    ours = _bold(escape(cell.ours_text), cell.best) if cell.status == "ok" else (
        f'<span class="status">{escape(cell.ours_text)}</span>')
    ours += "".join(f'<sup class="mark" title="{escape(m.meaning)}">{m.symbol}</sup>' for m in cell.marks)
    if cell.note is not None:
        ours += f' <span class="note">[{cell.note}]</span>'
    html = f'<span class="ours">{ours}</span>'
    if cell.paper is None:
        return html
    paper = _bold(escape(cell.paper), cell.paper_best)
    if cell.diff is not None:
        paper += f' <span class="{_diff_class(cell)}">({escape(cell.diff_text)})</span>'
    return html + f'<span class="paper" title="the paper\'s number (ours − paper)">{paper}</span>'


def _header(table: FilledTable) -> str:
    spec = table.spec
    lead = len(spec.descriptor_headers)
    top = '<tr><th class="rowhead"></th>'
    if lead:
        top += f'<th colspan="{lead}"></th>'
    top += "".join(f'<th colspan="{len(columns)}">{escape(label)}</th>' for label, columns in spec.column_groups)
    names = [*spec.descriptor_headers, *(column_label(c, False) for c in spec.columns)]
    return (f'<thead>{top}</tr><tr><th class="rowhead">Method</th>' + "".join(f"<th>{escape(n)}</th>" for n in names)
            + "</tr></thead>")


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
    parts = [f'<h2 id="table-{spec.key}">{escape(spec.heading)}</h2>']
    warning = banner(table)
    if warning:
        parts.append(f'<p class="warn"><b>{escape(warning)}</b></p>')
    parts.append(f'<p>{escape(spec.caption)}</p><div class="scroll"><table>{_header(table)}<tbody>')
    for row in table.rows:
        cells = [*(escape(d) for d in row.spec.descriptors), *(_linked(c, row, links) for c in row.cells)]
        parts.append(f'<tr><th class="rowhead" scope="row">{escape(row.spec.label)}</th>'
                     + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    parts.append(f"</tbody></table></div><p>{escape(legend(table, 'html'))}</p>")
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
    head = (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><title>tipbench leaderboard</title>'
            f"<style>{_STYLE}</style></head><body>\n<h1>tipbench leaderboard</h1>\n")
    return head + "".join(render_table_html(t, links) for t in tables) + "</body></html>\n"
