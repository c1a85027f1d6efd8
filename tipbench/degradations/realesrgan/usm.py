"""Unsharp masking of training targets (BasicSR `USMSharp`, protocol §4.7); a recipe option, never used
in test sets (protocol §4)."""

from __future__ import annotations

import cv2
import numpy as np

USM_KERNEL_SIZE = 51  # radius 50 made odd; OpenCV's σ rule for σ = 0 gives 8.0
USM_SIGMA = 0.3 * ((USM_KERNEL_SIZE - 1) * 0.5 - 1) + 0.8


def usm_sharpen(image: np.ndarray, weight: float = 0.5, threshold: float = 10.0) -> np.ndarray:
    """Sharpen an HxWx3 float32 image in [0, 1]: soft-masked I + w·(I − blur(I)), clipped to [0, 1].

    mask = |I − blur(I)|·255 > threshold; soft = blur(mask); out = soft·clip(I + w·residual) + (1 − soft)·I.
    """

    def gaussian(x: np.ndarray) -> np.ndarray:
        size = (USM_KERNEL_SIZE, USM_KERNEL_SIZE)
        return cv2.GaussianBlur(x, size, USM_SIGMA, borderType=cv2.BORDER_REFLECT_101)

    image = image.astype(np.float32, copy=False)
    residual = image - gaussian(image)
    mask = (np.abs(residual) * 255 > threshold).astype(np.float32)
    soft = gaussian(mask)
    sharp = np.clip(image + np.float32(weight) * residual, 0.0, 1.0)
    return soft * sharp + (1 - soft) * image
