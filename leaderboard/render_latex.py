"""LaTeX rendering: one compilable `article` (landscape A4) holding every table, at the body font size.

Compiles with Debian's `texlive-latex-base` alone (booktabs rules when installed, plain rules otherwise). Each
caption is numbered as in the paper (`Table 1`, `Table 3`, …, `Table A`): the float's number is set to the table's
own, never counted. Nothing is scaled: a table wider than `MAX_COLUMNS` metric columns (Table 1) is set as one
float per column group (left / right half), each cell on two lines (ours; the paper's number and the difference).
"""

from __future__ import annotations

import re

from leaderboard.cells import banner, column_label, legend, mark_lines
from leaderboard.fill import Cell, FilledRow, FilledTable
from leaderboard.provenance import table_provenance
from leaderboard.spec import ColumnSpec

_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_UNICODE = {"×": r"$\times$", "✓": r"\checkmark{}", "↑": r"$\uparrow$", "↓": r"$\downarrow$", "−": "-", "—": "--",
            "†": r"\dag{}", "‡": r"\ddag{}", "§": r"\S{}", "¶": r"\P{}", "|": r"$|$", "ρ": r"$\rho$",
            "σ": r"$\sigma$", "≥": r"$\geq$", "≤": r"$\leq$", "²": r"$^2$", "…": r"\ldots{}", "–": "--"}
_PATTERN = re.compile("|".join(re.escape(k) for k in (*_SPECIAL, *_UNICODE)))
#: Metric columns one tabular holds at the body font size on a landscape page (two-line cells).
MAX_COLUMNS = 6
#: Width of the method column (labels wrap inside it).
LABEL_WIDTH = "3.6cm"

PREAMBLE = r"""\documentclass{article}
\usepackage[landscape,margin=1.5cm]{geometry}
\usepackage{amssymb}
\usepackage{array}
\IfFileExists{booktabs.sty}{\usepackage{booktabs}}{%
  \newcommand{\toprule}{\hline}\newcommand{\midrule}{\hline}\newcommand{\bottomrule}{\hline}}
\newcommand{\cellstack}[1]{\begin{tabular}{@{}c@{}}#1\end{tabular}}
\setlength{\tabcolsep}{4pt}
\begin{document}
"""


def tex_escape(text: str) -> str:
    """Escape LaTeX specials and map the few non-ASCII symbols the tables use to LaTeX commands.

    >>> print(tex_escape("CLIP_T↑ 50% × ✓"))
    CLIP\\_T$\\uparrow$ 50\\% $\\times$ \\checkmark{}
    """
    return _PATTERN.sub(lambda m: _SPECIAL.get(m.group(0)) or _UNICODE[m.group(0)], text)


def _bold(text: str, on: bool) -> str:
    return rf"\textbf{{{text}}}" if on else text


def latex_cell(cell: Cell) -> str:
    """One cell: ours with its marks and note; with a paper number, stacked over `paper (ours − paper)`."""
    if cell.status == "paper-only":
        return tex_escape(cell.paper or "—") + " (paper)"
    ours = _bold(tex_escape(cell.ours_text), cell.best) + "".join(f"${{}}^{{{m.tex}}}$" for m in cell.marks)
    if cell.note is not None:
        ours += f"~[{cell.note}]"
    if cell.paper is None:
        return ours
    paper = _bold(tex_escape(cell.paper), cell.paper_best)
    if cell.diff is not None:
        paper += f" ({tex_escape(cell.diff_text)})"
    return rf"\cellstack{{{ours}\\{paper}}}"


def _header(text: str, limit: int = 14) -> str:
    r"""A header label broken into lines of about `limit` characters at " (" and ", " (keeps columns narrow).

    >>> print(_header("Control (denoise)↑"))
    \cellstack{Control\\(denoise)$\uparrow$}
    """
    pieces = re.split(r"(?= \()|(?<=,) ", text)
    lines = [pieces[0]]
    for piece in pieces[1:]:
        if len(lines[-1]) + len(piece) > limit:
            lines.append(piece.strip())
        else:
            lines[-1] += piece if piece.startswith(" ") else " " + piece
    if len(lines) == 1:
        return tex_escape(text)
    return r"\cellstack{" + r"\\".join(tex_escape(line) for line in lines) + "}"


