"""`python -m tipbench.adherence RUN_DIR` end to end through the metrics harness, its errors and its config."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from tests.conftest import error_text
from tests.tiny_splits import edit_manifest
from tipbench.adherence.cli import main
from tipbench.adherence.config import AdherenceConfig
from tipbench.adherence.scoring import ITEM_COLUMNS, SUMMARY_KEYS, aggregate
from tipbench.errors import ConfigError
from tipbench.score import ScoreConfig
from tipbench.score.external import prepare_external_run


def external_run(split_dir, runs_dir, outputs, method, prompts="restoration", variant=None):
    """Lay a folder of outputs out as a run folder (the `tipbench.score --outputs` path)."""
    return prepare_external_run(ScoreConfig(split=split_dir.name, outputs=str(outputs), method=method, prompts=prompts,
                                            variant=variant, splits_dir=str(split_dir.parent),
                                            runs_dir=str(runs_dir), reference="target"))


@pytest.fixture(scope="module")
def oracle_run(selective_split, tmp_path_factory):
    """A run whose outputs are the selective targets themselves."""
    return external_run(selective_split, tmp_path_factory.mktemp("runs"), selective_split / "target", "oracle")


def test_help_is_fast_and_exits_zero(capsys):
    for argv in (["--help"], ["walk", "--help"]):
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == 0
    assert "controllability" in capsys.readouterr().out


def test_bad_usage_exits_two():
    with pytest.raises(SystemExit) as exit_info:
        main(["walk"])  # --method is required
    assert exit_info.value.code == 2
    with pytest.raises(SystemExit) as exit_info:
        main(["walk", "--method", "x", "--n", "0"])
    assert exit_info.value.code == 2


def test_not_a_run_folder_is_a_one_line_error(tmp_path, capsys):
    assert main([str(tmp_path / "nowhere")]) == 1
    err = capsys.readouterr().err
    assert error_text(err).startswith("error: ") and "run.json" in err


def test_the_target_itself_scores_perfectly(oracle_run, selective_split, capsys):
    assert main([str(oracle_run), "--splits-dir", str(selective_split.parent), "--metric-weights", "random",
                 "--no-progress"]) == 0
    assert "wrote" in capsys.readouterr().out
    summary = json.loads((oracle_run / "adherence.json").read_text())
    assert tuple(sorted(summary)) == tuple(sorted(SUMMARY_KEYS))
    assert summary["target_psnr"] == 100.0 and summary["target_ssim"] == pytest.approx(1.0)
    assert summary["target_lpips"] == pytest.approx(0.0, abs=1e-6)
    assert summary["removal"] == 1.0 and summary["preservation"] == 1.0
    assert summary["n"] == 9 and summary["n_denoise"] + summary["n_deblur"] == 9
    assert summary["weights"] == "random" and summary["instructed"] is True and summary["full_split"] is False
    table = pd.read_parquet(oracle_run / "adherence.parquet")
    assert tuple(table.columns) == ITEM_COLUMNS and len(table) == 9
    # the run's ordinary gt scores are untouched: fidelity went to the harness's target files
    assert (oracle_run / "scores_target.parquet").is_file() and not (oracle_run / "scores.parquet").exists()


def test_worker_count_does_not_change_the_diagnostics(selective_split):
    from tipbench.adherence.scoring import diagnose_outputs
    from tipbench.adherence.split import read_selective_items
    from tipbench.contracts.split_folder import read_split_folder

    items = read_selective_items(read_split_folder(selective_split))
    in_process = diagnose_outputs(items, selective_split / "lq", workers=0)
    assert diagnose_outputs(items, selective_split / "lq", workers=2) == in_process


def test_without_lpips_the_column_is_null_with_the_reason(selective_split, tmp_path):
    from tipbench.adherence.scoring import score_adherence

    run = external_run(selective_split, tmp_path / "runs", selective_split / "lq", "nothing")
    summary = score_adherence(AdherenceConfig(run_dir=str(run), splits_dir=str(selective_split.parent),
                                              lpips=False, progress=False))
    assert summary["target_lpips"] is None and "not requested" in summary["null_reasons"]["target_lpips"]
    assert summary["target_psnr"] is not None and summary["removal"] == 0.0


def test_missing_outputs_are_listed(selective_split, tmp_path, capsys):
    run = external_run(selective_split, tmp_path / "runs", selective_split / "lq", "nothing")
    victim = sorted((run / "out").glob("*.png"))[0]
    victim.unlink()
    assert main([str(run), "--splits-dir", str(selective_split.parent), "--metric-weights", "random"]) == 1
    assert victim.stem in capsys.readouterr().err


def test_config_round_trips_and_validates():
    config = AdherenceConfig(run_dir="runs/x", workers=2, metric_weights="random")
    assert AdherenceConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="unknown"):
        AdherenceConfig.from_dict({"run_dir": "x", "reference": "gt"})
    with pytest.raises(ConfigError):
        AdherenceConfig(run_dir="x", metric_weights="fake")


def test_aggregate_weighs_each_operation_equally_and_says_why_a_score_is_null():
    rows = [{"named": "noise", "removal": 1.0, "preservation": 1.0},
            *({"named": "blur", "removal": 0.0, "preservation": 0.5} for _ in range(3))]
    scores, reasons = aggregate(rows)
    assert scores["removal"] == 0.5  # (1.0 + 0.0) / 2, not the row mean 0.25
    assert scores["deblur_preservation"] == 0.5 and scores["preservation"] == 0.75
    scores, reasons = aggregate(rows[1:])
    assert scores["removal"] is None and scores["denoise_removal"] is None
    assert "denoise" in reasons["denoise_removal"] and "removal" in reasons


def test_a_run_on_a_non_selective_split_is_refused(selective_split, tmp_path, capsys):
    import shutil

    split = tmp_path / "splits" / selective_split.name
    shutil.copytree(selective_split, split, ignore=shutil.ignore_patterns(".cache"))
    edit_manifest(split, lambda rows: [{**row, "pipeline": "param"} for row in rows])
    run = external_run(split, tmp_path / "runs", split / "lq", "nothing")
    assert main([str(run), "--splits-dir", str(split.parent), "--no-lpips"]) == 1
    err = capsys.readouterr().err
    assert error_text(err).startswith("error: ") and "selective" in err
    assert not (run / "adherence.json").exists()
