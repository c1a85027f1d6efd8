"""Fault injection for `tipbench.publish` (issue 13): killed or interrupted mid-export, the previous export stays
whole, the staging folder is cleaned up by the next run, and that run gives the bytes of an uninterrupted export."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.interrupts import check_ctrl_c, interrupt
from tests.tiny_splits import make_param_split
from tipbench.publish import main


def export_files(out: Path) -> dict[str, str]:
    return {str(p.relative_to(out)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.mark.slow  # subprocesses that import `datasets` (~40 s)
@pytest.mark.parametrize("how", ["ctrl-c", "kill-parent"])
def test_interrupted_export_then_rerun_is_byte_identical(tmp_path, how):
    pytest.importorskip("datasets")
    make_param_split(tmp_path / "splits", n=12, size=64)
    args = ["--split", "synthetic-param", "--splits-dir", str(tmp_path / "splits"), "--rows-per-shard", "3",
            "--no-disk", "-q"]
    assert main([*args, "--out", str(tmp_path / "reference")]) == 0
    reference = export_files(tmp_path / "reference")
    exports = tmp_path / "exports"
    result = interrupt(["tipbench.publish", *args, "--out", str(exports / "hf")], how=how,
                       ready=lambda: any(exports.glob(".hf.*/cache")) if exports.is_dir() else False)
    if how == "ctrl-c":
        check_ctrl_c(result, "run the same command again")
    assert not (exports / "hf").exists()  # nothing half-exported under the final name
    assert main([*args, "--out", str(exports / "hf")]) == 0
    assert export_files(exports / "hf") == reference
    assert sorted(p.name for p in exports.iterdir()) == ["hf"]  # the killed run's staging folder is gone
