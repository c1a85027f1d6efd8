"""PSNR as a stateful metric (per image, mean over images); see `functional/psnr.py` for the definition."""

from __future__ import annotations

import torch

from tipbench.metrics.base import PerImageMetric
from tipbench.metrics.functional.image import Channel
from tipbench.metrics.functional.psnr import PSNR_CAP_DB, _psnr_check_inputs, _psnr_compute, _psnr_update
from tipbench.metrics.specs import METRICS


class PSNR(PerImageMetric):
    """Mean of per-image PSNR (dB) on RGB (`channel="rgb"`, primary) or BT.601 Y (secondary).

    >>> import numpy as np
    >>> metric = PSNR()
    >>> _ = metric.update(np.zeros((8, 8, 3), np.uint8), np.ones((8, 8, 3), np.uint8))
    >>> round(metric.compute(), 4)
    48.1308
    """

    higher_is_better = METRICS.get("psnr").higher_is_better

    def __init__(self, channel: Channel = "rgb", cap: float = PSNR_CAP_DB) -> None:
        super().__init__()
        self.channel, self.cap = channel, cap

    def update(self, pred, target) -> torch.Tensor:
        pred, target = _psnr_check_inputs(pred, target)
        values = [_psnr_compute(_psnr_update(p, t, self.channel), self.cap) for p, t in zip(pred, target)]
        return self._append(torch.tensor(values, dtype=torch.float64))
