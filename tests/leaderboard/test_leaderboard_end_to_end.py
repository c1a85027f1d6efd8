"""Acceptance: real run folders from `tipbench.run` (classical-prompted, bicubic, tiny random TIP) → all formats."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from leaderboard.cli import main as leaderboard
from tests.tiny_splits import make_small_split
from tipbench.io import read_json


@pytest.fixture(scope="module")
def produced(tmp_path_factory):
    from reference_model.tiny import save_tiny_pipeline
    from tipbench.run import main as run

    root = tmp_path_factory.mktemp("e2e")
    make_small_split(root / "splits", "coco-param", "param")
    make_small_split(root / "splits", "coco-realesrgan", "realesrgan", size=64)
    checkpoint = save_tiny_pipeline(root / "tiny-tip", prompts="both")
    where = ["--splits-dir", str(root / "splits"), "--runs-dir", str(root / "runs"), "-q"]
    assert run(["--method", "classical-prompted", "--split", "coco-param", *where]) == 0
    assert run(["--method", "bicubic", "--split", "coco-realesrgan", *where]) == 0
    assert run(["--method", "tip", "--checkpoint", str(checkpoint), "--split", "coco-param", "--option", "steps=2",
                *where]) == 0
    out = root / "leaderboard"
    assert leaderboard(["--runs-dir", str(root / "runs"), "--out", str(out)]) == 0
    return root, out


def test_numbers_equal_the_run_summaries(produced):
    root, out = produced
    frame = pd.read_csv(out / "leaderboard.csv", dtype={"table": str, "paper": str}, keep_default_na=False,
                        na_values={"ours": [""]})
    rows = {"Ours": "coco-param/tip/both", "Classical prompted (reference, not in paper)":
            "coco-param/classical-prompted/both", "Bicubic (reference, not in paper)": "coco-realesrgan/bicubic/both"}
    for label, folder in rows.items():
        summary = read_json(root / "runs" / folder / "summary.json")
        cells = frame[(frame.table == "1") & (frame.row == label) & (frame.split == folder.split("/")[0])]
        assert len(cells) == 6
        for cell in cells.itertuples():
            if summary[cell.metric] is None:  # no metric weights on this machine: said so, never a zero
                assert cell.status == "null" and cell.note
            else:
                assert cell.status == "ok" and cell.ours == summary[cell.metric]
    assert frame[(frame.table == "1") & (frame.row == "Ours") & (frame.metric == "psnr")
                 & (frame.split == "coco-param")].status.item() == "ok"


def test_every_number_is_marked_as_not_the_benchmark(produced):
    _, out = produced
    frame = pd.read_csv(out / "leaderboard.csv", dtype={"table": str}, keep_default_na=False)
    measured = frame[frame.status.isin(["ok", "null"]) & (frame.run_dir != "")]
    assert len(measured) >= 18 and not measured.benchmark.any()
    assert measured.marks.str.contains("not-paper-data").all() and measured.marks.str.contains("small-n").all()
    tip = measured[measured.row == "Ours"]
    assert tip.marks.str.contains("random-weights").all()  # the tiny checkpoint says "weights": "random"
    markdown = (out / "leaderboard.md").read_text()
    assert "NOT THE BENCHMARK" in markdown and "†" in markdown and "‡" in markdown


def test_all_formats_render_with_provenance(produced):
    root, out = produced
    manifest_sha = json.loads((root / "splits" / "coco-param" / "split.json").read_text())["manifest_sha256"]
    for name in ("leaderboard.md", "leaderboard.tex", "leaderboard.html"):
        text = (out / name).read_text()
        assert manifest_sha[:12] in text and "tipbench-v1" in text
    from pylatexenc.latexwalker import LatexWalker

    LatexWalker((out / "leaderboard.tex").read_text(), tolerant_parsing=False).get_latex_nodes()


@pytest.mark.slow
def test_table_a_from_real_adherence_and_walk_outputs(tmp_path):
    """coco-selective built from the sample, classical-prompted run, adherence scored and walked, Table A rendered."""
    from tipbench.adherence.cli import main as adherence
    from tipbench.build import main as build
    from tipbench.run import main as run

    splits, runs, out = tmp_path / "splits", tmp_path / "runs", tmp_path / "lb"
    assert build(["--split", "coco-selective", "--limit", "1", "--out", str(splits), "--no-progress", "-q"]) == 0
    where = ["--splits-dir", str(splits), "--runs-dir", str(runs)]
    assert run(["--method", "classical-prompted", "--prompts", "restoration", "--split", "coco-selective", *where,
                "-q"]) == 0
    run_dir = runs / "coco-selective" / "classical-prompted" / "restoration"
    assert adherence([str(run_dir), "--splits-dir", str(splits), "-q", "--no-progress"]) == 0
    assert adherence(["walk", "--method", "classical-prompted", "--n", "1", *where, "--no-progress"]) == 0
    assert leaderboard(["--runs-dir", str(runs), "--out", str(out), "--tables", "a", "--format", "csv,md"]) == 0
    frame = pd.read_csv(out / "leaderboard.csv", keep_default_na=False, na_values={"ours": [""]})
    row = frame[frame.row == "classical-prompted"].set_index("metric")
    scores = read_json(run_dir / "adherence.json")
    walk = read_json(runs / "coco-selective" / "classical-prompted" / "walk" / "walk.json")
    assert row.loc["target_psnr", "ours"] == scores["target_psnr"]
    assert row.loc["controllability", "ours"] == walk["controllability"] and walk["controllability"] > 0
    assert row.marks.str.contains("not-paper-data").all() and not row.benchmark.any()
