"""The four operations of the parameterized pipeline (protocol §3), numpy/OpenCV/Pillow, float32 in [0, 1].

Each function is the fastest single library call for its job, so the pipeline sits on its op floor.
"""

from __future__ import annotations

import io
import math

import cv2
import numpy as np
from PIL import Image

from tipbench.images import quantize, to_float01


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
