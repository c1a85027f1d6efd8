"""Fault injection for `data_recipes.shards` (issue 13 point 5): Ctrl-C, a killed worker and a killed main process,
each mid-way through a 2-worker run; every time the rerun gives the bytes of an uninterrupted run."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from recipe_helpers import write_recipe

from data_recipes.shards import ShardsConfig, main, write_shards
from tests.interrupts import FORBIDDEN, check_ctrl_c, interrupt

SHARDS, SAMPLES = 3, 24


def shard_files(out: Path) -> dict[str, str]:
    """sha256 of every file a user gets (hidden temporary files would show up as a difference too)."""
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(out.iterdir()) if p.is_file()}


@pytest.fixture(scope="module")
def recipe_and_reference(tmp_path_factory, captioned_folder) -> tuple[Path, dict[str, str]]:
    base = tmp_path_factory.mktemp("interrupts")
    recipe = write_recipe(base / "recipe.yaml", captioned_folder, num_samples=SAMPLES, realesrgan=0.0)
    write_shards(ShardsConfig(str(recipe), str(base / "reference"), num_shards=SHARDS, workers=1, progress=False))
    return recipe, shard_files(base / "reference")


def command(recipe: Path, out: Path) -> list[str]:
    return ["data_recipes.shards", str(recipe), "--out", str(out), "--num-shards", str(SHARDS), "--workers", "2"]


def rerun(recipe: Path, out: Path) -> dict[str, str]:
    assert main(command(recipe, out)[1:] + ["-q"]) == 0
    return shard_files(out)


@pytest.mark.slow  # real 2-worker runs in subprocesses (~30 s)
def test_ctrl_c_with_an_idle_worker_then_rerun(recipe_and_reference, tmp_path):
    """Interrupted once shard 1 is done: one worker holds shard 2, the other waits on its empty task queue."""
    recipe, reference = recipe_and_reference
    result = interrupt(command(recipe, tmp_path), ready=lambda: (tmp_path / "shard-000001.json").exists())
    check_ctrl_c(result, "run the same command again")
    assert not list(tmp_path.glob(".*.partial")), "the interrupted shard left its temporary file"
    assert rerun(recipe, tmp_path) == reference


@pytest.mark.slow
@pytest.mark.parametrize("victim", ["kill-worker", "kill-parent"])
def test_sigkill_then_rerun(recipe_and_reference, tmp_path, victim):
    recipe, reference = recipe_and_reference
    result = interrupt(command(recipe, tmp_path), how=victim, ready=lambda: (tmp_path / "shard-000000.json").exists())
    for text in FORBIDDEN:
        assert text not in result.stderr, result.stderr
    if victim == "kill-worker":  # the main process notices, stops the pool and says so in one line
        assert result.returncode == 1
        assert result.stderr.strip().splitlines()[-1] == ("error: a worker process ended abruptly (killed, or out of "
                                                          "memory?); run the same command again to resume")
    else:  # the workers end on their own; nothing but ordinary log records (no resource-tracker note)
        assert result.returncode == -9
        assert all(line.split(" ", 1)[0] in ("INFO", "WARNING") for line in result.stderr.splitlines()), result.stderr
    assert rerun(recipe, tmp_path) == reference  # stale `.partial` files of the killed writes are gone too
