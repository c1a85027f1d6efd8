"""A `--limit N` run is scored on the first N items of the split's order, and says so."""

from __future__ import annotations

import pandas as pd

from tests.tiny_splits import make_param_split, manifest_frame
from tipbench.io import read_json
from tipbench.run import RunConfig, run_method


def test_limited_run_is_scored_on_its_subset_and_flagged(tmp_path):
    split_dir = make_param_split(tmp_path / "splits", n=5, size=64, seed=1)
    record = run_method(RunConfig(method="bicubic", split="synthetic-param", splits_dir=str(tmp_path / "splits"),
                                  runs_dir=str(tmp_path / "runs"), limit=2, progress=False))
    run_dir = tmp_path / "runs" / "synthetic-param" / "bicubic" / "both"
    assert record["n_done"] == 2
    summary = read_json(run_dir / "summary.json")
    assert summary["n"] == 2 and summary["subset"] == 2
    assert summary["comparable_to_paper"] is False
    assert any("first 2 items" in note for note in summary["notes"])
    scores = pd.read_parquet(run_dir / "scores.parquet")
    first_two = manifest_frame(split_dir).sort_values("index")["id"].tolist()[:2]
    assert scores["id"].tolist() == first_two
    assert scores["psnr"].notna().all()
