"""Checks and conversions at the image boundary: HxWx3 uint8 RGB everywhere between stages."""

from __future__ import annotations

import numpy as np

from tipbench.errors import DegradationInputError


def as_rgb_uint8(image: np.ndarray, *, name: str = "image") -> np.ndarray:
    """Validate an RGB image and return it as C-contiguous HxWx3 uint8.

    Accepted: HxWx3 uint8 (returned as is), or HxWx3 float in [0, 1] (rounded half-to-even, documented conversion).
    Rejected with `DegradationInputError`: other dtypes, 2-D (grayscale) or 4-channel arrays, empty arrays,
    NaN/inf, floats outside [0, 1].

    >>> as_rgb_uint8(np.zeros((2, 2, 3), np.float32)).dtype
    dtype('uint8')
    """
    if not isinstance(image, np.ndarray):
        raise DegradationInputError(f"`{name}` must be a numpy array, got {type(image).__name__}")
    if image.ndim == 2:
        raise DegradationInputError(
            f"`{name}` is 2-D {image.shape} (grayscale); pass HxWx3 RGB, e.g. np.repeat(img[..., None], 3, axis=2)"
        )
    if image.ndim != 3 or image.shape[2] != 3:
        hint = " (RGBA: drop or composite the alpha channel first)" if image.ndim == 3 and image.shape[2] == 4 else ""
        raise DegradationInputError(f"`{name}` must be HxWx3 RGB, got shape {image.shape}{hint}")
    if image.shape[0] == 0 or image.shape[1] == 0:
        raise DegradationInputError(f"`{name}` is empty: shape {image.shape}")
    if image.dtype == np.uint8:
        return np.ascontiguousarray(image)
    if np.issubdtype(image.dtype, np.floating):
        if not np.all(np.isfinite(image)):
            raise DegradationInputError(f"`{name}` contains NaN or inf")
        lo, hi = float(image.min()), float(image.max())
        if lo < 0.0 or hi > 1.0:
            raise DegradationInputError(f"float `{name}` must lie in [0, 1], got [{lo:.4g}, {hi:.4g}]")
        return np.round(image.astype(np.float64) * 255.0).astype(np.uint8)
    raise DegradationInputError(f"`{name}` must be uint8, or float in [0, 1]; got dtype {image.dtype}")


def to_float01(image: np.ndarray) -> np.ndarray:
    """uint8 HxWx3 → float32 in [0, 1] (one pass; same values as astype-then-multiply)."""
    return np.multiply(image, np.float32(1.0 / 255.0), dtype=np.float32)


def quantize(image: np.ndarray) -> np.ndarray:
    """float in [0, 1] (may overshoot) → uint8, clipped then rounded half-to-even (protocol §3).

    Equal to ``np.rint(np.clip(x, 0, 1) * 255).astype(np.uint8)`` in float32 (tested); OpenCV's saturating
    convert does the scale and the half-to-even rounding in one pass, which keeps the pipelines on their op floor.
    """
    import cv2

    clipped = np.clip(image, 0.0, 1.0, dtype=np.float32)
    if clipped.ndim == 3 and clipped.shape[2] > 4:  # OpenCV takes at most 4 channels per pixel
        return np.rint(clipped * np.float32(255.0)).astype(np.uint8)
    return cv2.convertScaleAbs(clipped, alpha=255.0)
