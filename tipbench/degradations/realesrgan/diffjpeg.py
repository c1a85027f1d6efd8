"""The anchor's float JPEG simulation (BasicSR DiffJPEG, `differentiable=False`; protocol §4.5), numpy.

Written here because no library implements these semantics: continuous quality, unrounded float tables, the
transposed luma table, zero padding to 16, 4:2:0 by 2×2 averaging, replicated chroma upsampling, float output.
Vectorised: every 8×8 DCT is two small matrix products over all blocks of a plane at once.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

#: Standard (Annex K) luminance table, transposed as in the anchor (indexed [vertical, horizontal] frequency).
LUMA_TABLE = np.array(
    [
        [16, 11, 10, 16, 24, 40, 51, 61],
        [12, 12, 14, 19, 26, 58, 60, 55],
        [14, 13, 16, 24, 40, 57, 69, 56],
        [14, 17, 22, 29, 51, 87, 80, 62],
        [18, 22, 37, 56, 68, 109, 103, 77],
        [24, 35, 55, 64, 81, 104, 113, 92],
        [49, 64, 78, 87, 103, 121, 120, 101],
        [72, 92, 95, 98, 112, 100, 103, 99],
    ],
    dtype=np.float32,
).T.copy()
#: Chroma table: 99 everywhere except the symmetric top-left 4×4.
CHROMA_TABLE = np.full((8, 8), 99.0, dtype=np.float32)
CHROMA_TABLE[:4, :4] = [[17, 18, 24, 47], [18, 21, 26, 66], [24, 26, 56, 99], [47, 66, 99, 99]]

#: JFIF full-range colour transforms (rows: Y, Cb, Cr / R, G, B).
RGB_TO_YCBCR = np.array(
    [[0.299, 0.587, 0.114], [-0.168736, -0.331264, 0.5], [0.5, -0.418688, -0.081312]], dtype=np.float32
)
CR_TO_R, CB_TO_G, CR_TO_G, CB_TO_B = 1.402, -0.344136, -0.714136, 1.772


def _dct_matrix() -> np.ndarray:
    """Orthonormal 8-point DCT-II matrix D (coefficients = D @ block @ Dᵀ)."""
    u = np.arange(8)[:, None]
    x = np.arange(8)[None, :]
    matrix = np.cos((2 * x + 1) * u * math.pi / 16) * math.sqrt(2 / 8)
    matrix[0] /= math.sqrt(2)
    return matrix.astype(np.float32)


DCT = _dct_matrix()


def quality_factor(quality: float) -> float:
    """f(q) = 50/q below 50, (200 − 2q)/100 from 50 on; continuous q in (0, 100)."""
    if not 0 < quality < 100:
        raise ValueError(f"JPEG quality must lie in (0, 100), got {quality}")
    return 50.0 / quality if quality < 50 else (200.0 - 2.0 * quality) / 100.0


def _quantise_plane(plane: np.ndarray, table: np.ndarray) -> np.ndarray:
    """Level shift, blockwise DCT, quantise/dequantise (round half to even), inverse DCT, unshift. In place-ish."""
    height, width = plane.shape
    plane -= np.float32(128.0)
    rows = np.matmul(DCT, plane.reshape(height // 8, 8, width))  # vertical transform of every block column
    coefficients = np.matmul(rows.reshape(height // 8, 8, width // 8, 8), DCT.T)
    steps = table[None, :, None, :]
    coefficients /= steps
    np.rint(coefficients, out=coefficients)
    coefficients *= steps
    columns = np.matmul(coefficients, DCT).reshape(height // 8, 8, width)
    restored = np.matmul(DCT.T, columns).reshape(height, width)
    restored += np.float32(128.0)
    return restored


def diff_jpeg(image: np.ndarray, quality: float) -> np.ndarray:
    """Simulate JPEG at continuous `quality` on an HxWx3 float32 image in [0, 1]; returns float32 in [0, 1].

    Example:
        >>> x = np.full((16, 16, 3), 0.5, np.float32)
        >>> bool(np.abs(diff_jpeg(x, 95.0) - x).max() < 0.01)
        True
    """
    factor = np.float32(quality_factor(quality))
    height, width = image.shape[:2]
    pad_h, pad_w = (-height) % 16, (-width) % 16
    if pad_h or pad_w:  # black padding bottom/right to a multiple of 16
        image = cv2.copyMakeBorder(image, 0, pad_h, 0, pad_w, cv2.BORDER_CONSTANT, value=(0.0, 0.0, 0.0))
    padded_h, padded_w = image.shape[:2]
    # 1. colour transform (×255 folded into the matrices); chroma is linear in RGB, so the 4:2:0 2×2 average
    #    (OpenCV's exact integer-factor area resize) is taken first and transformed at quarter size
    luma = cv2.transform(image, _TO_LUMA)
    pooled = cv2.resize(image, (padded_w // 2, padded_h // 2), interpolation=cv2.INTER_AREA)
    chroma = cv2.transform(pooled, _TO_CHROMA)
    # 2. quantise each plane in the DCT domain
    luma = _quantise_plane(luma, LUMA_TABLE * factor)
    cb = _quantise_plane(np.ascontiguousarray(chroma[..., 0]), CHROMA_TABLE * factor)
    cr = _quantise_plane(np.ascontiguousarray(chroma[..., 1]), CHROMA_TABLE * factor)
    # 3. chroma replicated 2×2 (nearest at exactly 2×), back to RGB, clamp, /255 (folded into the matrix)
    full = (padded_w, padded_h)
    ycc = cv2.merge([luma, *(cv2.resize(c, full, interpolation=cv2.INTER_NEAREST) for c in (cb, cr))])
    out = cv2.transform(ycc, _TO_RGB)
    np.clip(out, 0.0, 1.0, out=out)
    return np.ascontiguousarray(out[:height, :width]) if pad_h or pad_w else out


_TO_LUMA = (255.0 * RGB_TO_YCBCR[:1]).astype(np.float32)
_TO_CHROMA = np.concatenate([255.0 * RGB_TO_YCBCR[1:], [[128.0], [128.0]]], axis=1).astype(np.float32)
_TO_RGB = (
    np.array(
        [[1.0, 0.0, CR_TO_R, -128.0 * CR_TO_R],
         [1.0, CB_TO_G, CR_TO_G, -128.0 * (CB_TO_G + CR_TO_G)],
         [1.0, CB_TO_B, 0.0, -128.0 * CB_TO_B]]
    )
    / 255.0
).astype(np.float32)  # fmt: skip
