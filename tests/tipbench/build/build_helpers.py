"""Helpers for the build tests: small synthetic COCO trees and folder sources, and folder hashing."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
from PIL import Image


def smooth_image(width: int, height: int, seed: int) -> np.ndarray:
    """A smooth, seeded RGB image with some edges (cheap to PNG-encode, still informative)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    phase = rng.uniform(0, 6, size=3)
    freq = rng.uniform(0.01, 0.04, size=3)
    channels = [0.5 + 0.4 * np.sin(freq[c] * (x + 1.3 * y) + phase[c]) for c in range(3)]
    image = np.stack(channels, -1)
    image[(x // 40 + y // 40) % 2 == 0] *= 0.8
    return np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)


def make_coco_tree(root: Path, n_images: int, *, no_caption_ids: tuple[int, ...] = (),
                   size: tuple[int, int] = (320, 272)) -> dict[str, list[str]]:
    """`root/val2017/*.jpg` + `root/annotations/captions_val2017.json`; returns id → captions (stripped)."""
    (root / "val2017").mkdir(parents=True)
    (root / "annotations").mkdir()
    images, annotations, captions = [], [], {}
    ann_id = 1
    for number in range(n_images):
        image_id = 1000 + 7 * number
        file_name = f"{image_id:012d}.jpg"
        Image.fromarray(smooth_image(size[0] + 8 * number, size[1], seed=number)).save(
            root / "val2017" / file_name, quality=95)
        images.append({"id": image_id, "file_name": file_name, "width": size[0] + 8 * number, "height": size[1]})
        if image_id in no_caption_ids:
            continue
        texts = [f"  caption {k} of image {image_id}  " for k in range(5)] + ["   "]
        captions[f"{image_id:012d}"] = [t.strip() for t in texts if t.strip()]
        for text in texts:
            annotations.append({"id": ann_id, "image_id": image_id, "caption": text})
            ann_id += 1
    data = {"info": {}, "licenses": [], "images": images, "annotations": annotations}
    (root / "annotations" / "captions_val2017.json").write_text(json.dumps(data), encoding="utf-8")
    return captions


def folder_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every non-hidden file under `folder`, by relative path."""
    hashes = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            hashes[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes
