"""LaTeX rendering: one compilable `article` document (amssymb, booktabs, graphicx) holding every table."""

from __future__ import annotations

import re

from leaderboard.cells import banner, legend, mark_lines
from leaderboard.fill import Cell, FilledTable
from leaderboard.provenance import table_provenance

_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{", "}": r"\}",
    "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_UNICODE = {"×": r"$\times$", "✓": r"\checkmark{}", "↑": r"$\uparrow$", "↓": r"$\downarrow$", "−": "-", "—": "--",
            "†": r"\dag{}", "‡": r"\ddag{}", "§": r"\S{}", "¶": r"\P{}", "|": r"$|$"}
_PATTERN = re.compile("|".join(re.escape(k) for k in (*_SPECIAL, *_UNICODE)))


def tex_escape(text: str) -> str:
    """Escape LaTeX specials and map the few non-ASCII symbols the tables use to LaTeX commands.

    >>> print(tex_escape("CLIP_T↑ 50% × ✓"))
    CLIP\\_T$\\uparrow$ 50\\% $\\times$ \\checkmark{}
    """
    return _PATTERN.sub(lambda m: _SPECIAL.get(m.group(0)) or _UNICODE[m.group(0)], text)


def _bold(text: str, on: bool) -> str:
    return rf"\textbf{{{text}}}" if on else text


def latex_cell(cell: Cell) -> str:
    if cell.status == "paper-only":
        return tex_escape(cell.paper or "—") + " (paper)"
    ours = _bold(tex_escape(cell.ours_text), cell.best) + "".join(f"${{}}^{{{m.tex}}}$" for m in cell.marks)
    if cell.note is not None:
        ours += f"~[{cell.note}]"
    if cell.paper is None:
        return ours
    if cell.diff is None:
        return f"{ours} / {_bold(tex_escape(cell.paper), cell.paper_best)}"
    return f"{ours} / {_bold(tex_escape(cell.paper), cell.paper_best)} ({tex_escape(cell.diff_text)})"


def _header_rows(table: FilledTable) -> list[str]:
    spec = table.spec
    lead = 1 + len(spec.descriptor_headers)
    groups: list[tuple[str, int]] = []
    for column in spec.columns:
        label = column.group or column.split
        if groups and groups[-1][0] == label:
            groups[-1] = (label, groups[-1][1] + 1)
        else:
            groups.append((label, 1))
    top = " & " * (lead - 1) + " & " + " & ".join(
        rf"\multicolumn{{{n}}}{{c}}{{{tex_escape(label)}}}" for label, n in groups) + r" \\"
    names = ["Method", *spec.descriptor_headers]
    for column in spec.columns:
        info = column.info
        arrow = "" if column.paper_only else ("↑" if info.higher_is_better else "↓")
        names.append(info.label + arrow)
    return [top, " & ".join(tex_escape(n) for n in names) + r" \\"]


def render_table_latex(table: FilledTable) -> str:
    spec = table.spec
    lines = [r"\begin{table}[ht]", r"\centering", rf"\caption{{{tex_escape(spec.title)}}}"]
    warning = banner(table)
    if warning:
        lines.append(rf"\textbf{{{tex_escape(warning)}}}\par\smallskip")
    colspec = "l" * (1 + len(spec.descriptor_headers)) + "c" * len(spec.columns)
    lines += [r"\resizebox{\textwidth}{!}{%", rf"\begin{{tabular}}{{{colspec}}}", r"\toprule"]
    lines += _header_rows(table)
    lines.append(r"\midrule")
    for row in table.rows:
        cells = [tex_escape(row.spec.label), *(tex_escape(d) for d in row.spec.descriptors)]
        cells += [latex_cell(c) for c in row.cells]
        lines.append(" & ".join(cells) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}}", r"\par\smallskip", r"\footnotesize"]
    lines.append(tex_escape(spec.caption) + " " + tex_escape(legend(table)) + r"\par")
    for line in mark_lines(table, tex=True):
        symbol, _, meaning = line.partition(" ")
        lines.append(rf"${{}}^{{{symbol}}}$ {tex_escape(meaning)}\par")
    for i, note in enumerate(table.notes, 1):
        lines.append(rf"[{i}] {tex_escape(note)}\par")
    lines.append(r"\textit{Provenance:}\par")
    lines += [rf"{tex_escape(p.label)}: {tex_escape(p.text)}\par" for p in table_provenance(table)]
    lines.append(r"\end{table}")
    return "\n".join(lines) + "\n"


def render_latex(tables: list[FilledTable]) -> str:
    preamble = [
        r"\documentclass{article}", r"\usepackage[margin=1.5cm]{geometry}", r"\usepackage{amssymb}",
        r"\usepackage{booktabs}", r"\usepackage{graphicx}", r"\begin{document}",
    ]
    body = [render_table_latex(t) for t in tables]
    return "\n".join(preamble) + "\n" + "\n".join(body) + r"\end{document}" + "\n"
