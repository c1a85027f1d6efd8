"""Which runs fill our own rows: Table 1's and Table 3's "Ours w/o text" read the `blind` policy (Table 3's
fine-tuned row its fine-tuning prompt, `none`), and Table 6 shows our measured parameter ratios beside the paper's."""

from __future__ import annotations

from leaderboard_fakes import write_fake_run

from leaderboard.make import fill_tables
from leaderboard.tables import TABLES
from tipbench.contracts.prompt_policy import BLIND, NONE

BLIND_RUN = {"fid": 12.0, "lpips": 0.22, "psnr": 23.9, "ssim": 0.67, "clip_i": 0.94, "clip_t": 0.3}
EMPTY_RUN = {"fid": 30.0, "lpips": 0.40, "psnr": 20.0, "ssim": 0.50, "clip_i": 0.80, "clip_t": 0.2}


def _row(table, label):
    return next(row for row in table.rows if row.spec.label == label)


def test_ours_without_text_reads_the_blind_runs_not_the_empty_prompt(tmp_path):
    for split in ("coco-param", "div2k-stablesr"):
        write_fake_run(tmp_path, split=split, method="tip", prompts=NONE, metrics=EMPTY_RUN)
        write_fake_run(tmp_path, split=split, method="tip", prompts=BLIND, metrics=BLIND_RUN)
    table1, table3 = fill_tables(tmp_path, ("1", "3"))
    row = _row(table1, "Ours w/o text")
    assert row.runs["coco-param"].prompts == BLIND
    assert [cell.value for cell in row.cells if cell.column.split == "coco-param"][0] == 12.0
    assert _row(table3, "Ours w/o text (zero-shot)").runs["div2k-stablesr"].prompts == BLIND
    assert "`blind`" in TABLES.get("1").caption and "`blind`" in TABLES.get("3").caption


def test_table3_finetuned_row_reads_its_fine_tuning_prompt():
    row = next(r for r in TABLES.get("3").rows if r.label == "Ours w/o text (finetuned)")
    assert [(m.method, m.variant, m.prompts) for m in row.matches] == [("tip", "div2k-ft", (NONE,))]
    assert "`none`" in TABLES.get("3").caption


def test_table6_shows_measured_parameter_ratios_beside_the_papers(tmp_path):
    table = fill_tables(tmp_path, ("6",))[0]
    ratios = {row.spec.label: row.cells[0] for row in table.rows}
    assert {label: (cell.status, round(cell.value, 3), cell.paper) for label, cell in ratios.items()} == {
        "Ours w/ prompts (no modulation)": ("ok", 1.0, "1"),
        "Ours w/ prompts (f_skip + f_up)": ("ok", 1.047, "1.06"),
        "Ours w/ prompts": ("ok", 1.032, "1.03"),
    }
    assert ratios["Ours w/ prompts (f_skip + f_up)"].diff_text == "-0.01"
    caption = TABLES.get("6").caption
    assert "f_up design" in caption and "1.047" in caption and "not measured" not in caption
