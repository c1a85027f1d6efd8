"""Training on tiny random models (CPU): loss goes down, resume is exact, accelerate launch works."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from refmodel_helpers import tiny_train_overrides

from reference_model.train.config import load_config
from reference_model.train.loop import train

TINY_CONFIG = Path(__file__).resolve().parents[2] / "reference_model" / "configs" / "tiny.yaml"


def _fixed_batch_loss(adapter, base, image_folder) -> float:
    """Mean loss of `adapter` over 4 fixed micro-batches (fixed data, noise and timesteps)."""
    from diffusers import DDPMScheduler

    from reference_model.train.data import batch_tensors, build_loader, training_prompts
    from reference_model.train.loop import compute_loss
    from tipbench.seeding import torch_generator

    config = load_config(TINY_CONFIG, tiny_train_overrides("/unused", image_folder))
    batches = build_loader(config.data, seed=0, batch_size=4, rank=0, world_size=1, start_batch=10_000,
                           device="cpu")
    scheduler = DDPMScheduler.from_config(base["scheduler"].config)

    losses = []
    for index in range(4):
        batch = next(batches)
        x, y = batch_tensors(batch, config.data.resolution)
        semantic, restoration = training_prompts(batch, config.data, "both")
        with torch.no_grad():
            loss = compute_loss(x, y, semantic, restoration, base=base, adapter=adapter, noise_scheduler=scheduler,
                                generator=torch_generator(index), device="cpu", weight_dtype=torch.float32)
        losses.append(float(loss))
    return sum(losses) / len(losses)


@pytest.mark.slow  # 40 training steps (~7 s); CI runs it in its `slow` step
def test_loss_decreases_over_training(tmp_path, image_folder):
    from reference_model.adapter import TIPAdapter
    from reference_model.tiny import tiny_adapter, tiny_base

    config = load_config(TINY_CONFIG, tiny_train_overrides(tmp_path / "run", image_folder, max_train_steps=40,
                                                           checkpointing_steps=1000))
    summary = train(config, progress=False)
    assert summary["global_step"] == 40 and len(summary["history"]) == 40
    base = tiny_base(0)
    before = _fixed_batch_loss(tiny_adapter(base["unet"]), base, image_folder)
    after = _fixed_batch_loss(TIPAdapter.from_pretrained(tmp_path / "run" / "adapter"), base, image_folder)
    print(f"tiny training, fixed-batch loss: {before:.4f} at init -> {after:.4f} after 40 steps")
    assert after < 0.9 * before
    assert (tmp_path / "run" / "logs" / "metrics.jsonl").read_text().count("\n") == 40 // config.logging_steps


def test_resume_continues_with_identical_state(tmp_path, image_folder):
    from reference_model.adapter import TIPAdapter

    common = dict(max_train_steps=6, checkpointing_steps=3, gradient_accumulation_steps=2)
    straight = load_config(TINY_CONFIG, tiny_train_overrides(tmp_path / "a", image_folder, **common))
    train(straight, progress=False)
    shutil.copytree(tmp_path / "a" / "checkpoint-3", tmp_path / "b" / "checkpoint-3")
    resumed = load_config(TINY_CONFIG, tiny_train_overrides(tmp_path / "b", image_folder,
                                                            resume_from_checkpoint="latest", **common))
    summary = train(resumed, progress=False)
    assert [r["step"] for r in summary["history"]] == [4, 5, 6]
    a = TIPAdapter.from_pretrained(tmp_path / "a" / "adapter").state_dict()
    b = TIPAdapter.from_pretrained(tmp_path / "b" / "adapter").state_dict()
    assert all(torch.equal(a[key], b[key]) for key in a)
    assert sorted(p.name for p in (tmp_path / "a").glob("checkpoint-*")) == ["checkpoint-3", "checkpoint-6"]


def test_validation_images_are_written(tmp_path, image_folder):
    config = load_config(TINY_CONFIG, tiny_train_overrides(tmp_path / "v", image_folder, max_train_steps=2,
                                                           validation_steps=2, num_validation_images=2,
                                                           checkpointing_steps=1000))
    train(config, progress=False)
    strips = sorted((tmp_path / "v" / "validation" / "step-2").glob("*.png"))
    assert len(strips) == 2


@pytest.mark.slow  # a fresh `accelerate launch` process (~20 s); CI runs it in its `slow` step
def test_accelerate_launch_on_cpu(tmp_path, image_folder):
    import yaml

    overrides = tiny_train_overrides(tmp_path / "launched", image_folder, max_train_steps=2,
                                     checkpointing_steps=1000)
    config_path = tmp_path / "tiny-launch.yaml"
    config_path.write_text(yaml.safe_dump({"base": str(TINY_CONFIG), "name": "tiny-launch", **overrides}))
    env = {**os.environ, "OMP_NUM_THREADS": "1", "HF_HUB_OFFLINE": "1"}
    command = [sys.executable, "-m", "accelerate.commands.launch", "--cpu", "--num_processes", "1",
               "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
               "-m", "reference_model.train", str(config_path), "--no-progress"]
    result = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "wrote" in result.stdout
    assert (tmp_path / "launched" / "adapter" / "config.json").is_file()
    assert (tmp_path / "launched" / "tipbench.json").read_text().count('"random"') == 1


@pytest.mark.parametrize("name", sorted(p.name for p in TINY_CONFIG.parent.glob("*.yaml")))
def test_every_shipped_config_parses(name):
    config = load_config(TINY_CONFIG.parent / name)
    assert config.name == name.removesuffix(".yaml")


def test_config_errors_are_clear(tmp_path, capsys):
    from reference_model.train import main
    from tipbench.errors import ConfigError

    bad = tmp_path / "bad.yaml"
    bad.write_text(f"base: {TINY_CONFIG}\nlearning_rat: 0.1\n")
    with pytest.raises(ConfigError, match="learning_rat"):
        load_config(bad)
    assert main([str(tmp_path / "missing.yaml")]) == 1
    assert "error:" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main([str(bad), "--set", "no-equals-sign"])
    assert exit_info.value.code == 2


def test_set_value_that_is_not_yaml_is_a_usage_error(tmp_path, capsys):
    from reference_model.train import main

    with pytest.raises(SystemExit) as exit_info:
        main([str(TINY_CONFIG), "--set", "model.fusion=["])
    assert exit_info.value.code == 2
    assert "not valid YAML" in capsys.readouterr().err
