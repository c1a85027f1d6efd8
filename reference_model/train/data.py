"""Training batches: sample dicts (the `data_recipes.reader` format) -> tensors the loss needs.

Two sources, one format: training shards (read by `data_recipes.loader.ShardIterableDataset`) or a recipe's
captioned source sampled on the fly per global sample index (`data_recipes.samples.build_sample`, i.e. Algorithm 1
with `Stage.TRAIN_MIX` / `Stage.DEGRADATION` draws), so a recipe trained on the fly sees exactly what its clean
shards would hold. Param-branch y is made on CPU in loader workers; Real-ESRGAN y per batch on the training device
(torch backend) or on CPU when that backend is unavailable.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from typing import Any

import numpy as np
import torch
from torch.utils.data import DataLoader, IterableDataset, get_worker_info

from reference_model.images import resize_bicubic
from reference_model.prompting import adapter_prompt_options
from reference_model.train.config import DataConfig
from tipbench.errors import ConfigError
from tipbench.prompts import to_type_only

logger = logging.getLogger(__name__)

MAX_SKIPS = 16


def load_recipe_config(recipe: Any, resolution: int):
    """The data_recipes `RecipeConfig` (name, YAML path or inline dict), in clean mode at `resolution`."""
    from data_recipes.config import RecipeConfig
    from data_recipes.recipes import load_recipe

    config = RecipeConfig.from_dict(recipe) if isinstance(recipe, dict) else load_recipe(recipe)
    return replace(config, mode="clean", resolution=resolution)


class RecipeSampleDataset(IterableDataset):
    """Infinite on-the-fly samples of a recipe; global sample indices are assigned batch by batch.

    Batch b of this rank holds indices [(b * world + rank) * B, ... + B); worker w of W takes batches b = w, w + W, ...
    and the DataLoader's round robin returns them in order, so the stream is the same for any worker count, and
    resuming at batch `start_batch` continues it exactly.
    """

    def __init__(self, recipe, *, batch_size: int, rank: int = 0, world_size: int = 1, start_batch: int = 0,
                 source_root: str | None = None, synthesize_realesrgan: bool = False) -> None:
        super().__init__()
        self.recipe, self.source_root = recipe, source_root
        self.batch_size, self.rank, self.world_size = batch_size, rank, world_size
        self.start_batch = start_batch
        self.synthesize_realesrgan = synthesize_realesrgan

    def _sample(self, order, index: int) -> dict[str, Any]:
        from data_recipes.onthefly import synthesize_cpu
        from data_recipes.reader import decode_sample
        from data_recipes.samples import SkipSample, build_sample

        size = len(order.source)
        for attempt in range(MAX_SKIPS):
            # An unusable input is replaced by the same slot of the next pass (deterministic, never dropped).
            candidate = index + attempt * size
            try:
                built = build_sample(self.recipe, order, candidate)
            except SkipSample as error:
                logger.warning("training sample %d skipped: %s", candidate, error)
                continue
            sample = decode_sample(built.key, built.members)
            if sample["pipeline"] == "param" or self.synthesize_realesrgan:
                sample = synthesize_cpu(sample)
            return sample
        raise ConfigError(f"{MAX_SKIPS} inputs in a row were unusable around sample {index}; check the source")

    def __iter__(self) -> Iterator[dict[str, Any]]:
        from data_recipes.sources import SeededOrder, open_source

        info = get_worker_info()
        worker, workers = (info.id, info.num_workers) if info is not None else (0, 1)
        order = SeededOrder(open_source(self.recipe.source, self.source_root), self.recipe.seed)
        batch = self.start_batch + worker
        while True:
            first = (batch * self.world_size + self.rank) * self.batch_size
            for index in range(first, first + self.batch_size):
                yield self._sample(order, index)
            batch += workers


def build_loader(config: DataConfig, *, seed: int, batch_size: int, rank: int, world_size: int,
                 start_batch: int, device: Any) -> Iterator[dict[str, list[Any]]]:
    """An endless iterator of collated batches (dicts of lists) with every `lq` filled in."""
    from data_recipes.onthefly import OnTheFlyDegrader
    from data_recipes.reader import collate_samples

    try:
        degrader = OnTheFlyDegrader(device=device, backend=config.realesrgan_backend)
    except ImportError as error:
        raise ConfigError(f"`data.realesrgan_backend: torch`: {error}") from error
    on_device = degrader.batch_apply is not None
    if config.kind == "recipe":
        recipe = load_recipe_config(config.recipe, config.resolution)
        dataset = RecipeSampleDataset(recipe, batch_size=batch_size, rank=rank, world_size=world_size,
                                      start_batch=start_batch, source_root=config.source_root,
                                      synthesize_realesrgan=not on_device)
        skip = 0
    else:
        from data_recipes.loader import ShardIterableDataset

        dataset = ShardIterableDataset(config.shards, shuffle_seed=seed, buffer_size=config.shuffle_buffer,
                                       rank=rank, world_size=world_size, synthesize_param=True)
        skip = start_batch  # a shard stream cannot seek: resume reads and drops the batches already seen
    # An own generator: without one, every `iter(loader)` draws the workers' base seed from torch's global RNG.
    # No persistent workers: the shard stream is re-iterated every epoch after `set_epoch`, and persistent workers
    # would keep their epoch-0 copy of the dataset (the same order every epoch); the recipe stream never ends.
    loader = DataLoader(dataset, batch_size=batch_size, num_workers=config.num_workers, collate_fn=collate_samples,
                        generator=torch.Generator().manual_seed(seed))

    def batches() -> Iterator[dict[str, list[Any]]]:
        epoch, skipped = 0, 0
        while True:
            for batch in loader:
                if skipped < skip:
                    skipped += 1
                    continue
                yield degrader(batch)
            if config.kind == "recipe":
                raise RuntimeError("the recipe stream is endless; the loader should never stop")
            epoch += 1
            dataset.set_epoch(epoch)

    return batches()


def training_prompts(batch: dict[str, list[Any]], config: DataConfig, prompts: str) -> tuple[list[str], list[str]]:
    """(c_s, c_r) per sample after the config's overrides and the model's prompt policy."""
    switches = adapter_prompt_options(prompts)
    use_semantic, form = switches["use_semantic_prompt"], switches["restoration_prompt_form"]
    semantic, restoration = [], []
    for c_s, c_r in zip(batch["semantic_prompt"], batch["restoration_prompt"]):
        if config.force_semantic_prompt is not None:
            c_s = config.force_semantic_prompt
        if config.force_restoration_prompt is not None:
            c_r = config.force_restoration_prompt
        semantic.append(c_s if use_semantic else "")
        restoration.append("" if form == "none" else (to_type_only(c_r) if form == "type-only" else c_r))
    return semantic, restoration


def batch_tensors(batch: dict[str, list[Any]], resolution: int) -> tuple[torch.Tensor, torch.Tensor]:
    """x in [-1, 1] and y in [0, 1], both (B, 3, R, R); y is bicubic-resized to R as at test time."""
    size = (resolution, resolution)
    gts = np.stack([resize_bicubic(gt, size) for gt in batch["gt"]])
    lqs = np.stack([resize_bicubic(lq, size) for lq in batch["lq"]])
    x = torch.from_numpy(gts).permute(0, 3, 1, 2).float() / 127.5 - 1.0
    y = torch.from_numpy(lqs).permute(0, 3, 1, 2).float() / 255.0
    return x, y
