"""All four formats render from run folders; md and tex parse; csv round-trips; numbers equal the summaries."""

from __future__ import annotations

import pandas as pd
import pytest
from leaderboard_fakes import write_fake_run

from leaderboard.cli import main
from leaderboard.tables import DEFAULT_TABLES, TABLES

TIP_BOTH = {"fid": 11.2, "lpips": 0.2187, "psnr": 23.7111, "ssim": 0.66549, "clip_i": 0.9431, "clip_t": 0.3062}
TIP_NONE = {"fid": 10.0, "lpips": 0.2001, "psnr": 25.0, "ssim": 0.7, "clip_i": 0.95, "clip_t": 0.31}
SWINIR = {"fid": None, "lpips": 0.41, "psnr": 24.123456789, "ssim": 0.7, "clip_i": None, "clip_t": None}


@pytest.fixture
def rendered(tmp_path):
    runs = tmp_path / "runs"
    write_fake_run(runs, split="coco-param", method="tip", prompts="both", metrics=TIP_BOTH)
    write_fake_run(runs, split="coco-param", method="tip", prompts="blind", metrics=TIP_NONE, n=9, source="sample")
    write_fake_run(runs, split="coco-param", method="swinir", prompts="both", metrics=SWINIR)
    write_fake_run(runs, split="coco-realesrgan", method="tip", prompts="both", scored=False)
    out = tmp_path / "out"
    assert main(["--runs-dir", str(runs), "--out", str(out)]) == 0
    return out


def test_all_four_formats_written(rendered):
    for name in ("leaderboard.md", "leaderboard.tex", "leaderboard.csv", "leaderboard.html"):
        assert (rendered / name).stat().st_size > 1000


def test_markdown_tables_parse_with_consistent_shape(rendered):
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse((rendered / "leaderboard.md").read_text())
    tables, current = [], None
    for token in tokens:
        if token.type == "table_open":
            current = []
        elif token.type == "tr_open":
            current.append(0)
        elif token.type in ("th_open", "td_open"):
            current[-1] += 1
        elif token.type == "table_close":
            tables.append(current)
    keys = list(DEFAULT_TABLES)
    assert len(tables) == len(keys) == 6
    for key, cells_per_row in zip(keys, tables):
        spec = TABLES.get(key)
        width = 1 + len(spec.descriptor_headers) + len(spec.columns)
        assert cells_per_row == [width] * (1 + len(spec.rows))


def test_latex_parses_strictly(rendered):
    from pylatexenc.latexwalker import LatexEnvironmentNode, LatexWalker

    text = (rendered / "leaderboard.tex").read_text()
    nodes, _, _ = LatexWalker(text, tolerant_parsing=False).get_latex_nodes()

    def environments(nodelist, name):
        for node in nodelist or []:
            if isinstance(node, LatexEnvironmentNode):
                if node.environmentname == name:
                    yield node
                yield from environments(node.nodelist, name)
            elif getattr(node, "nodelist", None):
                yield from environments(node.nodelist, name)

    document = list(environments(nodes, "document"))
    assert len(document) == 1
    tabulars = list(environments(document[0].nodelist, "tabular"))
    # Table 1 is set as its two halves and Table A as two column groups (nothing is shrunk to fit); each tabular
    # has two header rows and one row per table row (a cell's own line break, `\cellstack{a\\b}`, is inside it).
    halves = {"1": 2, "a": 2}
    keys = [key for key in DEFAULT_TABLES for _ in range(halves.get(key, 1))]
    assert len(tabulars) == len(keys)
    for tabular, key in zip(tabulars, keys):
        spec = TABLES.get(key)
        body = tabular.latex_verbatim()
        assert body.count("\\\\\n") == 2 + len(spec.rows)


def test_csv_round_trips_and_numbers_equal_summaries(rendered):
    frame = pd.read_csv(rendered / "leaderboard.csv", dtype={"table": str, "paper": str, "variant": str,
                                                             "marks": str},
                        keep_default_na=False, na_values={"ours": [""], "diff": [""]})
    frame["paper"] = frame.paper.fillna("")
    assert len(frame) == sum(len(TABLES.get(k).rows) * len(TABLES.get(k).columns) for k in DEFAULT_TABLES)
    ours = frame[(frame.table == "1") & (frame.row == "Ours") & (frame.split == "coco-param")]
    assert dict(zip(ours.metric, ours.ours)) == TIP_BOTH  # exact, full precision
    assert set(ours.status) == {"ok"} and ours.benchmark.all()
    fid = ours[ours.metric == "fid"].iloc[0]
    assert fid.paper == "11.34" and fid["diff"] == pytest.approx(11.2 - 11.34)
    swinir = frame[(frame.table == "1") & (frame.row == "SwinIR") & (frame.split == "coco-param")].set_index("metric")
    assert swinir.loc["psnr", "ours"] == 24.123456789
    assert swinir.loc["fid", "status"] == "null" and "weights missing" in swinir.loc["fid", "note"]
    # Paper columns equal the transcription, as printed (zeros kept).
    for key in "13456":
        spec = TABLES.get(key)
        part = frame[frame.table == key]
        for row in spec.rows:
            printed = part[part.row == row.label]
            shown = {k: v for k, v in zip(printed.split + ":" + printed.metric, printed.paper) if v}
            assert shown == row.paper


