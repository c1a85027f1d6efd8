"""The tests' split folders: tiny seeded splits written with the package's one split-folder writer
(`tipbench.contracts.split_folder.write_split_folder`), never by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tipbench.contracts.split_folder import (
    MANIFEST,
    SplitRow,
    new_item,
    write_manifest,
    write_split_folder,
)


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


def make_pipeline_split(root: Path, name: str, *, pipeline: str = "param", n: int = 4, size: int = 64,
                        seed: int = 0, captions: bool = True, source: str = "sample",
                        image: Callable[[int, int], np.ndarray] = textured) -> Path:
    """`root/<name>/`: synthetic GTs degraded by the real registered `pipeline`, seeded per protocol §2."""
    from tipbench.degradations.base import DEGRADATIONS

    degrade = DEGRADATIONS.get(pipeline).degrade
    items = []
    for index in range(n):
        gt = image(size, seed * 1000 + index)
        result = degrade(gt, seed=seed, index=index)
        items.append(new_item(
            f"{index:012d}", index, gt=gt, lq=result.lq, target=getattr(result, "target", None),
            semantic_prompt=f"a synthetic test pattern number {index}" if captions else "",
            restoration_prompt=result.restoration_prompt, restoration_prompt_type=result.restoration_prompt_type,
            pipeline=pipeline, params=result.params, seed=seed, source_path=f"synthetic/{index:012d}.png"))
    return write_split_folder(root / name, items, {"split": name, "seed": seed, "source": source}).path


def make_param_split(root: Path, name: str = "synthetic-param", n: int = 4, size: int = 64, seed: int = 0,
                     captions: bool = True) -> Path:
    """A param-pipeline split (contracts §1) of synthetic textures, source "sample"."""
    return make_pipeline_split(root, name, n=n, size=size, seed=seed, captions=captions)


def make_small_split(root: Path, name: str, pipeline: str = "param", n: int = 2, size: int = 64) -> Path:
    """A small split named like a benchmark split (so tables and figures match it) of `tests.patterns` textures."""
    from tests.patterns import textured as patterned

    return make_pipeline_split(root, name, pipeline=pipeline, n=n, size=size,
                               image=lambda side, number: patterned(side, seed=number))


def make_noise_split(root: Path, name: str = "tiny-split", n: int = 4, size: int = 32, captions=None,
                     seed: int = 0, source: str = "folder") -> Path:
    """Random-noise GTs with a 2× subsampled LQ and a blind prompt: cheap pairs for the metric tests."""
    rng = np.random.default_rng(seed)
    items = []
    for index in range(n):
        gt = rng.integers(0, 256, (size, size, 3), dtype=np.uint8)
        caption = captions[index] if captions is not None else f"a photo number {index}"
        items.append(new_item(f"img{index:03d}", index, gt=gt, lq=gt[::2, ::2].copy(), semantic_prompt=caption,
                              restoration_prompt="Remove all degradation", pipeline="realesrgan",
                              source_path=f"img{index:03d}.jpg"))
    return write_split_folder(root / name, items, {"split": name, "source": source}).path


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
    """A selective split of the bundled sample photos (gt/, lq/, target/), as the builder lays one out."""
    photos = sample_photos(size)
    if n > len(photos):
        raise ValueError(f"only {len(photos)} sample photos")
    return make_pipeline_split(root, name, pipeline="selective", n=n, size=size, seed=seed, source="folder",
                               image=lambda _size, number: photos[number - seed * 1000])


def edit_manifest(split_dir: Path, edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]]) -> None:
    """Rewrite a split's manifest with `edit` applied to its rows (dicts), through the one writer, and record the
    new manifest's sha256 in split.json as a rebuild would (so the split is consistent, not "changed after build")."""
    import pyarrow.parquet as pq

    from tipbench.contracts.split_folder import SPLIT_JSON, write_split_info
    from tipbench.io import read_json

    rows = edit(pq.read_table(split_dir / MANIFEST).to_pylist())
    digest = write_manifest(split_dir, [SplitRow.from_dict(row) for row in rows])
    if (split_dir / SPLIT_JSON).is_file():
        write_split_info(split_dir, {**read_json(split_dir / SPLIT_JSON), "manifest_sha256": digest})


def manifest_frame(split_dir: Path):
    """The manifest as a pandas DataFrame read straight from the parquet file: an independent read of the bytes
    the writer produced, for assertions (the package reads it with `read_split_folder`)."""
    import pyarrow.parquet as pq

    return pq.read_table(split_dir / MANIFEST).to_pandas()
