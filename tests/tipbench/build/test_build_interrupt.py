"""Ctrl-C in a multi-process build: one line saying how to resume, no traceback from the pool, and `--resume` gives
the bytes of an uninterrupted build (issue 13 point 5)."""

from __future__ import annotations

from pathlib import Path

import pytest
from build_helpers import folder_hashes, make_coco_tree

from tests.interrupts import check_ctrl_c, interrupt
from tipbench.build import BuildConfig, build_split, main

N = 4


@pytest.mark.slow  # real subprocesses with a spawned pool (~15 s)
def test_ctrl_c_then_resume_is_byte_identical(tmp_path: Path) -> None:
    """Three workers for four items, interrupted after two: at least one worker is idle on its task queue, where an
    unprepared pool worker prints a KeyboardInterrupt traceback of its own."""
    root = tmp_path / "coco"
    make_coco_tree(root, N, size=(288, 264))
    reference = folder_hashes(build_split(BuildConfig(split="coco-param", source_root=str(root),
                                                      out=str(tmp_path / "reference"), limit=N, progress=False)))
    out = tmp_path / "out"
    work = out / "coco-param" / ".work"
    args = ["--split", "coco-param", "--source-root", str(root), "--out", str(out), "--limit", str(N), "--workers", "3"]
    result = interrupt(["tipbench.build", *args],
                       ready=lambda: work.is_dir() and len(list(work.glob("0*.json"))) >= 2)
    check_ctrl_c(result, "--resume")
    assert not (out / "coco-param" / "manifest.parquet").exists()
    assert not list((out / "coco-param").rglob(".*.tmp")), "an interrupted write left its temporary file"
    assert main([*args, "--resume", "-q"]) == 0
    assert folder_hashes(out / "coco-param") == reference
