"""Seeded synthetic param splits written with the core helpers (no builder, no downloads)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tipbench.degradations import param
from tipbench.io import PROTOCOL, write_json, write_manifest, write_png
from tipbench.seeding import Stage, item_rng


def textured(size: int, seed: int) -> np.ndarray:
    """Smooth gradients, edges and fine texture: enough structure for restoration to matter."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    phase = rng.uniform(0, 6, 3)
    base = np.stack([0.5 + 0.35 * np.sin((5 + c) * x + (3 + c) * y + phase[c]) for c in range(3)], -1)
    blocks = (((x * 6).astype(int) + (y * 6).astype(int)) % 2)[..., None]
    stripes = 0.08 * np.sin(40 * x + 10 * y)[..., None]
    image = 0.75 * base + 0.2 * blocks + stripes
    return np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)


def make_param_split(root: Path, name: str = "synthetic-param", n: int = 4, size: int = 64, seed: int = 0,
                     captions: bool = True) -> Path:
    """A split folder per contracts §1 with the param pipeline applied per protocol §2 seeds."""
    split_dir = root / name
    rows = []
    for index in range(n):
        item_id = f"{index:012d}"
        gt = textured(size, seed * 1000 + index)
        params = param.sample(item_rng(seed, Stage.DEGRADATION, index))
        result = param.apply(gt, params)
        gt_sha = write_png(split_dir / "gt" / f"{item_id}.png", gt)
        lq_sha = write_png(split_dir / "lq" / f"{item_id}.png", result.lq)
        rows.append({
            "id": item_id, "index": index, "source_path": f"synthetic/{item_id}.png",
            "gt_path": f"gt/{item_id}.png", "lq_path": f"lq/{item_id}.png", "gt_sha256": gt_sha,
            "lq_sha256": lq_sha, "width_lq": result.lq.shape[1], "height_lq": result.lq.shape[0],
            "semantic_prompt": f"a synthetic test pattern number {index}" if captions else "",
            "restoration_prompt": result.restoration_prompt,
            "restoration_prompt_type": result.restoration_prompt_type, "pipeline": "param",
            "params": json.dumps(result.params, sort_keys=True), "seed": seed,
        })
    manifest_sha = write_manifest(split_dir / "manifest.parquet", rows)
    write_json(split_dir / "split.json", {"split": name, "protocol": PROTOCOL, "seed": seed, "source": "sample",
                                          "n_built": n, "manifest_sha256": manifest_sha})
    return split_dir

