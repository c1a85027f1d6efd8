"""PyTorch `F.interpolate` semantics (align_corners=False, no antialias) on HxWxC float32 numpy arrays.

The anchor resizes with torch (protocol §4.3): bilinear and bicubic (Keys a = −0.75) with half-pixel
centres and clamped borders, and `area` = adaptive average pooling (NOT OpenCV's INTER_AREA). Stage 1 passes a
scale factor, so source coordinates are (dst + 0.5)/s − 0.5 and the output side is floor(side·s); later stages
pass a size, so the ratio in/out is used. OpenCV's float resize computes the same taps; called with `fx` (no
`dsize`) it uses exactly 1/fx for the mapping, so we crop its round(side·s) output to floor(side·s). Two cases
cv2 cannot express are written out here: adaptive pooling (separable weighted gathers) and torch's bicubic at an
unchanged size with s ≠ 1 (cv2 copies there; torch interpolates).
"""

from __future__ import annotations

import math

import cv2
import numpy as np

_CV2_MODES = {"bilinear": cv2.INTER_LINEAR, "bicubic": cv2.INTER_CUBIC}
_CUBIC_A = -0.75


def _check_mode(mode: str) -> None:
    if mode not in ("area", "bilinear", "bicubic"):
        raise ValueError(f"resize mode `{mode}` unknown; valid: area, bilinear, bicubic")


def scaled_size(height: int, width: int, scale: float) -> tuple[int, int]:
    """torch's output size for `scale_factor`: floor(side·s) per side (computed in double, as torch does)."""
    return math.floor(float(height) * scale), math.floor(float(width) * scale)


def resize_by_scale(image: np.ndarray, scale: float, mode: str) -> np.ndarray:
    """`F.interpolate(x, scale_factor=scale, mode=mode)` (stage-1 semantics) on an HxWxC float32 image."""
    _check_mode(mode)
    height, width = image.shape[:2]
    out_h, out_w = scaled_size(height, width, scale)
    if scale == 1.0:
        return image
    if mode == "area":
        return adaptive_average_pool(image, out_h, out_w)
    if (out_h, out_w) == (height, width):
        # torch copies for bilinear at an unchanged size but still interpolates bicubic with the 1/s mapping
        return image if mode == "bilinear" else _bicubic_by_scale(image, scale)
    resized = cv2.resize(image, None, fx=scale, fy=scale, interpolation=_CV2_MODES[mode])
    return _ensure_channels(resized[:out_h, :out_w], image)


def resize_to_size(image: np.ndarray, size: tuple[int, int], mode: str) -> np.ndarray:
    """`F.interpolate(x, size=size, mode=mode)` on an HxWxC float32 image; `size` is (height, width)."""
    _check_mode(mode)
    out_h, out_w = size
    if (out_h, out_w) == image.shape[:2]:
        return image  # torch maps with in/out = 1: an exact copy in every mode
    if mode == "area":
        return adaptive_average_pool(image, out_h, out_w)
    return _ensure_channels(cv2.resize(image, (out_w, out_h), interpolation=_CV2_MODES[mode]), image)


def _ensure_channels(resized: np.ndarray, like: np.ndarray) -> np.ndarray:
    return resized[..., None] if like.ndim == 3 and resized.ndim == 2 else resized


def _pool_axis(image: np.ndarray, axis: int, out_len: int) -> np.ndarray:
    """Adaptive average pooling along axis 0 or 1 of an HxWxC array: output i is the unweighted mean of inputs
    floor(i·n/out) … ceil((i+1)·n/out) − 1, summed as at most max-window-length weighted row/column gathers."""
    in_len = image.shape[axis]
    index = np.arange(out_len, dtype=np.int64)
    start = (index * in_len) // out_len
    length = -((-(index + 1) * in_len) // out_len) - start
    channels = image.shape[2]
    out = None
    for offset in range(int(length.max())):
        weights = np.where(offset < length, 1.0 / length, 0.0).astype(np.float32)
        term = np.take(image, np.minimum(start + offset, in_len - 1), axis=axis)
        if axis == 0:
            term *= weights[:, None, None]
        else:  # flatten (out, C) so the weight multiply runs over contiguous rows
            term.reshape(term.shape[0], -1)[...] *= np.repeat(weights, channels)[None, :]
        out = term if out is None else np.add(out, term, out=out)
    return out


def adaptive_average_pool(image: np.ndarray, out_h: int, out_w: int) -> np.ndarray:
    """torch `adaptive_avg_pool2d` on an HxWxC float32 image (separable: rows, then columns)."""
    squeeze = image.ndim == 2
    image = image[..., None] if squeeze else image
    rows = image if out_h == image.shape[0] else _pool_axis(image, 0, out_h)
    out = rows if out_w == rows.shape[1] else _pool_axis(rows, 1, out_w)
    return out[..., 0] if squeeze else out


def _cubic_weights(t: np.ndarray) -> np.ndarray:
    """Keys cubic (a = −0.75) weights of the 4 taps at offsets −1, 0, 1, 2 for fractional positions t."""
    a = _CUBIC_A

    def near(x: np.ndarray) -> np.ndarray:  # |x| <= 1
        return ((a + 2) * x - (a + 3)) * x * x + 1

    def far(x: np.ndarray) -> np.ndarray:  # 1 < |x| < 2
        return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a

    return np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=-1)


def _bicubic_axis(image: np.ndarray, axis: int, out_len: int, inverse_scale: float) -> np.ndarray:
    in_len = image.shape[axis]
    source = (np.arange(out_len, dtype=np.float64) + 0.5) * inverse_scale - 0.5
    base = np.floor(source)
    weights = _cubic_weights(source - base).astype(np.float32)
    out = None
    for tap in range(4):
        index = np.clip(base.astype(np.int64) - 1 + tap, 0, in_len - 1)
        shape = [1] * image.ndim
        shape[axis] = out_len
        term = np.take(image, index, axis=axis) * weights[:, tap].reshape(shape)
        out = term if out is None else out + term
    return out


def _bicubic_by_scale(image: np.ndarray, scale: float) -> np.ndarray:
    """Separable bicubic with torch's scale-factor mapping (used only where cv2 would copy)."""
    height, width = image.shape[:2]
    out_h, out_w = scaled_size(height, width, scale)
    rows = _bicubic_axis(image, 0, out_h, 1.0 / scale)
    return _bicubic_axis(rows, 1, out_w, 1.0 / scale).astype(np.float32)
