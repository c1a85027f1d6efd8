"""Received run folders and score files (issue 18): run.json, failures.jsonl, out/ and the files the leaderboard
reads are checked; a bad one is one `error:` line (or, for the leaderboard, a run skipped with a warning), never a
traceback and never a read or write outside the folders named on the command line."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from untrusted_helpers import bomb_png, snapshot

from tests.conftest import error_text
from tests.tiny_splits import make_param_split
from tipbench.run import main as run_main
from tipbench.score import main as score_main

SPLIT = "synthetic-param"


@pytest.fixture
def run_dir(tmp_path: Path, capsys) -> Path:
    make_param_split(tmp_path / "splits", SPLIT, n=3, size=32)
    assert run_bicubic(tmp_path) == 0
    capsys.readouterr()
    return tmp_path / "runs" / SPLIT / "bicubic" / "both"


def run_bicubic(tmp_path: Path) -> int:
    return run_main(["--method", "bicubic", "--split", SPLIT, "--splits-dir", str(tmp_path / "splits"),
                     "--runs-dir", str(tmp_path / "runs"), "--no-score", "--no-progress"])


def score(tmp_path: Path, run_dir: Path, capsys) -> tuple[int, str]:
    code = score_main([str(run_dir), "--splits-dir", str(tmp_path / "splits"), "--metrics", "", "--no-progress"])
    return code, capsys.readouterr().err


def edit_run_json(run_dir: Path, **values) -> None:
    record = json.loads((run_dir / "run.json").read_text())
    (run_dir / "run.json").write_text(json.dumps({**record, **values}))


def test_the_fixture_run_scores(tmp_path, run_dir, capsys):
    code, _ = score(tmp_path, run_dir, capsys)
    assert code == 0 and (run_dir / "summary.json").is_file()


def test_a_run_json_split_leading_out_of_the_splits_folder_is_refused(tmp_path, run_dir, capsys):
    escaped = tmp_path / "elsewhere"  # `<splits>/../elsewhere`: a split folder the user never named
    shutil.copytree(tmp_path / "splits" / SPLIT, escaped)
    info = json.loads((escaped / "split.json").read_text())
    (escaped / "split.json").write_text(json.dumps({**info, "split": "../elsewhere"}))
    edit_run_json(run_dir, split="../elsewhere", split_dir=None)
    code, err = score(tmp_path, run_dir, capsys)
    assert code == 1 and "`split` '../elsewhere' contains `/`" in error_text(err)
    assert not (run_dir / "summary.json").exists()


def test_a_run_json_limit_that_is_not_a_number_is_one_error(tmp_path, run_dir, capsys):
    record = json.loads((run_dir / "run.json").read_text())
    edit_run_json(run_dir, config={**record["config"], "limit": "two"})
    code, err = score(tmp_path, run_dir, capsys)
    assert code == 1 and "`config.limit` 'two' is not a positive integer" in error_text(err)


def test_an_out_folder_linked_elsewhere_is_never_written_through(tmp_path, run_dir, capsys):
    elsewhere = tmp_path / "elsewhere-out"
    elsewhere.mkdir()
    shutil.rmtree(run_dir / "out")
    (run_dir / "out").symlink_to(elsewhere, target_is_directory=True)
    code = run_bicubic(tmp_path)
    assert code == 1 and "leads out of the folder" in error_text(capsys.readouterr().err)
    assert list(elsewhere.iterdir()) == []


def test_an_output_linked_to_a_file_outside_is_not_scored(tmp_path, run_dir, capsys):
    outside = tmp_path / "outside.png"
    shutil.move(run_dir / "out" / "000000000001.png", outside)
    (run_dir / "out" / "000000000001.png").symlink_to(outside)
    code, err = score(tmp_path, run_dir, capsys)
    assert code == 1 and "not files inside the run folder" in error_text(err) and "000000000001.png" in err


def test_a_bomb_among_the_outputs_is_one_error(tmp_path, run_dir, capsys):
    (run_dir / "out" / "000000000002.png").write_bytes(bomb_png(30000, 30000))
    code, err = score(tmp_path, run_dir, capsys)
    assert code == 1 and "unreadable outputs: 000000000002" in error_text(err)


def test_a_gt_changed_after_the_build_is_not_scored(tmp_path, run_dir, capsys):
    gt = tmp_path / "splits" / SPLIT / "gt"
    (gt / "000000000002.png").write_bytes((gt / "000000000000.png").read_bytes())
    code, err = score(tmp_path, run_dir, capsys)
    assert code == 1 and "gt/000000000002.png: sha256" in error_text(err)


@pytest.mark.parametrize("content", ["not json\n", '{"id": 3, "error": "x"}\n', '["a list"]\n'])
def test_failures_jsonl_that_is_not_the_contract_is_one_error(run_dir, content):
    from tipbench.contracts.run_folder import read_failures
    from tipbench.errors import TipbenchError

    (run_dir / "failures.jsonl").write_text('{"id": "a", "error": "b"}\n' + content)
    with pytest.raises(TipbenchError, match="failures.jsonl` line 2"):
        read_failures(run_dir)


def _leaderboard(tmp_path: Path, capsys) -> tuple[int, str]:
    from tipbench.leaderboard import main as leaderboard_main

    code = leaderboard_main(["--runs-dir", str(tmp_path / "runs"), "--out", str(tmp_path / "board"), "--tables",
                             "1", "--format", "md"])
    return code, capsys.readouterr().err


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("psnr", "very high", "metric `psnr`"),
    ("weights", ["real"], "`weights` is list"),
    ("null_reasons", ["x"], "`null_reasons` is list"),
    ("n", "3000", "`n` is str"),
])
def test_a_summary_of_the_wrong_types_skips_its_run_with_a_warning(tmp_path, run_dir, capsys, key, value, expected):
    assert score(tmp_path, run_dir, capsys)[0] == 0
    summary = json.loads((run_dir / "summary.json").read_text())
    (run_dir / "summary.json").write_text(json.dumps({**summary, key: value}))
    code, err = _leaderboard(tmp_path, capsys)
    assert code == 0 and "Traceback" not in err
    assert "skipping run" in err and "summary.json" in err and expected in err


def test_a_walk_file_of_the_wrong_types_is_skipped_with_a_warning(tmp_path, run_dir, capsys):
    walk = tmp_path / "runs" / "coco-selective" / "tip" / "walk"
    walk.mkdir(parents=True)
    (walk / "walk.json").write_text(json.dumps({"method": "tip", "split": "coco-selective", "n": 16,
                                                "controllability": "strong"}))
    from tipbench.leaderboard import main as leaderboard_main

    code = leaderboard_main(["--runs-dir", str(tmp_path / "runs"), "--out", str(tmp_path / "board"), "--tables",
                             "a", "--format", "md"])
    err = capsys.readouterr().err
    assert code == 0 and "Traceback" not in err and "skipping walk" in err and "controllability" in err


def test_reading_a_run_folder_writes_nothing(tmp_path, run_dir, capsys):
    before = snapshot(tmp_path, skip=tmp_path / "board")
    _leaderboard(tmp_path, capsys)
    from tipbench.contracts.run_folder import output_files, read_failures, read_run_json

    read_run_json(run_dir), read_failures(run_dir), output_files(run_dir)
    assert snapshot(tmp_path, skip=tmp_path / "board") == before
