"""Gaussian and Poisson noise of the Real-ESRGAN pipeline (protocol §4.4), numpy, float32.

Noise is split into a *unit field* and a strength so that a realisation can be recorded or injected: Gaussian unit
noise is N(0, 1) (strength σ/255), Poisson unit noise is Poisson(img_r·V)/V − img_r (strength = scale). Gray
variants have one HxW field that is added to all three channels. `add_noise` then gives clip(img + s·n, 0, 1).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

#: torchvision's `rgb_to_grayscale` weights, used for gray Poisson noise.
LUMA_WEIGHTS = np.array([0.2989, 0.587, 0.114], dtype=np.float32)


def gaussian_unit_noise(rng: np.random.Generator, shape: tuple[int, int], gray: bool) -> np.ndarray:
    """Standard-normal float32 noise, HxW when `gray` else HxWx3."""
    return rng.standard_normal(shape if gray else (*shape, 3), dtype=np.float32)


def poisson_levels(distinct_values: int) -> int:
    """V = 2^ceil(log2(count)): the anchor's Poisson 'photon count' from the number of distinct 8-bit values."""
    return int(2 ** math.ceil(math.log2(max(distinct_values, 1))))


def luma(image: np.ndarray) -> np.ndarray:
    """HxWx3 → HxW gray with torchvision's weights."""
    return cv2.transform(image, _LUMA_ROW)


def poisson_unit_noise(rng: np.random.Generator, image: np.ndarray, gray: bool) -> np.ndarray:
    """Poisson(img_r·V)/V − img_r, where img_r is `image` (or its luma) rounded to 8-bit levels and V counts its
    distinct levels (over all channels). Returns float32 HxW (gray) or HxWx3."""
    source = luma(image) if gray else image
    # 8-bit levels: clamp, ×255, round half to even (clamped first because OpenCV's conversion takes |x|)
    levels = cv2.convertScaleAbs(np.clip(source, 0.0, 1.0), alpha=255.0)
    histogram = cv2.calcHist([levels.reshape(levels.shape[0], -1)], [0], None, [256], [0, 256])
    count = poisson_levels(int(np.count_nonzero(histogram)))
    drawn = rng.poisson((_LEVELS64 * count)[levels])  # rates through a 256-entry table: one pass
    noise = np.multiply(drawn, np.float32(1.0 / count), dtype=np.float32, casting="unsafe")
    noise -= _LEVELS32[levels]
    return noise


_LUMA_ROW = LUMA_WEIGHTS[None, :]
_LEVELS64 = np.arange(256, dtype=np.float64) / 255.0
_LEVELS32 = _LEVELS64.astype(np.float32)


def add_noise(image: np.ndarray, unit_noise: np.ndarray, strength: float) -> np.ndarray:
    """clip(image + strength·unit_noise, 0, 1); a 2-D (gray) field is added to every channel. New array."""
    field = unit_noise[..., None] if unit_noise.ndim == 2 else unit_noise
    if field.shape[:2] != image.shape[:2]:
        raise ValueError(
            f"noise field of shape {unit_noise.shape} does not fit an image of shape {image.shape}"
        )
    # numpy, not cv2.scaleAdd: OpenCV may fuse the multiply-add differently per CPU, which would change bytes.
    out = np.empty(image.shape, dtype=np.float32)
    np.multiply(field, np.float32(strength), out=out)
    out += image
    np.clip(out, 0.0, 1.0, out=out)
    return out
