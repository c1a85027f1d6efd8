"""A real Ctrl-C while `tipbench.adherence`'s worker pool measures (issue 13 point 5): one line, exit 130, nothing
half-written, and the rerun gives the bytes of an uninterrupted run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.interrupts import check_ctrl_c, children, interrupt
from tests.tiny_splits import make_selective_split
from tipbench.adherence.cli import main
from tipbench.contracts.scores import ADHERENCE_JSON, ADHERENCE_PARQUET
from tipbench.score import ScoreConfig
from tipbench.score.external import prepare_external_run


def written(run_dir: Path) -> dict[str, bytes]:
    return {name: (run_dir / name).read_bytes() for name in (ADHERENCE_JSON, ADHERENCE_PARQUET)}


@pytest.mark.slow  # a subprocess with a spawned 2-worker pool (~40 s)
def test_ctrl_c_in_the_pool_then_rerun_is_byte_identical(tmp_path: Path) -> None:
    split_dir = make_selective_split(tmp_path / "splits", n=9, size=256)
    run_dir = prepare_external_run(ScoreConfig(split=split_dir.name, outputs=str(split_dir / "target"),
                                               method="oracle", prompts="restoration", splits_dir=str(split_dir.parent),
                                               runs_dir=str(tmp_path / "runs"), reference="target"))
    args = [str(run_dir), "--splits-dir", str(split_dir.parent), "--metric-weights", "random", "--no-lpips",
            "--workers", "2"]

    def pool_running() -> bool:
        pids = subprocess.run(["pgrep", "-f", f"tipbench.adherence {run_dir}"], capture_output=True, text=True)
        return any(children(int(pid)) for pid in pids.stdout.split())

    result = interrupt(["tipbench.adherence", *args], ready=pool_running)
    check_ctrl_c(result, "adherence.json is written at the end")
    assert not (run_dir / ADHERENCE_JSON).exists() and not (run_dir / ADHERENCE_PARQUET).exists()
    assert main([*args, "-q"]) == 0
    resumed = written(run_dir)
    shutil.rmtree(split_dir / ".cache", ignore_errors=True)
    for name in resumed:
        (run_dir / name).unlink()
    assert main([*args, "-q"]) == 0
    assert written(run_dir) == resumed
