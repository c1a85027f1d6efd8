"""A deterministic test photo-like image for the figure tests (no downloads, no global RNG)."""

from __future__ import annotations

import numpy as np


def textured(size: int, seed: int = 0) -> np.ndarray:
    """Smooth gradients, edges and fine texture: enough detail for blur and noise to be measurable."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    base = np.stack([0.5 + 0.4 * np.sin(6 * x + 2 * y), 0.5 + 0.4 * np.cos(5 * y), 0.5 + 0.3 * np.sin(9 * x * y)], -1)
    blocks = ((x * 8).astype(int) + (y * 8).astype(int)) % 2
    stripes = 0.5 + 0.5 * np.sin(40 * x)[..., None]
    image = 0.55 * base + 0.3 * blocks[..., None] + 0.15 * stripes + 0.01 * rng.standard_normal((size, size, 3))
    return np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)
