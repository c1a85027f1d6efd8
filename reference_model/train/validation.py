"""Validation during training: restore a fixed set of degraded samples with a fixed seed and save the images."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from reference_model.images import resize_bicubic
from tipbench.io import write_png

logger = logging.getLogger(__name__)

#: Validation samples use global indices far beyond any training run's, so they are never trained on.
VALIDATION_START_BATCH = 10**9


def validation_samples(config, count: int) -> list[dict[str, Any]]:
    """`count` fixed sample dicts (lq filled on CPU), the same for every run of this config."""
    from data_recipes.onthefly import synthesize_cpu
    from reference_model.train.data import RecipeSampleDataset, load_recipe_config

    if count == 0:
        return []
    data = config.data
    if data.kind == "recipe":
        recipe = load_recipe_config(data.recipe, data.resolution)
        stream = iter(RecipeSampleDataset(recipe, batch_size=count, start_batch=VALIDATION_START_BATCH,
                                          source_root=data.source_root, synthesize_realesrgan=True))
    else:
        from data_recipes.reader import iter_shard_samples

        stream = iter_shard_samples(data.shards)
    samples = []
    for sample in stream:
        samples.append(sample if sample["lq"] is not None else synthesize_cpu(sample))
        if len(samples) == count:
            break
    return samples


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 100.0 if mse == 0 else float(10 * np.log10(255.0**2 / mse))


def run_validation(pipeline, samples: list[dict[str, Any]], semantic: list[str], restoration: list[str], *,
                   resolution: int, steps: int, out_dir: Path, seed: int) -> dict[str, float]:
    """Restore `samples`, write `lq | out | gt` strips to `out_dir`, return the mean PSNR against the GT."""
    from tipbench.seeding import torch_generator

    size = (resolution, resolution)
    lqs = [resize_bicubic(s["lq"], size) for s in samples]
    gts = [resize_bicubic(s["gt"], size) for s in samples]
    outputs = pipeline(lqs, semantic_prompt=semantic, restoration_prompt=restoration, num_inference_steps=steps,
                       generator=[torch_generator(seed + i) for i in range(len(samples))])
    scores = []
    for index, (lq, out, gt) in enumerate(zip(lqs, outputs, gts)):
        out = np.rint(out * 255).clip(0, 255).astype(np.uint8)
        scores.append(psnr(out, gt))
        write_png(out_dir / f"{index:02d}.png", np.concatenate([lq, out, gt], axis=1))
    return {"validation_psnr": float(np.mean(scores))}