def _chunks(table: FilledTable) -> list[tuple[str, tuple[int, ...]]]:
    """(label, column indices) of each tabular: the whole table when it fits, else whole column groups packed
    greedily into tabulars of at most `MAX_COLUMNS` columns (Table 1: its left and right halves)."""
    columns = table.spec.columns
    if len(columns) <= MAX_COLUMNS:
        return [("", tuple(range(len(columns))))]
    chunks: list[tuple[list[str], list[int]]] = []
    start = 0
    for label, group in table.spec.column_groups:
        indices = list(range(start, start + len(group)))
        start += len(group)
        if chunks and len(chunks[-1][1]) + len(indices) <= MAX_COLUMNS:
            chunks[-1][0].append(label)
            chunks[-1][1].extend(indices)
        else:
            chunks.append(([label], indices))
    return [(", ".join(labels), tuple(indices)) for labels, indices in chunks]


def _tabular(table: FilledTable, indices: tuple[int, ...]) -> list[str]:
    spec = table.spec
    columns: list[ColumnSpec] = [spec.columns[i] for i in indices]
    colspec = rf">{{\raggedright\arraybackslash}}p{{{LABEL_WIDTH}}}" + "c" * (len(spec.descriptor_headers) + len(columns))
    lines = [rf"\begin{{tabular}}{{{colspec}}}", r"\toprule"]
    groups: list[tuple[str, int]] = []
    for column in columns:
        label = column.group or column.split
        if groups and groups[-1][0] == label:
            groups[-1] = (label, groups[-1][1] + 1)
        else:
            groups.append((label, 1))
    lead = " & " * len(spec.descriptor_headers)
    lines.append(lead + " & " + " & ".join(rf"\multicolumn{{{n}}}{{c}}{{{_header(label, 12 * n)}}}"
                                           for label, n in groups) + r" \\")
    names = ["Method", *spec.descriptor_headers, *(column_label(c, False) for c in columns)]
    lines += [" & ".join(_header(n) for n in names) + r" \\", r"\midrule"]
    for row in table.rows:
        lines.append(_row(row, indices))
    lines += [r"\bottomrule", r"\end{tabular}"]
    return lines


def _row(row: FilledRow, indices: tuple[int, ...]) -> str:
    cells = [tex_escape(row.spec.label), *(tex_escape(d) for d in row.spec.descriptors)]
    cells += [latex_cell(row.cells[i]) for i in indices]
    return " & ".join(cells) + r" \\"


def render_table_latex(table: FilledTable) -> str:
    """The table's float(s), then its legend, marks, notes and provenance as text below."""
    spec = table.spec
    chunks = _chunks(table)
    warning = banner(table)
    lines = [r"\clearpage"]
    for label, indices in chunks:
        caption = spec.title if len(chunks) == 1 else f"{spec.title} --- {label}"
        # the float carries the table's own number (1, 3, 4, 5, 6, A), as the paper prints it
        lines += [r"\begin{table}[!htbp]", rf"\renewcommand{{\thetable}}{{{spec.number}}}", r"\centering",
                  rf"\caption{{{tex_escape(caption)}}}"]
        if warning:
            lines.append(rf"\textbf{{{tex_escape(warning)}}}\par\smallskip")
        lines += _tabular(table, indices)
        lines.append(r"\end{table}")
    lines += [r"\begin{small}\raggedright", tex_escape(spec.caption) + " " + tex_escape(legend(table, "tex")) + r"\par"]
    for line in mark_lines(table, tex=True):
        symbol, _, meaning = line.partition(" ")
        lines.append(rf"${{}}^{{{symbol}}}$ {tex_escape(meaning)}\par")
    for i, note in enumerate(table.notes, 1):
        lines.append(rf"[{i}] {tex_escape(note)}\par")
    lines.append(r"\textit{Provenance:}\par")
    lines += [rf"{tex_escape(p.label)}: {tex_escape(p.text)}\par" for p in table_provenance(table)]
    lines.append(r"\end{small}")
    return "\n".join(lines) + "\n"


def render_latex(tables: list[FilledTable]) -> str:
    body = [render_table_latex(t) for t in tables]
    return PREAMBLE + "\n".join(body) + r"\end{document}" + "\n"
