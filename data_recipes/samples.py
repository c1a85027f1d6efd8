"""One training sample from (recipe, global index): decode → crop → Algorithm 1 → PNG bytes + metadata.

Everything random comes from (recipe seed, stage, index) (protocol §2), so a sample's bytes do not depend on which
shard, worker or engine builds it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import numpy as np

from data_recipes.config import CropConfig, RecipeConfig
from data_recipes.mixture import (
    draw_decisions,
    draw_degradation,
    prompts_without_image,
    synthesize,
    training_target,
)
from data_recipes.sources import SeededOrder
from tipbench.contracts import PROTOCOL
from tipbench.errors import SourceError, os_error_text
from tipbench.io import encode_png
from tipbench.seeding import Stage, item_rng


class SkipSample(Exception):
    """An input that cannot become a sample (undecodable, too small); recorded in the shard index, never dropped silently."""


@dataclass(frozen=True)
class ShardSample:
    """What goes into the tar for one sample: `key` plus member suffix → bytes."""

    key: str
    members: dict[str, bytes]
    meta: dict[str, Any]


def crop_image(data: bytes, crop: CropConfig, resolution: int, seed: int, index: int) -> np.ndarray:
    """Decode (EXIF-oriented, RGB), resize the short side to `resolution` (Pillow BICUBIC), square crop.

    Raises:
        SkipSample: undecodable image or short side below `crop.min_short_side`.
    """
    from PIL import Image

    from tipbench.canonical import open_checked, to_rgb

    try:  # the test-set builder's decoding (protocol §1): bomb guard, EXIF, 16-bit gray scaled, not clipped white
        with open_checked(data) as opened:
            image = to_rgb(opened)
    except Exception as exc:  # SkipImage, or one of Pillow's many error types; the reason is recorded
        raise SkipSample(f"cannot decode image: {exc}") from exc
    width, height = image.size
    if min(width, height) < crop.min_short_side:
        raise SkipSample(f"short side {min(width, height)} < {crop.min_short_side}")
    scale = resolution / min(width, height)
    size = (max(resolution, round(width * scale)), max(resolution, round(height * scale)))
    if size != image.size:
        image = image.resize(size, Image.BICUBIC)
    rng = item_rng(seed, Stage.CROP, index)
    if crop.mode == "center":
        left, top = (size[0] - resolution) // 2, (size[1] - resolution) // 2
    else:
        left = int(rng.integers(0, size[0] - resolution + 1))
        top = int(rng.integers(0, size[1] - resolution + 1))
    array = np.asarray(image.crop((left, top, left + resolution, top + resolution)), dtype=np.uint8)
    if crop.hflip_probability > 0 and rng.random() < crop.hflip_probability:
        array = array[:, ::-1]
    return np.ascontiguousarray(array)


def build_sample(recipe: RecipeConfig, order: SeededOrder, index: int) -> ShardSample:
    """Build sample `index` of `recipe` (raises `SkipSample` for an unusable input)."""
    # 1. pick the source item and its caption
    position = order.position(index)
    item = order.source.items[position]
    caption = order.caption(index, position)
    # 2. canonicalise the GT crop
    try:
        data = order.source.read_bytes(position)
    except (OSError, SourceError) as exc:  # missing, unreadable, or a row without image bytes: this sample only
        raise SkipSample(f"cannot read source file: {os_error_text(exc) if isinstance(exc, OSError) else exc}") from exc
    gt = crop_image(data, recipe.crop, recipe.resolution, recipe.seed, index)
    # 3. Algorithm 1: decisions, parameters, and (paired mode) y
    mixture = recipe.mixture
    decision = draw_decisions(mixture, recipe.seed, index)
    params = draw_degradation(decision, mixture, recipe.seed, index, recipe.resolution)
    if recipe.mode == "paired":  # x is what training sees (the USM target); clean shards leave that to the loader
        gt = training_target(gt, mixture.usm)
        lq, params_dict = synthesize(gt, decision, params)
        members = {"x.png": encode_png(gt), "y.png": encode_png(lq)}
    else:
        members = {"x.png": encode_png(gt)}
        params_dict = params.to_dict()
    prompts = prompts_without_image(decision, params, caption)
    # 4. metadata (`json` member)
    meta = {
        "index": index,
        "seed": recipe.seed,
        "recipe": recipe.name,
        "protocol": PROTOCOL,
        "source_path": item.source_path,
        "caption": caption,
        "semantic_prompt": prompts.semantic_prompt,
        "restoration_prompt": prompts.restoration_prompt,
        "restoration_prompt_full": prompts.restoration_prompt_full,
        "restoration_prompt_type": prompts.restoration_prompt_type,
        "pipeline": decision.pipeline,
        "type_only": decision.type_only,
        "drop_semantic": decision.drop_semantic,
        "drop_restoration": decision.drop_restoration,
        "no_degradation": decision.no_degradation,
        "usm": mixture.usm,
        "params": params_dict,
        "mode": recipe.mode,
    }
    members["json"] = (json.dumps(meta, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    return ShardSample(key=f"{index:09d}", members=members, meta=meta)


__all__ = ["ShardSample", "SkipSample", "build_sample", "crop_image"]