def test_missing_runs_say_not_run_with_reason(rendered):
    frame = pd.read_csv(rendered / "leaderboard.csv", keep_default_na=False, dtype={"table": str})
    missing = frame[frame.status == "not-run"]
    assert len(missing) > 0 and (missing.note.str.contains("no run folder|no prompt walk")).all()
    assert (missing.ours == "").all()  # never a zero
    unscored = frame[(frame.table == "1") & (frame.row == "Ours") & (frame.split == "coco-realesrgan")]
    assert set(unscored.status) == {"null"} and unscored.note.str.contains("not scored").all()
    markdown = (rendered / "leaderboard.md").read_text()
    assert "not run [" in markdown and "| |" not in markdown.replace("| | ", "")


def test_markdown_shows_summary_values_and_bold_best(rendered):
    markdown = (rendered / "leaderboard.md").read_text()
    table1 = markdown.split("## Table 3")[0]
    ours_row = next(line for line in table1.splitlines() if line.startswith("| Ours |"))
    # Ours is the only benchmark run: bold; the sample-sourced "w/o text" row is better but marked and never bold.
    assert "**11.20** / **11.34** (-0.14)" in ours_row
    assert "| 23.71 / 23.61 (+0.10) |" in ours_row  # SwinIR's 24.12 is the best benchmark PSNR
    swinir_row = next(line for line in table1.splitlines() if line.startswith("| SwinIR |"))
    assert "**24.12** / **24.40** (-0.28)" in swinir_row
    wo_text = next(line for line in table1.splitlines() if line.startswith("| Ours w/o text |"))
    assert "10.00†§" in wo_text and "**10.00" not in wo_text
    assert "NOT THE BENCHMARK" in table1


def test_not_run_reason_comes_from_the_method_registry(tmp_path):
    from leaderboard.make import fill_tables
    from tipbench.methods import readiness

    table = fill_tables(tmp_path, ("1",))[0]
    for row in table.rows:
        match = row.spec.matches[0]
        note = table.notes[row.cells[0].note - 1]
        problems = readiness(match.method, match.variant)
        assert note.startswith(row.spec.label + ": ") and "no run folder coco-param/" in note
        assert all(problem.detail in note for problem in problems)
        assert ("(no run folder" in note) == bool(problems)  # a ready method's note names only the folders


def test_html_tables_parse_with_consistent_shape(rendered):
    from html.parser import HTMLParser

    class TableShapes(HTMLParser):
        def __init__(self):
            super().__init__()
            self.tables, self.open = [], []

        def handle_starttag(self, tag, attrs):
            span = int(dict(attrs).get("colspan", 1))
            if tag == "table":
                self.tables.append([])
            elif tag == "tr":
                self.tables[-1].append(0)
            elif tag in ("td", "th"):
                self.tables[-1][-1] += span
            if tag not in ("br", "meta", "sup", "b", "span", "i"):
                self.open.append(tag)

        def handle_endtag(self, tag):
            if tag not in ("sup", "b", "span", "i"):
                assert self.open.pop() == tag  # well nested

    parser = TableShapes()
    parser.feed((rendered / "leaderboard.html").read_text())
    assert parser.open == []
    assert len(parser.tables) == len(DEFAULT_TABLES)
    for key, widths in zip(DEFAULT_TABLES, parser.tables):
        spec = TABLES.get(key)
        width = 1 + len(spec.descriptor_headers) + len(spec.columns)
        assert widths == [width] * (2 + len(spec.rows))  # group header + metric header + rows


def test_provenance_never_prints_none_for_what_no_run_recorded(tmp_path):
    from leaderboard.make import fill_tables
    from leaderboard.provenance import table_provenance

    runs = tmp_path / "runs"
    write_fake_run(runs, split="coco-param", method="tip", prompts="both", scored=False)
    for table in fill_tables(runs, DEFAULT_TABLES):
        lines = {p.label: p.text for p in table_provenance(table)}
        text = " ".join(f"{label}: {value}" for label, value in lines.items())
        assert "tipbench none" not in text and "protocol: none" not in text and ": none |" not in text, text
        if not table.runs:  # Table 3 has no run here: it says so, once
            assert lines == {"runs": "none: no cell of this table comes from a run",
                             "package": lines["package"]} and "runs made with" not in lines["package"]
        else:  # an unscored run: its protocol is unknown, said as such
            assert lines["protocol"] == "unscored" and "runs made with tipbench 0.1.0" in lines["package"]
