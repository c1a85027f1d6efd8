"""The four operations of the parameterized pipeline (protocol §3), numpy/OpenCV/Pillow, float32 in [0, 1].

Each function is the fastest single library call for its job, so the pipeline sits on its op floor.
"""

from __future__ import annotations

import functools
import io
import math

import cv2
import numpy as np
from PIL import Image

from tipbench.images import quantize, to_float01

#: Half an 8-bit level in [0, 1] units: a change below it cannot survive rounding to uint8.
HALF_LEVEL = 0.5 / 255.0


@functools.lru_cache(maxsize=1024)  # a few hundred rounded values; called for every draw
def is_no_op(kind: str, value: float) -> bool:
    """True when the operation at this (rounded) value leaves every 8-bit image unchanged (protocol §3.1), so a
    prompt must never name it.

    * blur: the kernel's off-centre weights sum to less than half a level (σ = 0.2: 1.5e-5), so no pixel can move
      by half a level; from σ = 0.3 (0.015) on, edges change;
    * downsample: factor 1.0 resizes to the same size (identity at every size; 1.1 shrinks any side of 6 px or more);
    * noise: only σ = 0 (the sampled values are ≥ 0.01, a 2.55-level standard deviation);
    * JPEG: never (the codec with 4:2:0 chroma is lossy at every quality).

    >>> [is_no_op("blur", 0.2), is_no_op("blur", 0.3), is_no_op("downsample", 1.0), is_no_op("jpeg", 95)]
    [True, False, True, False]
    """
    if kind == "blur":
        size = blur_kernel_size(value)
        centre = float(cv2.getGaussianKernel(size, value, ktype=cv2.CV_64F)[size // 2, 0])
        return 1.0 - centre * centre < HALF_LEVEL
    if kind == "downsample":
        return value == 1.0
    if kind == "noise":
        return value == 0.0
    if kind == "jpeg":
        return False
    raise ValueError(f"unknown operation kind `{kind}`")


def blur_kernel_size(sigma: float) -> int:
    """2·ceil(3σ)+1 (protocol §3)."""
    return 2 * math.ceil(3.0 * sigma) + 1


def gaussian_blur(image: np.ndarray, sigma: float) -> np.ndarray:
    """Isotropic Gaussian blur, reflect-101 border, float32 (separable: two 1-D passes in OpenCV)."""
    size = blur_kernel_size(sigma)
    return cv2.GaussianBlur(image, (size, size), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT_101)


def downsample_size(height: int, width: int, factor: float) -> tuple[int, int]:
    """round(side / factor), at least 1 px."""
    return max(1, round(height / factor)), max(1, round(width / factor))


def bicubic_downsample(image: np.ndarray, factor: float) -> np.ndarray:
    """Pillow BICUBIC (antialiased) on float data, one mode-"F" image per channel so nothing is quantised."""
    height, width = image.shape[:2]
    out_h, out_w = downsample_size(height, width, factor)
    planes = [
        np.asarray(Image.fromarray(plane).resize((out_w, out_h), Image.BICUBIC)) for plane in cv2.split(image)
    ]
    return cv2.merge(planes)


def add_gaussian_noise(image: np.ndarray, sigma: float, noise: np.ndarray, *, reuse_noise: bool = False) -> np.ndarray:
    """x + σ·n, clipped to [0, 1]; `n` is a standard-normal field of the image's shape.

    With `reuse_noise` the result is written into `noise` (saves two full-size allocations when the caller owns it).
    numpy, not cv2.scaleAdd: OpenCV may fuse the multiply-add differently per CPU, which would change bytes.
    """
    out = noise if reuse_noise else np.empty_like(noise)
    np.multiply(noise, np.float32(sigma), out=out)
    out += image
    np.clip(out, 0.0, 1.0, out=out)
    return out


def jpeg_roundtrip(image: np.ndarray, quality: int) -> np.ndarray:
    """Round to uint8 (half-to-even), real libjpeg via Pillow at `quality` with 4:2:0 chroma, decode back."""
    buffer = io.BytesIO()
    Image.fromarray(quantize(image), mode="RGB").save(buffer, format="JPEG", quality=int(quality), subsampling=2)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        decoded.load()
        pixels = np.asarray(decoded if decoded.mode == "RGB" else decoded.convert("RGB"))
    return to_float01(pixels)
