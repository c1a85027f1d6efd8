"""Integrity on use (issue 18): `build --verify` reports every file that no longer matches the manifest, and the
stages verify what they read once per file (cached by stat in the user's cache dir, never in the split folder)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from untrusted_helpers import snapshot

from tests.conftest import error_text
from tests.tiny_splits import make_param_split
from tipbench.build import main as build_main

SPLIT = "synthetic-param"


@pytest.fixture
def split(tmp_path: Path) -> Path:
    return make_param_split(tmp_path / "splits", SPLIT, n=3, size=32)


def verify(tmp_path: Path, capsys) -> tuple[int, str, str]:
    code = build_main(["--verify", "--split", SPLIT, "--out", str(tmp_path / "splits")])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_verify_passes_an_intact_split_and_writes_nothing_into_it(tmp_path, split, capsys):
    before = snapshot(split)
    code, out, _ = verify(tmp_path, capsys)
    assert code == 0 and out.startswith("ok: ") and "7 files" in out  # 3 GT + 3 LQ + the manifest
    assert snapshot(split) == before


def test_verify_reports_each_mismatch_and_fails(tmp_path, split, capsys):
    (split / "gt" / "000000000000.png").write_bytes((split / "gt" / "000000000001.png").read_bytes())
    (split / "lq" / "000000000002.png").write_bytes(b"garbage")
    (split / "lq" / "000000000001.png").unlink()
    code, out, err = verify(tmp_path, capsys)
    assert code == 1
    lines = out.splitlines()
    assert lines == [line for line in lines if line.startswith("mismatch: ")] and len(lines) == 3
    assert any(line.startswith("mismatch: gt/000000000000.png: sha256 ") for line in lines)
    assert any(line.startswith("mismatch: lq/000000000002.png: sha256 ") for line in lines)
    assert "mismatch: lq/000000000001.png: missing" in lines
    assert "3 problem(s)" in error_text(err)


def test_verify_reports_a_manifest_changed_after_the_build(tmp_path, split, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pq.read_table(split / "manifest.parquet")
    rows = [{**row, "semantic_prompt": "edited"} for row in table.to_pylist()]
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), split / "manifest.parquet")
    code, out, _ = verify(tmp_path, capsys)
    assert code == 1 and "mismatch: manifest.parquet: sha256" in out


def test_verify_takes_only_the_split_and_out(tmp_path, split):
    with pytest.raises(SystemExit) as stop:
        build_main(["--verify", "--split", SPLIT, "--resume"])
    assert stop.value.code == 2


def test_each_file_is_hashed_once_then_trusted_by_its_stat(tmp_path, split):
    from tipbench.contracts.integrity import STATS, verify_on_use
    from tipbench.contracts.split_folder import read_split_folder

    folder = read_split_folder(split)
    hashed = STATS["hashed"]
    verify_on_use(folder, folder.rows, ("gt", "lq"))
    assert STATS["hashed"] - hashed == 6
    hashed, cached = STATS["hashed"], STATS["cached"]
    verify_on_use(read_split_folder(split), folder.rows, ("gt", "lq"))
    assert STATS["hashed"] == hashed and STATS["cached"] - cached == 6


def test_the_cache_lives_in_the_user_cache_dir_and_survives_the_process(tmp_path, split, monkeypatch):
    import json

    from tipbench.contracts import integrity
    from tipbench.contracts.split_folder import read_split_folder

    monkeypatch.setenv("TIPBENCH_CACHE", str(tmp_path / "user-cache"))
    monkeypatch.setattr(integrity, "_OPEN", {})  # a fresh process: nothing in memory
    folder = read_split_folder(split)
    before = snapshot(split)
    integrity.verify_on_use(folder, folder.rows, ("gt",))
    assert snapshot(split) == before
    [cache_file] = (tmp_path / "user-cache" / "verified").iterdir()
    data = json.loads(cache_file.read_text())
    assert data["root"] == str(split.resolve()) and sorted(data["files"]) == [f"gt/{i:012d}.png" for i in range(3)]
    monkeypatch.setattr(integrity, "_OPEN", {})
    hashed = integrity.STATS["hashed"]
    integrity.verify_on_use(folder, folder.rows, ("gt",))
    assert integrity.STATS["hashed"] == hashed  # read back from the file, not re-hashed


def test_a_change_that_keeps_size_and_mtime_is_still_caught(tmp_path, split):
    """`cp -p`-style: same size, mtime restored; the ctime every write updates gives it away."""
    from tipbench.contracts.integrity import verify_on_use
    from tipbench.contracts.split_folder import read_split_folder
    from tipbench.errors import ManifestError

    folder = read_split_folder(split)
    verify_on_use(folder, folder.rows, ("lq",))
    path = split / "lq" / "000000000001.png"
    status = path.stat()
    data = bytearray(path.read_bytes())
    data[-20] ^= 0xFF
    path.write_bytes(bytes(data))
    os.utime(path, ns=(status.st_atime_ns, status.st_mtime_ns))
    assert path.stat().st_size == status.st_size and path.stat().st_mtime_ns == status.st_mtime_ns
    with pytest.raises(ManifestError, match="lq/000000000001.png: sha256"):
        verify_on_use(folder, folder.rows, ("lq",))


def test_score_verifies_the_reference_it_reads(tmp_path, split, capsys):
    from tipbench.run import main as run_main
    from tipbench.score import main as score_main

    runs = tmp_path / "runs"
    assert run_main(["--method", "bicubic", "--split", SPLIT, "--splits-dir", str(tmp_path / "splits"),
                     "--runs-dir", str(runs), "--no-score"]) == 0
    (split / "gt" / "000000000001.png").write_bytes((split / "gt" / "000000000000.png").read_bytes())
    capsys.readouterr()
    code = score_main([str(runs / SPLIT / "bicubic" / "both"), "--splits-dir", str(tmp_path / "splits"), "--metrics",
                       ""])
    assert code == 1 and "changed after its build" in error_text(capsys.readouterr().err)
