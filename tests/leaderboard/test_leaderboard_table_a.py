"""Table A (instruction adherence): rows from the method registry, cells from adherence.json and walk.json."""

from __future__ import annotations

import pytest
from leaderboard_fakes import paper_verdict, write_fake_run

from leaderboard.make import fill_tables, render
from leaderboard.tables import TABLES
from tipbench.adherence.scoring import SCORE_KEYS, SUMMARY_KEYS
from tipbench.adherence.walk import controllability
from tipbench.io import write_json

SPLIT = "coco-selective"


def write_adherence(run_dir, scores, *, source="coco", n=3000, weights="real"):
    data = dict.fromkeys(SUMMARY_KEYS)
    data.update({"source": source, "paper_data": paper_verdict(source), "n": n, "weights": weights,
                 "full_split": n == 3000 and paper_verdict(source),
                 "null_reasons": {}, **dict.fromkeys(SCORE_KEYS), **scores})
    write_json(run_dir / "adherence.json", data)


def write_walk(runs, method, scores, *, n=16, source="coco"):
    data = {"method": method, "variant": None, "split": SPLIT, "source": source, "paper_data": paper_verdict(source),
            "n": n,
            **controllability([]), **scores}
    write_json(runs / SPLIT / method / "walk" / "walk.json", data)


@pytest.fixture
def table_a(tmp_path):
    runs = tmp_path / "runs"
    instructed = write_fake_run(runs, split=SPLIT, method="classical-prompted", prompts="restoration")
    write_adherence(instructed, {"target_psnr": 31.5, "target_ssim": 0.9, "target_lpips": 0.1, "removal": 0.8,
                                 "preservation": 0.7})
    blind = write_fake_run(runs, split=SPLIT, method="classical-prompted", prompts="none")
    write_adherence(blind, {"target_psnr": 25.0, "target_ssim": 0.7, "target_lpips": 0.3, "removal": 0.3,
                            "preservation": 0.2})
    bicubic = write_fake_run(runs, split=SPLIT, method="bicubic", prompts="both")
    write_adherence(bicubic, {"target_psnr": 24.0, "target_ssim": 0.75, "target_lpips": 0.35, "removal": 0.0,
                              "preservation": 1.0}, source="sample", n=2)
    write_walk(runs, "classical-prompted", {"controllability": 0.9, "controllability_denoise": 1.0,
                                            "controllability_deblur": 0.8})
    write_walk(runs, "bicubic", {"controllability": 0.0, "controllability_denoise": 0.0,
                                 "controllability_deblur": 0.0})
    return fill_tables(runs, ("a",))[0]


def cells_of(table, label):
    row = next(r for r in table.rows if r.spec.label == label)
    return {c.column.metric: c for c in row.cells}


def test_columns_read_keys_the_adherence_module_writes():
    spec = TABLES.get("a")
    walk_keys = set(controllability([]))
    for column in spec.columns:
        assert column.metric in (SCORE_KEYS if column.source == "adherence" else walk_keys)


def test_rows_cover_every_prompt_reading_method_and_the_blind_reference():
    from tipbench.methods import METHODS

    labels = [row.label for row in TABLES.get("a").rows]
    for key in METHODS.names():
        spec = METHODS.get(key)
        assert key in labels
        if spec.uses_restoration_prompt:
            assert f"{key} (blind)" in labels and labels.index(key) < labels.index(f"{key} (blind)")


def test_cells_equal_the_json_files_and_marks_apply(table_a):
    instructed = cells_of(table_a, "classical-prompted")
    assert instructed["target_psnr"].value == 31.5 and instructed["removal"].value == 0.8
    assert instructed["controllability_denoise"].value == 1.0 and instructed["controllability"].value == 0.9
    assert all(c.is_benchmark for c in instructed.values())
    assert instructed["target_psnr"].best and instructed["target_lpips"].best and instructed["controllability"].best
    blind = cells_of(table_a, "classical-prompted (blind)")
    assert blind["target_psnr"].value == 25.0 and not blind["target_psnr"].best
    assert blind["controllability"].status == "null" and "blind row" in table_a.notes[blind["controllability"].note - 1]
    bicubic = cells_of(table_a, "bicubic")
    assert bicubic["preservation"].value == 1.0 and not bicubic["preservation"].best  # sample-sourced: marked
    assert {m.code for m in bicubic["preservation"].marks} == {"not-paper-data", "small-n"}
    assert bicubic["controllability"].value == 0.0 and bicubic["controllability"].is_benchmark
    tip = cells_of(table_a, "tip")
    assert {c.status for c in tip.values()} == {"not-run"}


def test_table_a_renders_in_every_format(table_a):
    markdown = render([table_a], "md")
    assert "## Table A: Instruction adherence" in markdown and "**31.50**" in markdown and "24.00†§" in markdown
    assert "paper has no such table" in markdown
    assert "- prompt walks: " in markdown and "classical-prompted: n 16" in markdown
    for fmt in ("tex", "csv", "html"):
        assert "31.5" in render([table_a], fmt)
