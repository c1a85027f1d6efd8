"""SSIM per image (protocol §6): Gaussian 11×11 σ 1.5, K1 0.01, K2 0.03, L 255, valid region, per-channel mean.

Numerically the BasicSR / tf.image.ssim RGB definition (checked against scikit-image with the Wang settings in
the tests). OpenCV's separable float64 filter is used because torch's float64 depthwise conv on CPU is ~100×
slower; the "valid" region is the filtered image with the 5-pixel border cropped, which no border mode reaches.
"""

from __future__ import annotations

import numpy as np
import torch

from tipbench.errors import ConfigError
from tipbench.metrics.functional.image import Channel, channel_view, check_pair, to_hwc_arrays, to_uint8_batch

WINDOW = 11
SIGMA = 1.5
K1, K2, DATA_RANGE = 0.01, 0.03, 255.0
_PAD = WINDOW // 2


def gaussian_taps(size: int = WINDOW, sigma: float = SIGMA) -> np.ndarray:
    """Normalised 1-D Gaussian as a column (the same taps as cv2.getGaussianKernel(11, 1.5))."""
    x = np.arange(size, dtype=np.float64) - (size - 1) / 2
    taps = np.exp(-(x**2) / (2 * sigma**2))
    return (taps / taps.sum())[:, None]


def _filter_valid(image: np.ndarray, taps: np.ndarray) -> np.ndarray:
    import cv2

    filtered = cv2.sepFilter2D(image, cv2.CV_64F, taps, taps, borderType=cv2.BORDER_REFLECT)
    return filtered[_PAD:-_PAD, _PAD:-_PAD]


def _ssim_check_inputs(pred, target) -> tuple[np.ndarray, np.ndarray]:
    pred, target = to_uint8_batch(pred, name="pred"), to_uint8_batch(target, name="target")
    check_pair(pred, target)
    if min(pred.shape[-2:]) < WINDOW:
        raise ConfigError(f"SSIM needs images of at least {WINDOW}×{WINDOW}, got {tuple(pred.shape[-2:])}")
    return to_hwc_arrays(pred), to_hwc_arrays(target)


def _ssim_update(pred: np.ndarray, target: np.ndarray, channel: Channel = "rgb") -> float:
    """SSIM (float64) of one HxWx3 uint8 pair: mean of the valid SSIM map per channel, then over channels."""
    x, y = channel_view(pred, channel), channel_view(target, channel)
    taps = gaussian_taps()
    c1, c2 = (K1 * DATA_RANGE) ** 2, (K2 * DATA_RANGE) ** 2
    mu_x, mu_y = _filter_valid(x, taps), _filter_valid(y, taps)
    var_x = _filter_valid(x * x, taps) - mu_x**2
    var_y = _filter_valid(y * y, taps) - mu_y**2
    cov = _filter_valid(x * y, taps) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    per_channel = ssim_map.reshape(ssim_map.shape[0], ssim_map.shape[1], -1).mean(axis=(0, 1))
    return float(per_channel.mean())


def ssim(pred, target, *, channel: Channel = "rgb") -> torch.Tensor:
    """Per-image SSIM (float64 tensor of length N).

    >>> a = np.full((16, 16, 3), 7, np.uint8)
    >>> float(ssim(a, a)[0])
    1.0
    """
    pred, target = _ssim_check_inputs(pred, target)
    return torch.tensor([_ssim_update(p, t, channel) for p, t in zip(pred, target)], dtype=torch.float64)
