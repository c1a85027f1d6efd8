"""Helpers for data_recipes tests: a small synthetic captioned folder and recipe YAML files over it."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from PIL import Image


def make_captioned_folder(root: Path, count: int = 24, *, small: int = 1, corrupt: int = 1) -> Path:
    """`count` textured JPEG/PNG images of mixed sizes with captions.csv, plus `small` too-small and `corrupt`
    undecodable files (which must be skipped and recorded, never dropped silently)."""
    root.mkdir(parents=True, exist_ok=True)
    rows = []
    for i in range(count):
        rng = np.random.default_rng(i)
        height, width = (120 + 8 * (i % 5), 150 + 6 * (i % 7)) if i % 2 else (170, 130)
        y, x = np.mgrid[0:height, 0:width].astype(np.float32)
        base = 127 + 100 * np.sin(x / (5 + i % 4))[..., None] * np.cos(y / 7)[..., None] * rng.random(3)
        image = np.clip(base + 10 * rng.standard_normal((height, width, 3)), 0, 255).astype(np.uint8)
        name = f"img_{i:03d}.{'png' if i % 3 == 0 else 'jpg'}"
        Image.fromarray(image).save(root / name)
        rows.append((name, f"a synthetic photo number {i}"))
    for i in range(small):
        Image.fromarray(np.full((40, 60, 3), 128, np.uint8)).save(root / f"small_{i}.png")
        rows.append((f"small_{i}.png", "too small"))
    for i in range(corrupt):
        (root / f"broken_{i}.jpg").write_bytes(b"not an image at all")
    with (root / "captions.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_name", "caption"])
        writer.writerows(rows)
    return root


def write_recipe(path: Path, root: Path, *, name: str = "test-mix", mode: str = "paired", resolution: int = 160,
                 realesrgan: float = 0.5, num_samples: int | None = None, seed: int = 0) -> Path:
    """A recipe YAML over the synthetic folder (small resolution keeps tests fast)."""
    lines = [
        f"name: {name}",
        "source:",
        "  kind: folder",
        f"  root: {root}",
        "crop:",
        "  mode: random",
        "  min_short_side: 100",
        "mixture:",
        f"  realesrgan_probability: {realesrgan}",
        "  type_only_probability: 0.5",
        "  semantic_dropout: 0.1",
        f"resolution: {resolution}",
        f"mode: {mode}",
        f"seed: {seed}",
    ]
    if num_samples is not None:
        lines.append(f"num_samples: {num_samples}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def realesrgan_available() -> bool:
    """The Real-ESRGAN pipeline is written by another stream of work; tests of its branch wait for it."""
    try:
        from tipbench.degradations import DEGRADATIONS

        DEGRADATIONS.get("realesrgan")
    except (ImportError, AttributeError):
        return False
    return True


def within_binomial_loose(successes: int, trials: int, p: float, z: float = 4.0) -> bool:
    """Binomial bound for small real builds (degenerate p = 0 or 1 must be exact)."""
    import math

    return abs(successes - trials * p) <= z * math.sqrt(trials * p * (1 - p)) + 1e-9
