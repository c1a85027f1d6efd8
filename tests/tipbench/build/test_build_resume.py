"""Worker-count and kill-and-resume invariance on real multi-process builds (issue 3 item 4)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from build_helpers import folder_hashes, make_coco_tree

from tests.interrupts import group_gone
from tipbench import paths
from tipbench.build import BuildConfig, build_split, main
from tipbench.build.runner import FAULT_EXIT_CODE

N = 8


@pytest.fixture(scope="module")
def coco_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("coco")
    make_coco_tree(root, N + 2, size=(288, 264))
    return root


@pytest.fixture(scope="module")
def reference(coco_root: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    out = tmp_path_factory.mktemp("reference")
    split_dir = build_split(BuildConfig(split="coco-param", source_root=str(coco_root), out=str(out), limit=N,
                                        workers=1, progress=False))
    return folder_hashes(split_dir)


def build_command(coco_root: Path, out: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "tipbench.build", "--split", "coco-param", "--source-root", str(coco_root),
            "--out", str(out), "--limit", str(N), "--workers", "2", "--no-progress", *extra]


def clean_env(**extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("TIPBENCH_")}
    env.update(extra)
    return env


def item_records(split_dir: Path) -> list[Path]:
    work = split_dir / ".work"
    return [p for p in work.glob("*.json") if p.name != "build.json"] if work.is_dir() else []



def test_two_workers_match_one(coco_root: Path, reference: dict[str, str], tmp_path: Path) -> None:
    split_dir = build_split(BuildConfig(split="coco-param", source_root=str(coco_root), out=str(tmp_path), limit=N,
                                        workers=2, progress=False))
    assert folder_hashes(split_dir) == reference


def test_fault_injection_then_resume(coco_root: Path, reference: dict[str, str], tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    env = clean_env(**{paths.ENV_FAULT_AFTER: "3"})
    crashed = subprocess.run(build_command(coco_root, tmp_path), env=env, capture_output=True, text=True)
    assert crashed.returncode == FAULT_EXIT_CODE, crashed.stderr
    split_dir = tmp_path / "coco-param"
    assert not (split_dir / "manifest.parquet").exists()
    records = item_records(split_dir)
    assert 3 <= len(records) < N + 2
    # damage the interrupted build further: one finished image corrupted, one record lost (a partial item)
    gt_files = sorted((split_dir / "gt").glob("*.png"))
    gt_files[0].write_bytes(gt_files[0].read_bytes()[:-10] + b"0123456789")
    records[0].unlink()
    args = ["--split", "coco-param", "--source-root", str(coco_root), "--out", str(tmp_path), "--limit", str(N),
            "--workers", "2", "--no-progress"]
    assert main(args) == 1 and "--resume" in capsys.readouterr().err  # a previous build is never clobbered
    assert main([*args, "--resume"]) == 0
    assert folder_hashes(split_dir) == reference


@pytest.mark.slow  # a real SIGKILL of a build process (~5 s); CI runs it in its `slow` step
def test_sigkill_then_resume(coco_root: Path, reference: dict[str, str], tmp_path: Path) -> None:
    split_dir = tmp_path / "coco-param"
    process = subprocess.Popen(build_command(coco_root, tmp_path), env=clean_env(), start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while len(item_records(split_dir)) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.005)
        assert process.poll() is None, "the build finished before it could be killed"
        os.kill(process.pid, signal.SIGKILL)  # the main process only, mid-build: its workers become orphans
        process.wait()
        assert process.returncode == -signal.SIGKILL
        assert group_gone(process.pid, seconds=30), "orphaned workers kept running after the main process died"
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    assert not (split_dir / "manifest.parquet").exists()
    resumed = build_split(BuildConfig(split="coco-param", source_root=str(coco_root), out=str(tmp_path), limit=N,
                                      workers=2, resume=True, progress=False))
    assert folder_hashes(resumed) == reference
    again = build_split(BuildConfig(split="coco-param", source_root=str(coco_root), out=str(tmp_path), limit=N,
                                    workers=1, resume=True, progress=False))
    assert folder_hashes(again) == reference
