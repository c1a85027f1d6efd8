"""SSIM per image (protocol §6): Gaussian 11×11 σ 1.5, K1 0.01, K2 0.03, L 255, valid region, per-channel mean.

Written with two separable 1-D convolutions in float64 (torch, so it batches on any device); numerically the
BasicSR / tf.image.ssim RGB definition, checked against scikit-image with the Wang settings in the tests.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from tipbench.errors import ConfigError
from tipbench.metrics.functional.image import Channel, channel_view, check_pair, to_uint8_batch

WINDOW = 11
SIGMA = 1.5
K1, K2, DATA_RANGE = 0.01, 0.03, 255.0


def gaussian_taps(size: int = WINDOW, sigma: float = SIGMA, device=None) -> torch.Tensor:
    """Normalised 1-D Gaussian (the same taps as cv2.getGaussianKernel(11, 1.5))."""
    x = torch.arange(size, dtype=torch.float64, device=device) - (size - 1) / 2
    taps = torch.exp(-(x**2) / (2 * sigma**2))
    return taps / taps.sum()


def _filter_valid(x: torch.Tensor, taps: torch.Tensor) -> torch.Tensor:
    channels = x.shape[1]
    horizontal = taps.view(1, 1, 1, -1).expand(channels, 1, 1, -1)
    vertical = taps.view(1, 1, -1, 1).expand(channels, 1, -1, 1)
    return F.conv2d(F.conv2d(x, horizontal, groups=channels), vertical, groups=channels)


def _ssim_check_inputs(pred, target) -> tuple[torch.Tensor, torch.Tensor]:
    pred, target = to_uint8_batch(pred, name="pred"), to_uint8_batch(target, name="target")
    check_pair(pred, target)
    if min(pred.shape[-2:]) < WINDOW:
        raise ConfigError(f"SSIM needs images of at least {WINDOW}×{WINDOW}, got {tuple(pred.shape[-2:])}")
    return pred, target


def _ssim_update(pred: torch.Tensor, target: torch.Tensor, channel: Channel = "rgb") -> torch.Tensor:
    """Per-image SSIM (float64, length N) of two uint8 NCHW batches."""
    x, y = channel_view(pred, channel), channel_view(target, channel)
    taps = gaussian_taps(device=x.device)
    c1, c2 = (K1 * DATA_RANGE) ** 2, (K2 * DATA_RANGE) ** 2
    mu_x, mu_y = _filter_valid(x, taps), _filter_valid(y, taps)
    var_x = _filter_valid(x * x, taps) - mu_x**2
    var_y = _filter_valid(y * y, taps) - mu_y**2
    cov = _filter_valid(x * y, taps) - mu_x * mu_y
    ssim_map = ((2 * mu_x * mu_y + c1) * (2 * cov + c2)) / ((mu_x**2 + mu_y**2 + c1) * (var_x + var_y + c2))
    return ssim_map.mean(dim=(2, 3)).mean(dim=1)


def _ssim_compute(values: torch.Tensor) -> torch.Tensor:
    return values


def ssim(pred, target, *, channel: Channel = "rgb") -> torch.Tensor:
    """Per-image SSIM (float64 tensor of length N).

    >>> import numpy as np
    >>> a = np.full((16, 16, 3), 7, np.uint8)
    >>> float(ssim(a, a)[0])
    1.0
    """
    pred, target = _ssim_check_inputs(pred, target)
    return _ssim_compute(_ssim_update(pred, target, channel))
