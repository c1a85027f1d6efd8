"""Marking rules: a number that is not the benchmark is never shown unmarked, in any format.

Not the benchmark: not the paper's data (sample, user folder, unverified source), random or unknown-provenance
weights, N < 3000, or a summary that says it is not comparable. A run whose restorer ignored a prompt its row needs
never fills that row at all.
"""

from __future__ import annotations

import tempfile
from html import escape
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from leaderboard_fakes import paper_verdict, write_fake_run

from leaderboard.collect import read_run
from leaderboard.fill import FilledTable
from leaderboard.make import fill_tables, render
from leaderboard.marks import NOT_COMPARABLE, NOT_PAPER_DATA, RANDOM_WEIGHTS, SMALL_N, run_marks
from leaderboard.render_csv import csv_records
from leaderboard.render_html import html_cell
from leaderboard.render_latex import latex_cell, tex_escape
from leaderboard.render_markdown import markdown_cell
from leaderboard.tables import TABLES
from tipbench.adherence.scoring import SCORE_KEYS, SUMMARY_KEYS
from tipbench.io import write_json

METRICS = {"fid": 9.87, "lpips": 0.1234, "psnr": 31.4159, "ssim": 0.8765, "clip_i": 0.9876, "clip_t": 0.3456}
ADHERENCE = {"target_psnr": 27.5, "target_ssim": 0.81, "target_lpips": 0.21, "removal": 0.66, "preservation": 0.55}


def _marks(tmp_path: Path, **kwargs) -> set[str]:
    run_dir = write_fake_run(tmp_path, split="coco-param", method="tip", prompts="both", metrics=METRICS, **kwargs)
    return {m.code for m in run_marks(read_run(run_dir))}


def test_benchmark_run_is_unmarked(tmp_path):
    assert _marks(tmp_path) == set()


def test_each_rule_marks(tmp_path):
    assert NOT_PAPER_DATA.code in _marks(tmp_path / "a", source="sample")
    assert RANDOM_WEIGHTS.code in _marks(tmp_path / "b", weights="random")
    assert SMALL_N.code in _marks(tmp_path / "c", n=2999)
    assert _marks(tmp_path / "d", comparable=False) == {NOT_COMPARABLE.code}


def test_unknown_weight_provenance_is_marked_like_random(tmp_path):
    # an adapter-only checkpoint without tipbench.json runs as "weights": "unknown" (reference_model.restorer)
    assert RANDOM_WEIGHTS.code in _marks(tmp_path / "a", weights="unknown")
    assert RANDOM_WEIGHTS.code in _marks(tmp_path / "b", weights="real", summary_weights="unknown")
    # a weightless method scored with every metric network is the benchmark; "none" is not "unknown"
    assert _marks(tmp_path / "c", weights="none", summary_weights="real") == set()


def test_only_the_papers_sources_count_as_its_data(tmp_path):
    # `folder` (any image folder), the sample and an extracted StableSR folder whose files cannot be checked never
    # count, even when a summary claims comparability; COCO val2017, DIV2K valid HR and the checked zip do.
    for kind in ("folder", "sample", "stablesr", None):
        assert NOT_PAPER_DATA.code in _marks(tmp_path / str(kind), source=kind, comparable=True), kind
    for kind in ("coco", "div2k", "stablesr-zip"):
        assert NOT_PAPER_DATA.code not in _marks(tmp_path / kind, source=kind), kind


def test_a_forged_paper_data_claim_on_a_folder_source_is_still_marked(tmp_path):
    from tipbench.io import read_json

    run_dir = write_fake_run(tmp_path, split="coco-param", method="tip", prompts="both", metrics=METRICS,
                             source="folder", comparable=True)
    summary = read_json(run_dir / "summary.json")
    write_json(run_dir / "summary.json", {**summary, "paper_data": True})
    assert NOT_PAPER_DATA in run_marks(read_run(run_dir))


def _row(table: FilledTable, label: str):
    return next(row for row in table.rows if row.spec.label == label)


def test_a_run_that_ignored_a_required_prompt_never_fills_its_row(tmp_path):
    runs = tmp_path / "runs"
    # plain ControlNet-SR fed captions drops them: its numbers are ControlNet-SR's, not "+ CLIP"'s
    write_fake_run(runs, split="coco-param", method="controlnet-sr", prompts="semantic", metrics=METRICS,
                   ignored_prompts=["semantic"])
    # a `tip` checkpoint that ignores c_s cannot fill "Ours" (Sem ✓ Res ✓)
    write_fake_run(runs, split="coco-param", method="tip", prompts="both", metrics=METRICS,
                   ignored_prompts=["semantic"])
    # ignoring a prompt the row does not need is fine: DiffBIR + CLIP fed both ignores c_r
    write_fake_run(runs, split="coco-param", method="diffbir-clip", prompts="both", metrics=METRICS,
                   ignored_prompts=["restoration"])
    (table,) = fill_tables(runs, ("1",))
    for label in ("ControlNet-SR + CLIP", "Ours"):
        cells = [c for c in _row(table, label).cells if c.column.split == "coco-param"]
        assert all(c.status == "not-run" for c in cells), label
    note = table.notes[_row(table, "Ours").cells[0].note - 1]
    assert "coco-param/tip/both ignored the semantic prompt" in note and "requires" in note
    assert all(c.status == "ok" for c in _row(table, "DiffBIR + CLIP").cells if c.column.split == "coco-param")
    assert "31.42" not in markdown_cell(_row(table, "ControlNet-SR + CLIP").cells[2])


