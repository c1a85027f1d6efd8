"""A real Ctrl-C in a 2-worker `tipbench.run` (issue 13 point 5): one line saying how to resume, run.json says
`interrupted`, and the rerun writes the bytes of an uninterrupted run."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.interrupts import check_ctrl_c, interrupt
from tests.tiny_splits import make_param_split
from tipbench.io import read_json
from tipbench.run import main

N = 60


def outputs(run_dir: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((run_dir / "out").iterdir())}


@pytest.mark.slow  # a real subprocess with a spawned 2-worker pool (~20 s)
def test_ctrl_c_then_rerun_is_byte_identical(tmp_path: Path) -> None:
    make_param_split(tmp_path / "splits", n=N, size=96)
    args = ["--method", "classical-prompted", "--split", "synthetic-param", "--splits-dir", str(tmp_path / "splits"),
            "--no-score", "--batch-size", "1"]
    assert main([*args, "--runs-dir", str(tmp_path / "reference"), "-q"]) == 0
    reference = outputs(tmp_path / "reference" / "synthetic-param" / "classical-prompted" / "both")

    runs = tmp_path / "runs"
    run_dir = runs / "synthetic-param" / "classical-prompted" / "both"
    result = interrupt(["tipbench.run", *args, "--runs-dir", str(runs), "--workers", "2"],
                       ready=lambda: (run_dir / "out").is_dir() and len(list((run_dir / "out").glob("*.png"))) >= 3)
    check_ctrl_c(result, "run again to resume")
    assert read_json(run_dir / "run.json")["status"] == "interrupted"
    assert 3 <= len(list((run_dir / "out").glob("*.png"))) < N
    assert main([*args, "--runs-dir", str(runs), "--workers", "2", "-q"]) == 0
    assert read_json(run_dir / "run.json")["status"] == "complete"
    assert outputs(run_dir) == reference  # no stray temporary file either
