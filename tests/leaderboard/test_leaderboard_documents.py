"""The documents people read: LaTeX captions numbered as the paper's and nothing shrunk (compiled with pdflatex,
read back with pdftotext), and an HTML page readable at 1400 px (sticky header and method column, ours and the
paper's numbers told apart, the difference coloured by the metric's direction)."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from leaderboard_fakes import write_fake_run

from leaderboard.fill import Cell
from leaderboard.make import fill_tables, render
from leaderboard.render_html import _STYLE, html_cell
from leaderboard.spec import ColumnSpec
from leaderboard.tables import DEFAULT_TABLES, TABLES

TIP = {"fid": 11.2, "lpips": 0.2187, "psnr": 23.7111, "ssim": 0.66549, "clip_i": 0.9431, "clip_t": 0.3062}


@pytest.fixture
def filled(tmp_path):
    runs = tmp_path / "runs"
    write_fake_run(runs, split="coco-param", method="tip", prompts="both", metrics=TIP)
    write_fake_run(runs, split="coco-param", method="classical-prompted", prompts="both", metrics=TIP, n=9,
                   source="sample", weights="none")
    write_fake_run(runs, split="div2k-stablesr", method="stablesr", prompts="none", metrics=TIP, weights="unknown")
    return fill_tables(runs, DEFAULT_TABLES)


def _captions(tex: str) -> list[tuple[str, str]]:
    """(number set for the float, caption text) of every float, in order."""
    return re.findall(r"\\renewcommand\{\\thetable\}\{(\w+)\}\n\\centering\n\\caption\{([^\n]*)\}", tex)


def test_latex_captions_carry_the_papers_numbers_once(filled):
    tex = render(filled, "tex")
    captions = _captions(tex)
    numbers = [number for number, _ in captions]
    assert numbers == ["1", "1", "3", "4", "5", "6", "A", "A"]  # Table 1 and Table A are set in two parts
    assert tex.count(r"\caption{") == len(captions)  # every float numbers itself
    assert not any(text.startswith("Table") for _, text in captions)  # no "Table 3: Table 3: …"
    assert r"\resizebox" not in tex and r"\scalebox" not in tex and r"\footnotesize" not in tex


@pytest.mark.latex
def test_every_table_compiles_at_body_size_with_the_papers_caption_numbers(filled, tmp_path):
    if shutil.which("pdflatex") is None or shutil.which("pdftotext") is None:
        pytest.skip("pdflatex / pdftotext not installed (Debian: texlive-latex-base, poppler-utils)")
    tex = render(filled, "tex")
    (tmp_path / "board.tex").write_text(tex, encoding="utf-8")
    done = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "board.tex"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:]
    text = subprocess.run(["pdftotext", "board.pdf", "-"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, check=True).stdout
    text = " ".join(text.split())
    for key in DEFAULT_TABLES:
        spec = TABLES.get(key)
        assert f"Table {spec.number}: {spec.title}" in text, key
    assert "Table 2" not in text and not re.search(r"Table \w+: Table", text)
    # Nothing is shrunk, so a table too wide for the page would overflow its line: none may.
    log = (tmp_path / "board.log").read_text(encoding="utf-8", errors="replace")
    lines = tex.splitlines()
    tabulars, start = [], None
    for number, line in enumerate(lines, 1):
        if line.startswith(r"\begin{tabular}"):
            start = number
        elif line.startswith(r"\end{tabular}"):
            tabulars.append((start, number))
    overfull = [(int(a), int(b)) for a, b in re.findall(r"Overfull \\hbox \([\d.]+pt too wide\) in \w+ at lines "
                                                        r"(\d+)--(\d+)", log)]
    assert tabulars and not [(a, b) for a, b in overfull for s, e in tabulars if a <= e and b >= s]


def test_html_header_and_method_column_stay_in_view(filled):
    html = render(filled, "html")
    assert "thead{position:sticky;top:0" in _STYLE and ".rowhead{position:sticky;left:0" in _STYLE
    assert html.count('<div class="scroll"><table>') == len(DEFAULT_TABLES)  # each table scrolls in its own box
    rows = re.findall(r"<tr>(.*?)</tr>", html.split("<tbody>", 1)[1].split("</tbody>")[0])
    assert rows and all(row.startswith('<th class="rowhead" scope="row">') for row in rows)


def test_html_tells_ours_from_the_paper_and_colours_the_difference_by_direction():
    from tipbench.metrics.specs import metric_spec

    metrics = {c.metric for key in DEFAULT_TABLES for c in TABLES.get(key).columns if not c.paper_only}
    for metric in sorted(metrics):
        info = metric_spec(metric)
        column = ColumnSpec("coco-param", metric)
        paper = 10 ** -info.decimals * 500
        printed = f"{paper:.{info.decimals}f}"
        step = 10 ** -info.decimals * 7
        for value, higher in ((paper + step, True), (paper - step, False)):
            cell = Cell(column, "ok", value=value, paper=printed)
            text = html_cell(cell)
            ours, below = text.split('<span class="paper"')
            assert ours.startswith('<span class="ours">') and cell.ours_text in ours and printed in below
            better = higher == info.higher_is_better
            assert f'<span class="{"better" if better else "worse"}">' in below, (metric, value)
        tie = html_cell(Cell(column, "ok", value=paper, paper=printed))
        assert '<span class="same">' in tie
