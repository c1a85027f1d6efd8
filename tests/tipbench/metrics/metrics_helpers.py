"""Tiny split and run folders for the metrics tests, written directly with `tipbench.io` (no builder needed)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tipbench.io import PROTOCOL, write_json, write_manifest, write_png


def make_split(root: Path, name: str = "tiny-split", n: int = 4, size: int = 32, captions=None,
               seed: int = 0, source: str = "folder") -> Path:
    """`root/<name>/` with gt/, lq/, manifest.parquet and split.json; returns the split folder."""
    rng = np.random.default_rng(seed)
    split_dir = root / name
    rows = []
    for index in range(n):
        item_id = f"img{index:03d}"
        gt = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
        lq = gt[::2, ::2].copy()
        gt_sha = write_png(split_dir / "gt" / f"{item_id}.png", gt)
        lq_sha = write_png(split_dir / "lq" / f"{item_id}.png", lq)
        caption = captions[index] if captions is not None else f"a photo number {index}"
        rows.append({
            "id": item_id, "index": index, "source_path": f"{item_id}.jpg", "gt_path": f"gt/{item_id}.png",
            "lq_path": f"lq/{item_id}.png", "gt_sha256": gt_sha, "lq_sha256": lq_sha, "width_lq": size // 2,
            "height_lq": size // 2, "semantic_prompt": caption, "restoration_prompt": "Remove all degradation",
            "restoration_prompt_type": "Remove all degradation", "pipeline": "realesrgan",
            "params": json.dumps({}), "seed": 0,
        })
    manifest_sha = write_manifest(split_dir / "manifest.parquet", rows)
    write_json(split_dir / "split.json", {"split": name, "protocol": PROTOCOL, "source": source,
                                          "manifest_sha256": manifest_sha})
    return split_dir


def gt_images(split_dir: Path) -> dict[str, np.ndarray]:
    from tipbench.io import decode_png

    return {p.stem: decode_png(p) for p in sorted((split_dir / "gt").glob("*.png"))}


def noisy(image: np.ndarray, seed: int, amount: int = 20) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(image.astype(np.int16) + rng.integers(-amount, amount + 1, image.shape), 0, 255).astype(np.uint8)


def make_run(runs_root: Path, split_dir: Path, method: str = "noise", outputs: dict | None = None) -> Path:
    """A run folder `<runs>/<split>/<method>/both/` whose outputs are noisy GT copies (or `outputs`)."""
    from tipbench.io import sha256_file

    split_name = split_dir.name
    run_dir = runs_root / split_name / method / "both"
    images = outputs if outputs is not None else {k: noisy(v, i) for i, (k, v) in enumerate(gt_images(split_dir).items())}
    for item_id, image in images.items():
        write_png(run_dir / "out" / f"{item_id}.png", image)
    write_json(run_dir / "run.json", {
        "method": method, "variant": None, "split": split_name, "prompts": "both",
        "split_manifest_sha256": sha256_file(split_dir / "manifest.parquet"), "weights": "real",
    })
    return run_dir
