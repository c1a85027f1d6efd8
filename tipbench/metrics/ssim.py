"""SSIM as a stateful metric (per image, mean over images); see `functional/ssim.py` for the definition."""

from __future__ import annotations

import torch

from tipbench.metrics.base import PerImageMetric
from tipbench.metrics.functional.image import Channel
from tipbench.metrics.functional.ssim import _ssim_check_inputs, _ssim_update
from tipbench.metrics.specs import METRICS


class SSIM(PerImageMetric):
    """Mean of per-image SSIM on RGB (per-channel mean, primary) or BT.601 Y (secondary).

    >>> import numpy as np
    >>> metric = SSIM()
    >>> _ = metric.update(np.full((16, 16, 3), 9, np.uint8), np.full((16, 16, 3), 9, np.uint8))
    >>> metric.compute()
    1.0
    """

    higher_is_better = METRICS.get("ssim").higher_is_better

    def __init__(self, channel: Channel = "rgb") -> None:
        super().__init__()
        self.channel = channel

    def update(self, pred, target) -> torch.Tensor:
        pred, target = _ssim_check_inputs(pred, target)
        values = [_ssim_update(p, t, self.channel) for p, t in zip(pred, target)]
        return self._append(torch.tensor(values, dtype=torch.float64))
