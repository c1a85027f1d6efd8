"""Training data: the on-the-fly recipe stream (worker-count independent), the Real-ESRGAN branch, prompt switches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reference_model.train.config import DataConfig
from reference_model.train.data import batch_tensors, build_loader, training_prompts


def _recipe(folder: str, **mixture) -> dict:
    return {"name": "t", "source": {"kind": "folder", "root": folder},
            "crop": {"mode": "random", "min_short_side": 16}, "mixture": mixture}


def _take(config: DataConfig, batches: int, start_batch: int = 0, batch_size: int = 2):
    stream = build_loader(config, seed=0, batch_size=batch_size, rank=0, world_size=1, start_batch=start_batch,
                          device="cpu")
    return [next(stream) for _ in range(batches)]


def test_stream_is_independent_of_worker_count_and_resumable(image_folder):
    recipe = _recipe(image_folder, realesrgan_probability=0.0)
    serial = _take(DataConfig(recipe=recipe, resolution=32, num_workers=0), 3)
    parallel = _take(DataConfig(recipe=recipe, resolution=32, num_workers=2), 3)
    resumed = _take(DataConfig(recipe=recipe, resolution=32, num_workers=0), 2, start_batch=1)
    for a, b in zip(serial, parallel):
        assert a["index"] == b["index"] and a["restoration_prompt"] == b["restoration_prompt"]
        assert all(np.array_equal(x, y) for x, y in zip(a["lq"], b["lq"]))
    assert [b["index"] for b in serial[1:]] == [b["index"] for b in resumed]
    assert [i for b in serial for i in b["index"]] == list(range(6))


@pytest.mark.parametrize("backend", ["cpu", "auto"])  # numpy per sample in the worker / torch batched
def test_realesrgan_branch_and_tensors(tmp_path, backend):
    from refmodel_helpers import make_image_folder

    folder = make_image_folder(tmp_path / "big", count=2, size=160)
    config = DataConfig(recipe=_recipe(folder, realesrgan_probability=1.0), resolution=160, num_workers=0,
                        realesrgan_backend=backend)
    (batch,) = _take(config, 1)
    assert batch["pipeline"] == ["realesrgan", "realesrgan"]
    assert all(lq.shape == (40, 40, 3) for lq in batch["lq"])
    assert set(batch["restoration_prompt"]) == {"Remove all degradation"}
    x, y = batch_tensors(batch, 160)
    assert tuple(x.shape) == (2, 3, 160, 160) and tuple(y.shape) == (2, 3, 160, 160)
    assert -1.0 <= float(x.min()) and float(x.max()) <= 1.0 and 0.0 <= float(y.min()) and float(y.max()) <= 1.0


def test_prompt_switches_and_overrides():
    batch = {"semantic_prompt": ["a cat", ""], "restoration_prompt": ["Deblur with sigma 2.0", "Remove all degradation"]}
    plain = DataConfig(recipe="x")
    assert training_prompts(batch, plain, "both") == (["a cat", ""], ["Deblur with sigma 2.0", "Remove all degradation"])
    assert training_prompts(batch, plain, "both-type-only")[1] == ["Deblur", "Remove all degradation"]
    assert training_prompts(batch, plain, "semantic") == (["a cat", ""], ["", ""])
    assert training_prompts(batch, plain, "none") == (["", ""], ["", ""])
    forced = DataConfig(recipe="x", force_semantic_prompt="", force_restoration_prompt="")
    assert training_prompts(batch, forced, "both") == (["", ""], ["", ""])


@pytest.mark.parametrize("mode", ["paired", "clean"])
def test_training_reads_data_recipes_shards(tmp_path, image_folder, mode):
    import yaml
    from refmodel_helpers import tiny_train_overrides

    from data_recipes.shards import ShardsConfig, write_shards
    from reference_model.train.config import load_config
    from reference_model.train.loop import train

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump({**_recipe(image_folder, realesrgan_probability=0.0), "name": "tiny-shards",
                                      "resolution": 32, "mode": mode, "num_samples": 4}))
    write_shards(ShardsConfig(recipe=str(recipe), out=str(tmp_path / "shards"), num_shards=2, progress=False))
    tiny = Path(__file__).resolve().parents[2] / "reference_model" / "configs" / "tiny.yaml"
    overrides = tiny_train_overrides(tmp_path / "run", image_folder, max_train_steps=3, checkpointing_steps=100)
    overrides["data"] = {"kind": "shards", "shards": str(tmp_path / "shards"), "recipe": None, "resolution": 32}
    summary = train(load_config(tiny, overrides), progress=False)
    assert summary["global_step"] == 3  # 4 samples, batch 2: the stream wraps into a second epoch
    assert (tmp_path / "run" / "adapter" / "config.json").is_file()


def test_training_loader_leaves_the_global_torch_rng_alone(image_folder):
    import torch

    before = torch.random.get_rng_state()
    _take(DataConfig(recipe=_recipe(image_folder, realesrgan_probability=0.0), resolution=32, num_workers=0), 1)
    assert torch.equal(torch.random.get_rng_state(), before)


def test_shard_stream_reshuffles_every_epoch_with_worker_processes(tmp_path, image_folder):
    # set_epoch must reach the workers: with persistent workers their dataset copy kept epoch 0 for ever, so every
    # epoch repeated the first epoch's order (only the in-process loader reshuffled)
    import yaml

    from data_recipes.shards import ShardsConfig, write_shards

    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump({**_recipe(image_folder, realesrgan_probability=0.0), "name": "epochs",
                                      "resolution": 32, "mode": "clean", "num_samples": 8}))
    write_shards(ShardsConfig(recipe=str(recipe), out=str(tmp_path / "shards"), num_shards=2, progress=False))

    def order(num_workers: int) -> list[int]:
        config = DataConfig(kind="shards", shards=str(tmp_path / "shards"), recipe=None, resolution=32,
                            num_workers=num_workers, shuffle_buffer=4)
        stream = build_loader(config, seed=0, batch_size=2, rank=0, world_size=1, start_batch=0, device="cpu")
        return [i for _ in range(12) for i in next(stream)["index"]]  # three epochs of 8

    in_process, one_worker = order(0), order(1)
    assert in_process[:8] != in_process[8:16]  # a new order each epoch
    assert one_worker == in_process
