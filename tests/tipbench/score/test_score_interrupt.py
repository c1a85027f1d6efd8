"""A real Ctrl-C while `tipbench.score`'s loader workers run (issue 13 point 5): one line, exit 130, no score file or
GT cache half-written, and the rerun gives the bytes of an uninterrupted scoring."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.interrupts import check_ctrl_c, children, interrupt
from tests.tiny_splits import make_param_split
from tipbench.run import main as run_main
from tipbench.score import main as score_main


def score_files(run_dir: Path) -> dict[str, bytes]:
    return {name: (run_dir / name).read_bytes() for name in ("scores.parquet", "summary.json")}


@pytest.mark.slow  # a scoring subprocess with 2 loader workers and tiny random networks (~30 s)
def test_ctrl_c_during_the_pass_then_rerun_is_byte_identical(tmp_path: Path) -> None:
    split_dir = make_param_split(tmp_path / "splits", n=40, size=64)
    runs = tmp_path / "runs"
    assert run_main(["--method", "bicubic", "--split", "synthetic-param", "--splits-dir", str(tmp_path / "splits"),
                     "--runs-dir", str(runs), "--no-score", "-q"]) == 0
    run_dir = runs / "synthetic-param" / "bicubic" / "both"
    args = [str(run_dir), "--splits-dir", str(tmp_path / "splits"), "--metric-weights", "random", "--allow-small-fid",
            "--batch-size", "1"]
    holder: dict[str, int] = {}

    def loader_running() -> bool:  # the pass has begun: the DataLoader's worker processes exist
        import subprocess

        pids = subprocess.run(["pgrep", "-f", f"tipbench.score {run_dir}"], capture_output=True, text=True).stdout
        holder.update(pid=int(pids.split()[0])) if pids.split() else None
        return "pid" in holder and bool(children(holder["pid"]))

    result = interrupt(["tipbench.score", *args, "--workers", "2"], ready=loader_running)
    check_ctrl_c(result, "run the same command again")
    assert not (run_dir / "scores.parquet").exists() and not (run_dir / "summary.json").exists()
    cache = split_dir / ".cache"
    assert not cache.exists() or not [p for p in cache.rglob("*") if p.name.startswith(".")], "half-written cache"
    assert score_main([*args, "--workers", "2", "-q"]) == 0
    resumed = score_files(run_dir)
    shutil.rmtree(cache, ignore_errors=True)
    for name in resumed:
        (run_dir / name).unlink()
    assert score_main([*args, "--workers", "2", "-q"]) == 0  # uninterrupted
    assert score_files(run_dir) == resumed