def test_a_run_json_that_does_not_record_ignored_prompts_cannot_fill_a_prompted_row(tmp_path):
    from tipbench.io import read_json

    runs = tmp_path / "runs"
    run_dir = write_fake_run(runs, split="coco-param", method="tip", prompts="both", metrics=METRICS)
    record = read_json(run_dir / "run.json")
    del record["ignored_prompts"]
    write_json(run_dir / "run.json", record)
    (table,) = fill_tables(runs, ("1",))
    assert all(c.status == "not-run" for c in _row(table, "Ours").cells if c.column.split == "coco-param")


# --- the property: every source × weights × N × ignored prompts, every row of every table, every renderer ----

SOURCES = ("coco", "div2k", "stablesr-zip", "stablesr", "folder", "sample", None)
WEIGHTS = ("real", "random", "unknown", "none", None)
TABLE_KEYS = tuple(TABLES.names())


def _write_adherence(run_dir: Path, *, source, n, weights, comparable) -> None:
    data = dict.fromkeys(SUMMARY_KEYS)
    data.update({**dict.fromkeys(SCORE_KEYS), **ADHERENCE, "source": source, "paper_data": paper_verdict(source),
                 "n": n, "weights": weights, "null_reasons": {}, "full_split": comparable})
    write_json(run_dir / "adherence.json", data)


def _rendered_marked(cell, docs: dict[str, str]) -> None:
    """`cell` is drawn with its marks right after the number in every format, and the documents hold it."""
    shown = cell.ours_text
    md, html, tex = markdown_cell(cell), html_cell(cell), latex_cell(cell)
    assert md in docs["md"] and html in docs["html"] and tex in docs["tex"]
    assert f"{shown}{''.join(m.symbol for m in cell.marks)}" in md
    assert f'{shown}<sup class="mark" title="{escape(cell.marks[0].meaning)}">{cell.marks[0].symbol}</sup>' in html
    assert f"{tex_escape(shown)}${{}}^{{{cell.marks[0].tex}}}$" in tex


def _rendered_unmarked(cell, docs: dict[str, str]) -> None:
    md, html, tex = markdown_cell(cell), html_cell(cell), latex_cell(cell)
    assert md in docs["md"] and html in docs["html"] and tex in docs["tex"]
    assert not any(symbol in md for symbol in "†‡§¶") and 'class="mark"' not in html and "${}^{" not in tex


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(key=st.sampled_from(TABLE_KEYS), source=st.sampled_from(SOURCES), run_weights=st.sampled_from(WEIGHTS),
       summary_weights=st.sampled_from(WEIGHTS), n=st.sampled_from([9, 2999, 3000]),
       ignored=st.sets(st.sampled_from(["semantic", "restoration"])), comparable=st.booleans())
def test_no_marked_run_ever_renders_unmarked(key, source, run_weights, summary_weights, n, ignored, comparable):
    spec = TABLES.get(key)
    with tempfile.TemporaryDirectory() as tmp:
        runs = Path(tmp)
        for row in spec.rows:  # one run per row (its first match and policy), all with the drawn properties
            match = row.matches[0]
            for split in spec.splits:
                run_dir = write_fake_run(runs, split=split, method=match.method, prompts=match.prompts[0],
                                         variant=match.variant, metrics=METRICS, n=n, source=source,
                                         weights=run_weights, summary_weights=summary_weights,
                                         comparable=comparable, ignored_prompts=sorted(ignored))
                if split == "coco-selective":
                    _write_adherence(run_dir, source=source, n=n, weights=summary_weights, comparable=comparable)
        (table,) = fill_tables(runs, (key,))
        docs = {fmt: render([table], fmt) for fmt in ("md", "html", "tex")}
        vouched = {run_weights, summary_weights} - {None}
        benchmark = (paper_verdict(source) and n == 3000 and comparable and bool(vouched)
                     and vouched <= {"real", "none"})
        records = {(r["row"], r["split"], r["metric"]): r for r in csv_records([table])}
        for row in table.rows:
            lost = bool(set(row.spec.requires) & ignored)
            for cell in row.cells:
                if cell.column.source == "walk" or cell.column.paper_only:
                    continue
                if lost:  # the run ignored a prompt the row needs: it fills nothing
                    assert cell.status == "not-run", (row.spec.label, cell.column.key)
                    continue
                assert cell.status == "ok", (row.spec.label, cell.column.key)
                record = records[(row.spec.label, cell.column.split, cell.column.metric)]
                if benchmark:
                    assert cell.is_benchmark and not record["marks"]
                    _rendered_unmarked(cell, docs)
                else:
                    assert cell.marks and not cell.is_benchmark and not cell.best and record["marks"]
                    _rendered_marked(cell, docs)
        if not benchmark and any(c.status == "ok" and not c.column.paper_only for r in table.rows for c in r.cells):
            assert all("NOT THE BENCHMARK" in doc for doc in docs.values())
