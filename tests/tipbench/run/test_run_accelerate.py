"""Runs and scoring under `accelerate launch` (2 CPU ranks over gloo, contracts §2.6): `out/` byte-identical to one
process for a CPU method and the tiny reference model, one run.json with `processes: 2`, scoring once and equal to
one process, and a rank killed mid-run resumes to the same bytes. Slow: every launch starts two Pythons."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from tests.launchers import ROOT, launch
from tests.tiny_splits import make_param_split
from tipbench import paths
from tipbench.contracts.run_parts import part_record_path
from tipbench.io import decode_png, read_json, write_png
from tipbench.run import main as run

pytestmark = pytest.mark.slow
SPLIT = "synthetic-param"


def _outputs(run_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((run_dir / "out").glob("*.png"))}


@pytest.fixture(scope="module")
def root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("accelerate")
    make_param_split(root / "splits", n=5, size=48, seed=4)
    return root


def _args(root: Path, runs: str, method: str, *extra: str) -> list[str]:
    return ["--method", method, "--split", SPLIT, "--splits-dir", str(root / "splits"), "--runs-dir",
            str(root / runs), "--batch-size", "2", "--device", "cpu", *extra]


@pytest.fixture(scope="module")
def classical_one(root) -> Path:
    assert run([*_args(root, "one", "classical-prompted"), "-q"]) == 0
    return root / "one" / SPLIT / "classical-prompted" / "both"


def test_two_ranks_of_a_cpu_method_write_one_process_bytes_and_score_once(root, classical_one):
    done = launch("tipbench.run", *_args(root, "two", "classical-prompted"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count(" done, ") == 1 and done.stdout.count("psnr ") == 1  # the main rank reports, once
    run_dir = root / "two" / SPLIT / "classical-prompted" / "both"
    assert _outputs(run_dir) == _outputs(classical_one)
    record = read_json(run_dir / "run.json")
    assert record["processes"] == 2 and record["status"] == "complete" and record["n_done"] == 5
    assert {read_json(part_record_path(run_dir, i, 2))["processed"] for i in (0, 1)} == {2, 3}  # [01][23][4]
    keys = ("n", "psnr", "ssim", "psnr_y", "ssim_y", "fid", "comparable_to_paper")
    summary, reference = read_json(run_dir / "summary.json"), read_json(classical_one / "summary.json")
    assert {k: summary[k] for k in keys} == {k: reference[k] for k in keys}


def test_a_rank_killed_mid_run_resumes_to_the_same_bytes(root, classical_one):
    killed = launch("tipbench.run", *_args(root, "killed", "classical-prompted", "--batch-size", "1"),
                    **{paths.ENV_FAULT_AFTER: "1", paths.ENV_FAULT_RANK: "1"})
    assert killed.returncode != 0
    run_dir = root / "killed" / SPLIT / "classical-prompted" / "both"
    assert read_json(run_dir / "run.json")["status"] == "running" and len(_outputs(run_dir)) < 5
    resumed = launch("tipbench.run", *_args(root, "killed", "classical-prompted", "--batch-size", "1"))
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert _outputs(run_dir) == _outputs(classical_one)
    record = read_json(run_dir / "run.json")
    assert record["status"] == "complete" and record["n_done"] == 5 and record["processes"] == 2


def test_two_ranks_of_the_tiny_reference_model_write_one_process_bytes(root, tmp_path):
    from reference_model.tiny import save_tiny_pipeline

    checkpoint = save_tiny_pipeline(tmp_path / "tiny-tip", prompts="both")
    extra = ("--checkpoint", str(checkpoint), "--option", "steps=2", "--no-score")
    # CPU torch's sums depend on its intra-op thread count, and accelerate gives each rank one thread
    # (OMP_NUM_THREADS=1): the one-process reference runs with one thread too (docs/contracts.md §2.6)
    one_process = subprocess.run([sys.executable, "-m", "tipbench.run", *_args(root, "tip-one", "tip", *extra), "-q"],
                                 env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"}, cwd=ROOT,
                                 capture_output=True, text=True, timeout=900)
    assert one_process.returncode == 0, one_process.stderr[-3000:]
    done = launch("tipbench.run", *_args(root, "tip-two", "tip", *extra))
    assert done.returncode == 0, done.stderr[-3000:]
    one, two = (root / name / SPLIT / "tip" / "both" for name in ("tip-one", "tip-two"))
    assert _outputs(two) == _outputs(one) and len(_outputs(one)) == 5
    assert read_json(two / "run.json")["processes"] == 2
    assert read_json(two / "run.json")["torch_threads"] == read_json(one / "run.json")["torch_threads"] == 1


def test_scoring_across_two_ranks_equals_one_process(root, classical_one, tmp_path):
    import shutil

    run_dir = tmp_path / "runs" / SPLIT / "classical-prompted" / "both"
    shutil.copytree(classical_one, run_dir)
    for out in (run_dir / "out").glob("*.png"):  # a clearly different set (a near-zero FID is all cancellation)
        write_png(out, decode_png(out) // 3)
    common = (str(run_dir), "--splits-dir", str(root / "splits"), "--metric-weights", "random", "--allow-small-fid",
              "--no-gt-cache", "--batch-size", "2")
    done = launch("tipbench.score", *common)
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("wrote ") == 1 and done.stdout.count("psnr ") == 1  # the main rank reports, once
    two_rows, two = pd.read_parquet(run_dir / "scores.parquet"), read_json(run_dir / "summary.json")
    one_process = subprocess.run([sys.executable, "-m", "tipbench.score", *common, "-q"], cwd=ROOT, timeout=900,
                                 env={**os.environ, "PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1"})  # as a rank
    assert one_process.returncode == 0
    one_rows, one = pd.read_parquet(run_dir / "scores.parquet"), read_json(run_dir / "summary.json")
    pd.testing.assert_frame_equal(two_rows, one_rows, check_exact=True)
    assert one["fid"] > 0 and abs(two["fid"] - one["fid"]) <= 1e-9 * one["fid"]
    assert {k: v for k, v in two.items() if k != "fid"} == {k: v for k, v in one.items() if k != "fid"}
