"""PSNR per image (protocol §6): float64, MAX 255, no crop, capped at 100 dB so identical images stay finite."""

from __future__ import annotations

import torch

from tipbench.metrics.functional.image import Channel, channel_view, check_pair, to_uint8_batch

PSNR_CAP_DB = 100.0


def _psnr_check_inputs(pred, target) -> tuple[torch.Tensor, torch.Tensor]:
    pred, target = to_uint8_batch(pred, name="pred"), to_uint8_batch(target, name="target")
    check_pair(pred, target)
    return pred, target


def _psnr_update(pred: torch.Tensor, target: torch.Tensor, channel: Channel = "rgb") -> torch.Tensor:
    """Per-image MSE (float64) of two uint8 NCHW batches."""
    diff = channel_view(pred, channel) - channel_view(target, channel)
    return diff.pow(2).mean(dim=(1, 2, 3))


def _psnr_compute(mse: torch.Tensor, cap: float = PSNR_CAP_DB) -> torch.Tensor:
    value = 10.0 * torch.log10((255.0**2) / mse)  # mse 0 → inf → capped
    return torch.clamp(value, max=cap)


def psnr(pred, target, *, channel: Channel = "rgb", cap: float = PSNR_CAP_DB) -> torch.Tensor:
    """Per-image PSNR in dB (float64 tensor of length N), inputs as `to_uint8_batch` accepts.

    >>> import numpy as np
    >>> a = np.zeros((8, 8, 3), np.uint8)
    >>> float(psnr(a, a)[0])
    100.0
    >>> round(float(psnr(a + 1, a)[0]), 4)
    48.1308
    """
    pred, target = _psnr_check_inputs(pred, target)
    return _psnr_compute(_psnr_update(pred, target, channel), cap)
