"""Every file the package writes gets the mode a plain `open(path, "w")` gives under the user's umask (issue 13
point 2): 0644 under umask 022, 0600 under 077 — PNGs, JSON, parquet, tar shards and their markers alike.

Each case runs in a subprocess started with that umask, so this test process's umask is never touched."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.interrupts import clean_env

#: Writes through every kind of writer the package has (atomic bytes, JSON, PNG, a streamed tar shard).
WRITERS = """
import sys
from pathlib import Path
import numpy as np
from tipbench.io import atomic_write_bytes, write_json, write_png
from data_recipes.recipes import load_recipe
from data_recipes.writer import ShardJob, build_shard

out = Path(sys.argv[1])
atomic_write_bytes(out / "bytes.bin", b"x")
write_json(out / "dir" / "a.json", {"a": 1})
write_png(out / "image.png", np.zeros((4, 4, 3), np.uint8))
build_shard(ShardJob(load_recipe("sample-train"), str(out / "shards"), 0, 1, 1))
"""

#: Every long command once, on the bundled sample (a split, a run, its scores, shards, a publish export).
COMMANDS = """
import sys
from pathlib import Path
out = Path(sys.argv[1])
from tipbench.build import main as build
from tipbench.run import main as run
from tipbench.score import main as score
from tipbench.publish import main as publish
from data_recipes.shards import main as shards
splits, runs = str(out / "splits"), str(out / "runs")
assert build(["--split", "coco-param", "--limit", "1", "--out", splits, "-q"]) == 0
assert run(["--method", "bicubic", "--split", "coco-param", "--splits-dir", splits, "--runs-dir", runs, "--no-score",
            "-q"]) == 0
assert score([runs + "/coco-param/bicubic/both", "--splits-dir", splits, "--metrics", "", "-q"]) == 0
assert shards(["sample-train", "--out", str(out / "shards"), "--num-samples", "2", "-q"]) == 0
assert publish(["--split", "coco-param", "--splits-dir", splits, "--out", str(out / "hf"), "-q"]) == 0
"""


def run_with_umask(script: str, umask: int, out: Path) -> None:
    code = f"import os; os.umask({umask:#o})\n{script}"
    done = subprocess.run([sys.executable, "-c", code, str(out)], env=clean_env(HF_HUB_OFFLINE="1"),
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr


def wrong_modes(root: Path, umask: int) -> list[str]:
    """Every file or folder under `root` whose permission bits are not what `open` / `mkdir` give under `umask`."""
    wrong = []
    for path in [root, *root.rglob("*")]:
        mode = stat.S_IMODE(path.lstat().st_mode)
        expected = (0o777 if path.is_dir() else 0o666) & ~umask
        if not path.is_symlink() and mode != expected:
            wrong.append(f"{path.relative_to(root)}: {mode:o}, expected {expected:o}")
    return wrong


@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_every_writer_follows_the_umask(tmp_path, umask):
    out = tmp_path / "out"
    out.mkdir(mode=0o777 & ~umask)
    os.chmod(out, 0o777 & ~umask)
    run_with_umask(WRITERS, umask, out)
    written = sorted(p.name for p in out.rglob("*") if p.is_file())
    assert {"bytes.bin", "a.json", "image.png", "shard-000000.tar", "shard-000000.json",
            "shard-000000.skipped.jsonl"} <= set(written)
    assert wrong_modes(out, umask) == []


@pytest.mark.slow  # every long command once, twice (~1 min)
@pytest.mark.parametrize("umask", [0o022, 0o077])
def test_every_command_output_follows_the_umask(tmp_path, umask):
    pytest.importorskip("datasets")
    out = tmp_path / "out"
    out.mkdir()
    os.chmod(out, 0o777 & ~umask)
    run_with_umask(COMMANDS, umask, out)
    for folder in ("splits/coco-param/gt", "runs/coco-param/bicubic/both/out", "shards", "hf/data"):
        assert any((out / folder).iterdir()), folder
    assert wrong_modes(out, umask) == []
