"""`python -m tipbench.reproduce`: the plan of a table comes from the leaderboard's spec and the registries, says
why every run that cannot happen here cannot, estimates what it can; the full command builds, runs, scores and
renders, and a second call redoes nothing."""

from __future__ import annotations

import pytest

from tests.tiny_splits import make_small_split
from tipbench import paths
from tipbench.reproduce import main

PAPER_ROWS_OF_TABLE_1 = 9


@pytest.fixture
def fresh_machine(tmp_path, monkeypatch):
    """No data, no weights, no clones, no sources: a fresh clone's environment."""
    from tipbench import weights

    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "home"))
    monkeypatch.setenv(paths.ENV_WEIGHTS, str(tmp_path / "weights"))
    for name in (paths.ENV_COCO_ROOT, paths.ENV_DIV2K_ROOT, paths.ENV_STABLESR_TESTSETS, paths.ENV_STABLESR_REPO,
                 paths.ENV_STABLESR_PYTHON, paths.ENV_DIFFBIR_REPO, paths.ENV_DIFFBIR_PYTHON, "WORLD_SIZE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(weights, "_library_cache_paths", lambda spec: [])
    return tmp_path / "home"


def _plan_lines(capsys, *args: str) -> list[str]:
    assert main(["--table", *args, "--plan", "-q"]) == 0
    return capsys.readouterr().out.splitlines()


def _run_line(lines: list[str], split: str, row: str) -> str:
    found = [line for line in lines if f" {split} " in line and f"  {row}  " in line and " run " in line]
    assert len(found) == 1, (split, row, lines)
    return found[0]


def test_plan_of_table_1_on_a_fresh_machine_lists_both_splits_every_row_and_why(fresh_machine, capsys):
    from leaderboard.tables import TABLES

    table = TABLES.get("1")
    lines = _plan_lines(capsys, "1")
    for split in ("coco-param", "coco-realesrgan"):
        assert any(line.split()[:2] == [split, "to"] and "bundled sample" in line for line in lines), split
    paper_rows = [row for row in table.rows if row.paper]
    assert len(paper_rows) == PAPER_ROWS_OF_TABLE_1 and len(table.rows) > PAPER_ROWS_OF_TABLE_1
    for row in table.rows:
        for split in table.splits:
            line = _run_line(lines, split, row.label)
            if row in paper_rows:  # nothing of theirs is here: each says what is missing
                assert line.split()[0] == "missing", line
                assert any(kind in line for kind in ("weights: missing", "clone: ", "checkpoint: ")), line
            else:  # the reference rows need nothing but their split
                assert line.split()[0] == "ready" and "builds " + split in line, line
    why = "\n".join(lines[lines.index("why (from the method registry and the split sources):"):])
    assert "put `003_realSR_BSRGAN_DFO_s64w8_SwinIR-M_x4_GAN.pth` in" in why  # the full registry message
    assert "$TIPBENCH_DIFFBIR_REPO" in why and "--checkpoint METHOD[@VARIANT]=DIR" in why
    assert lines[-1] == f"0 done, 4 ready, {2 * PAPER_ROWS_OF_TABLE_1} missing (of {2 * len(table.rows)} steps)"


def test_a_scored_run_is_done_and_its_rate_prices_the_same_method_elsewhere(fresh_machine, capsys):
    from tipbench.run import main as run

    make_small_split(fresh_machine / "splits", "coco-param", n=2, size=48)
    assert run(["--method", "bicubic", "--split", "coco-param", "--prompts", "none", "-q"]) == 0
    lines = _plan_lines(capsys, "1")
    assert _run_line(lines, "coco-param", "Bicubic (reference, not in paper)").split()[0] == "done"
    elsewhere = _run_line(lines, "coco-realesrgan", "Bicubic (reference, not in paper)")
    assert elsewhere.split()[0] == "ready" and " ~" in elsewhere  # 3000 items at the measured rate
    assert any("bicubic: " in line and "measured in coco-param/bicubic/none" in line for line in lines)
    assert any(line.startswith("  coco-param ") and "built" in line and "2 items" in line for line in lines)


@pytest.mark.parametrize("key", ["3", "4", "5", "6", "a"])
def test_every_table_has_a_plan(fresh_machine, capsys, key):
    from leaderboard.tables import TABLES

    lines = _plan_lines(capsys, key)
    for row in TABLES.get(key).rows:
        assert any(row.label in line for line in lines), row.label
    if key == "a":  # adherence columns add adherence scoring, walk columns a prompt walk of the method
        assert any(" adherence " in line and "classical-prompted" in line for line in lines)
        assert any(" walk " in line and "classical-prompted" in line and line.split()[0] == "ready" for line in lines)


def test_unknown_table_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--table", "2", "--plan"])
    assert exit_info.value.code == 2 and "--table" in capsys.readouterr().err


@pytest.mark.slow
def test_reproduce_table_1_on_the_sample_fills_the_reference_rows_and_never_redoes_work(fresh_machine, capsys):
    from leaderboard.make import fill_tables
    from tipbench.contracts.run_folder import RUN_JSON

    assert main(["--table", "1", "--limit", "2", "--no-progress", "-q"]) == 0
    out = capsys.readouterr().out
    assert "## Table 1" in out and "wrote " in out
    (filled,) = fill_tables(fresh_machine / "runs", ("1",))
    for row in filled.rows:
        psnr = [cell for cell in row.cells if cell.column.metric == "psnr"]
        states = {cell.status for cell in psnr}
        assert states == ({"ok"} if "reference" in row.spec.label else {"not-run"}), row.spec.label
    stamps = {p: p.stat().st_mtime_ns for p in (fresh_machine / "runs").rglob(RUN_JSON)}
    assert len(stamps) == 4
    assert main(["--table", "1", "--limit", "2", "--no-progress", "-q"]) == 0
    assert {p: p.stat().st_mtime_ns for p in (fresh_machine / "runs").rglob(RUN_JSON)} == stamps
    lines = _plan_lines(capsys, "1")
    assert lines[-1].startswith("4 done, 0 ready")


def test_array_tasks_need_built_splits(fresh_machine, capsys):
    assert main(["--table", "1", "--shard", "0/2", "--no-progress", "-q"]) == 1
    captured = capsys.readouterr()
    assert "error: split coco-param: build failed" in captured.err and "Traceback" not in captured.err
    assert "## Table 1" in captured.out and not (fresh_machine / "runs").exists()


@pytest.mark.slow
def test_array_tasks_each_do_their_shard_and_the_last_one_scores_every_run(fresh_machine, capsys):
    from tipbench.contracts.run_folder import RUN_JSON
    from tipbench.io import read_json

    for split in ("coco-param", "coco-realesrgan"):
        make_small_split(fresh_machine / "splits", split, n=3, size=48)
    for shard in ("1/2", "0/2"):
        assert main(["--table", "1", "--shard", shard, "--no-progress", "-q"]) == 0
    records = [read_json(path) for path in (fresh_machine / "runs").rglob(RUN_JSON)]
    assert len(records) == 4 and {(r["processes"], r["status"]) for r in records} == {(2, "complete")}
    assert len(list((fresh_machine / "runs").rglob("summary.json"))) == 4
    assert _plan_lines(capsys, "1")[-1].startswith("4 done, 0 ready")


@pytest.mark.slow
def test_reproduce_under_accelerate_builds_once_and_shares_every_run(fresh_machine):
    from tests.launchers import launch
    from tipbench.contracts.run_folder import RUN_JSON
    from tipbench.io import read_json

    done = launch("tipbench.reproduce", "--table", "1", "--limit", "2", "--device", "cpu", "--no-progress")
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("## Table 1") == 1  # the main rank renders
    records = [read_json(path) for path in (fresh_machine / "runs").rglob(RUN_JSON)]
    assert len(records) == 4 and {(r["processes"], r["status"]) for r in records} == {(2, "complete")}
    assert len(list((fresh_machine / "runs").rglob("summary.json"))) == 4
