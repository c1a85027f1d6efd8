"""CLI edge: usage and config errors exit with the documented codes and one-line messages."""

from __future__ import annotations

import logging

import pytest
from leaderboard_fakes import write_fake_run

from leaderboard.cli import main
from leaderboard.config import LeaderboardConfig
from tests.conftest import error_text


def test_help_exits_zero_and_lists_every_table_key(capsys):
    from leaderboard.tables import TABLES

    with pytest.raises(SystemExit) as info:
        main(["--help"])
    out = capsys.readouterr().out
    assert info.value.code == 0 and f"[--tables {','.join(TABLES.names())}]" in " ".join(out.split())


def test_unknown_table_is_error_exit_1(tmp_path, capsys):
    assert main(["--runs-dir", str(tmp_path), "--out", str(tmp_path / "o"), "--tables", "1,9"]) == 1
    err = capsys.readouterr().err
    assert error_text(err).startswith("error: unknown table(s) `9`") and "available:" in err


def test_unknown_format_is_error_exit_1(tmp_path, capsys):
    assert main(["--runs-dir", str(tmp_path), "--out", str(tmp_path / "o"), "--format", "md,pdf"]) == 1
    assert "unknown format" in capsys.readouterr().err


def test_bad_option_is_usage_error_exit_2():
    with pytest.raises(SystemExit) as info:
        main(["--no-such-option"])
    assert info.value.code == 2


def test_selected_tables_and_formats_only(tmp_path):
    assert main(["--runs-dir", str(tmp_path), "--out", str(tmp_path / "o"), "--tables", "4", "--format", "md"]) == 0
    assert [p.name for p in (tmp_path / "o").iterdir()] == ["leaderboard.md"]
    text = (tmp_path / "o" / "leaderboard.md").read_text()
    assert "## Table 4" in text and "## Table 1" not in text


def test_config_round_trip_and_unknown_keys():
    config = LeaderboardConfig(runs_dir="r", out="o", tables=("1",), formats=("md",))
    assert LeaderboardConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ValueError, match="unknown LeaderboardConfig key"):
        LeaderboardConfig.from_dict({**config.to_dict(), "colour": "red"})


def test_explicit_missing_runs_dir_is_error_exit_1(tmp_path, capsys):
    assert main(["--runs-dir", str(tmp_path / "nope"), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert error_text(err).startswith("error: runs dir `") and "does not exist" in err and "\n" not in error_text(err).rstrip("\n")
    assert not (tmp_path / "o").exists()


def test_run_of_a_method_with_no_row_is_named_not_silently_dropped(tmp_path, caplog):
    runs = tmp_path / "runs"
    write_fake_run(runs, split="coco-param", method="my-method", prompts="both", metrics={"psnr": 25.0})
    write_fake_run(runs, split="coco-param", method="bicubic", prompts="both", metrics={"psnr": 24.0})
    with caplog.at_level(logging.WARNING, logger="leaderboard.cli"):
        assert main(["--runs-dir", str(runs), "--out", str(tmp_path / "o"), "--tables", "1", "--format", "md"]) == 0
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "1 run folder(s)" in warnings[0] and "my-method" in warnings[0]
    assert "bicubic" not in warnings[0]


def test_unwritable_output_folder_is_error_exit_1(tmp_path, capsys):
    (tmp_path / "file").write_text("not a folder")
    assert main(["--runs-dir", str(tmp_path), "--out", str(tmp_path / "file" / "out"), "--tables", "1"]) == 1
    err = capsys.readouterr().err
    assert error_text(err).startswith("error: cannot write to output folder") and "Traceback" not in err
