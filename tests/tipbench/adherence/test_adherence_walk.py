"""The prompt walk: Spearman with ties and constant responses, controllability of toy restorers, the command."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tipbench.adherence.split import read_selective_items
from tipbench.adherence.walk import (
    DEBLUR_GRID,
    DENOISE_GRID,
    WalkConfig,
    controllability,
    first_items,
    run_walk,
    spearman,
    walk_items,
    walk_prompt,
)
from tipbench.contracts.split_folder import read_split_folder
from tipbench.degradations import param_ops
from tipbench.errors import ConfigError
from tipbench.images import quantize, to_float01
from tipbench.prompts import parse_restoration_prompt


class FollowsStrength:
    """Toy restorer whose strength follows the prompt: smoothing ∝ denoise σ, unsharp-mask amount ∝ deblur σ."""

    name = "toy-follows"
    uses_semantic_prompt = False
    uses_restoration_prompt = True

    def restore(self, lq, *, semantic_prompt="", restoration_prompt="", out_size=(512, 512), seed=0):
        (op,) = parse_restoration_prompt(restoration_prompt)
        image = to_float01(lq)
        if op.kind == "noise":
            return quantize(param_ops.gaussian_blur(image, 8.0 * op.value))
        calm = param_ops.gaussian_blur(image, 1.5)  # smooth first so the sharpening does not clip on noise
        return quantize(calm + 0.3 * op.value * (calm - param_ops.gaussian_blur(calm, 3.0)))


class IgnoresPrompt(FollowsStrength):
    name = "toy-ignores"
    uses_restoration_prompt = False

    def restore(self, lq, **kwargs):
        return lq.copy()


def test_grids_and_prompts_follow_the_issue():
    assert DENOISE_GRID[0] == 0.02 and DENOISE_GRID[-1] == 0.24 and len(DENOISE_GRID) == 12
    assert DEBLUR_GRID[0] == 0.5 and DEBLUR_GRID[-1] == 4.0 and len(DEBLUR_GRID) == 8
    assert walk_prompt("denoise", 0.24) == "Denoise with sigma 0.24"
    assert walk_prompt("deblur", 0.5) == "Deblur with sigma 0.5"


def test_spearman_handles_ties_constants_and_nan():
    assert spearman([1, 2, 3, 4], [1, 2, 3, 4]) == pytest.approx(1.0)
    assert spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert spearman([1, 2, 3], [5, 5, 5]) == 0.0
    assert math.isnan(spearman([1, 2, 3], [1, math.nan, 2]))


def test_controllability_orients_each_walk():
    rows = []
    for strength, noise, detail in ((1, 0.3, 0.1), (2, 0.2, 0.2), (3, 0.1, 0.3)):
        rows.append({"id": "a", "walk": "denoise", "prompted": strength, "response": noise})
        rows.append({"id": "a", "walk": "deblur", "prompted": strength, "response": detail})
    result = controllability(rows)
    # noise falls and detail rises as the prompt asks for more: both are perfect control
    assert result["controllability_denoise"] == pytest.approx(1.0)
    assert result["controllability_deblur"] == pytest.approx(1.0)
    assert result["controllability"] == pytest.approx(1.0)
    assert result["spearman"]["denoise"] == {"a": pytest.approx(1.0)}


def test_a_restorer_that_follows_the_prompt_is_controllable_and_one_that_ignores_it_is_not(selective_split):
    items = first_items(read_selective_items(read_split_folder(selective_split)), 2)
    grids = {"denoise": DENOISE_GRID[::3], "deblur": DEBLUR_GRID[::2]}
    follows = controllability(walk_items(FollowsStrength(), items, global_seed=0, grids=grids))
    assert follows["controllability_denoise"] > 0.9 and follows["controllability_deblur"] > 0.9
    ignores = controllability(walk_items(IgnoresPrompt(), items, global_seed=0, grids=grids))
    assert ignores["controllability"] == 0.0


def test_run_walk_writes_its_files_and_is_deterministic(selective_split, tmp_path):
    config = WalkConfig(method="toy-follows", n=2, splits_dir=str(selective_split.parent), runs_dir=str(tmp_path),
                        save_images=True, progress=False)
    first = run_walk(config, restorer=FollowsStrength())
    folder = tmp_path / "coco-selective" / "toy-follows" / "walk"
    assert (folder / "walk.json").is_file() and (folder / "walk.parquet").is_file()
    assert len(list((folder / "images").rglob("*.png"))) == 2 * (len(DENOISE_GRID) + len(DEBLUR_GRID))
    second = run_walk(config, restorer=FollowsStrength())
    for key in ("controllability", "spearman", "ids", "grids", "split_manifest_sha256"):
        assert first[key] == second[key]
    assert first["ids"] == [item.id for item in first_items(read_selective_items(read_split_folder(selective_split)), 2)]


def test_walk_config_round_trips_and_validates(selective_split):
    config = WalkConfig(method="classical-prompted", n=4, variant="v2")
    assert WalkConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="unknown"):
        WalkConfig.from_dict({"method": "x", "steps": 3})
    with pytest.raises(ConfigError, match="positive"):
        WalkConfig(method="x", n=0)
    with pytest.raises(ConfigError, match="--n 99"):
        first_items(read_selective_items(read_split_folder(selective_split)), 99)


def test_walk_response_is_read_from_the_output(selective_split):
    """The responses are measured on what the restorer returned (a blank output has no detail at all)."""

    class Blank(FollowsStrength):
        def restore(self, lq, **kwargs):
            return np.full_like(lq, 128)

    items = first_items(read_selective_items(read_split_folder(selective_split)), 1)
    rows = walk_items(Blank(), items, global_seed=0, grids={"deblur": (1.0,), "denoise": (0.1,)})
    by_walk = {row["walk"]: row["response"] for row in rows}
    assert by_walk["deblur"] == pytest.approx(0.0, abs=1e-9)
    assert by_walk["denoise"] == pytest.approx(0.0, abs=1e-9)
