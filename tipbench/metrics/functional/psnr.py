"""PSNR per image (protocol §6): float64, MAX 255, no crop, capped at 100 dB so identical images stay finite."""

from __future__ import annotations

import numpy as np
import torch

from tipbench.metrics.functional.image import Channel, channel_view, check_pair, to_hwc_arrays, to_uint8_batch

PSNR_CAP_DB = 100.0


def _psnr_check_inputs(pred, target) -> tuple[np.ndarray, np.ndarray]:
    """Any accepted input → two NxHxWx3 uint8 arrays of one shape."""
    pred, target = to_uint8_batch(pred, name="pred"), to_uint8_batch(target, name="target")
    check_pair(pred, target)
    return to_hwc_arrays(pred), to_hwc_arrays(target)


def _psnr_update(pred: np.ndarray, target: np.ndarray, channel: Channel = "rgb") -> float:
    """MSE (float64) of one HxWx3 uint8 pair."""
    diff = channel_view(pred, channel) - channel_view(target, channel)
    return float(np.mean(diff * diff))


def _psnr_compute(mse: float, cap: float = PSNR_CAP_DB) -> float:
    if mse == 0.0:
        return cap
    return min(cap, 10.0 * float(np.log10(255.0**2 / mse)))


def psnr(pred, target, *, channel: Channel = "rgb", cap: float = PSNR_CAP_DB) -> torch.Tensor:
    """Per-image PSNR in dB (float64 tensor of length N), inputs as `to_uint8_batch` accepts.

    >>> a = np.zeros((8, 8, 3), np.uint8)
    >>> float(psnr(a, a)[0])
    100.0
    >>> round(float(psnr(a + 1, a)[0]), 4)
    48.1308
    """
    pred, target = _psnr_check_inputs(pred, target)
    values = [_psnr_compute(_psnr_update(p, t, channel), cap) for p, t in zip(pred, target)]
    return torch.tensor(values, dtype=torch.float64)
