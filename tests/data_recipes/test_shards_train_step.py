"""Acceptance: the reference model's training loader reads our shards — one tiny training step."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from recipe_helpers import write_recipe

from data_recipes.shards import ShardsConfig, write_shards

train_config = pytest.importorskip("reference_model.train.config")
train_loop = pytest.importorskip("reference_model.train.loop")

TINY = Path(__file__).resolve().parents[2] / "reference_model" / "configs" / "tiny.yaml"


def test_one_training_step_on_shards(tmp_path, captioned_folder, mix_realesrgan):
    """Paired shards (the clean + on-the-fly path yields the same dicts; see test_shard_reader)."""
    if not TINY.is_file():
        pytest.skip("reference_model/configs/tiny.yaml not present")
    recipe = write_recipe(tmp_path / "recipe.yaml", captioned_folder, name="train-paired", mode="paired",
                          realesrgan=mix_realesrgan, num_samples=8)
    # shards at 160 px (Real-ESRGAN needs it); the tiny model trains at 32 px (the loader resizes x and y)
    write_shards(ShardsConfig(str(recipe), str(tmp_path / "shards"), num_shards=2, progress=False))
    config = train_config.load_config(TINY, {
        "output_dir": str(tmp_path / "run"),
        "max_train_steps": 1, "checkpointing_steps": 1, "validation_steps": 1, "num_validation_images": 0,
        "logging_steps": 1,
        "data": {"kind": "shards", "shards": str(tmp_path / "shards"), "recipe": None, "resolution": 32,
                 "num_workers": 0, "realesrgan_backend": "cpu"},
    })
    summary = train_loop.train(config, progress=False)
    assert summary["global_step"] == 1
    losses = [record["loss"] for record in summary["history"] if "loss" in record]
    assert losses and all(math.isfinite(loss) for loss in losses)
