"""A small seeded selective split for the adherence tests: the bundled sample photos at a small size, degraded by
the real selective pipeline (`tipbench.degradations.selective`), written as the builder lays a split out."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from tipbench.degradations import selective
from tipbench.io import PROTOCOL, write_json, write_manifest, write_png


def sample_photos(size: int) -> list[np.ndarray]:
    """The bundled sample photos, canonicalised (protocol §1) to `size`×`size` instead of 512 to keep tests fast."""
    from PIL import Image

    from tipbench.canonical import canonicalize
    from tipbench.sources.folder import sample_root

    photos = []
    for path in sorted(sample_root().glob("*.jpg")):
        with Image.open(path) as image:
            photos.append(canonicalize(image, size=size))
    return photos


def make_selective_split(root: Path, *, n: int = 6, size: int = 128, seed: int = 0,
                         name: str = "coco-selective") -> Path:
    """Write `root/<name>/` as the builder would (gt/, lq/, target/, manifest, split.json); returns the folder."""
    split_dir = root / name
    photos = sample_photos(size)
    if n > len(photos):
        raise ValueError(f"only {len(photos)} sample photos")
    rows = []
    for index in range(n):
        item_id = f"{index:012d}"
        gt = photos[index]
        result = selective.degrade(gt, seed=seed, index=index)
        paths = {kind: f"{kind}/{item_id}.png" for kind in ("gt", "lq", "target")}
        shas = {kind: write_png(split_dir / paths[kind], image)
                for kind, image in (("gt", gt), ("lq", result.lq), ("target", result.target))}
        rows.append({
            "id": item_id, "index": index, "source_path": f"{item_id}.png",
            "gt_path": paths["gt"], "lq_path": paths["lq"], "target_path": paths["target"],
            "gt_sha256": shas["gt"], "lq_sha256": shas["lq"], "target_sha256": shas["target"],
            "width_lq": size, "height_lq": size, "semantic_prompt": f"picture {index}",
            "restoration_prompt": result.restoration_prompt,
            "restoration_prompt_type": result.restoration_prompt_type,
            "pipeline": "selective", "params": json.dumps(result.params, sort_keys=True), "seed": seed,
        })
    manifest_sha = write_manifest(split_dir / "manifest.parquet", rows)
    write_json(split_dir / "split.json", {"split": name, "protocol": PROTOCOL, "seed": seed, "source": "folder",
                                          "manifest_sha256": manifest_sha})
    return split_dir
