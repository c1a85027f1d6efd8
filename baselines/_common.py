"""Helpers shared by the baseline adapters: resizing, colour fix, ignored-prompt warnings."""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

_PIL_FILTERS = {"bicubic": 3, "lanczos": 1, "bilinear": 2}  # PIL.Image.Resampling values


def resize_uint8(image: np.ndarray, out_size: tuple[int, int], interpolation: str = "bicubic") -> np.ndarray:
    """Resize HxWx3 uint8 to `out_size` (H, W) with Pillow (antialiased when shrinking)."""
    from PIL import Image

    if tuple(image.shape[:2]) == tuple(out_size):
        return image
    height, width = out_size
    return np.asarray(Image.fromarray(image).resize((width, height), _PIL_FILTERS[interpolation]))


def resize_float(image: np.ndarray, out_size: tuple[int, int], interpolation: str = "bicubic") -> np.ndarray:
    """Resize HxWx3 float32 (any range) to `out_size` with Pillow, one mode-"F" image per channel (no 8-bit step)."""
    from PIL import Image

    if tuple(image.shape[:2]) == tuple(out_size):
        return image.astype(np.float32, copy=False)
    height, width = out_size
    channels = [
        np.asarray(Image.fromarray(np.ascontiguousarray(image[..., c], dtype=np.float32)).resize(
            (width, height), _PIL_FILTERS[interpolation]))
        for c in range(image.shape[2])
    ]
    return np.stack(channels, axis=-1)


def warn_ignored_prompts(restorer: Any, warned: set[str], *, semantic_prompt: str = "",
                         restoration_prompt: str = "") -> None:
    """Log once per restorer instance that a non-empty prompt it cannot use was fed (protocol §8.1)."""
    for kind, text, used in (("semantic", semantic_prompt, restorer.uses_semantic_prompt),
                             ("restoration", restoration_prompt, restorer.uses_restoration_prompt)):
        if text and not used and kind not in warned:
            warned.add(kind)
            logger.warning("method `%s` ignores the %s prompt it was fed", restorer.name, kind)
