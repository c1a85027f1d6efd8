"""LPIPS v0.1 AlexNet as a stateful metric; the network comes from `networks.build_lpips`."""

from __future__ import annotations

import torch

from tipbench.metrics import networks
from tipbench.metrics.base import PerImageMetric
from tipbench.metrics.functional.lpips import _lpips_check_inputs, _lpips_update
from tipbench.metrics.networks import MetricWeights
from tipbench.metrics.specs import METRICS


class LPIPS(PerImageMetric):
    """Mean of per-pair LPIPS; inputs Nx3xHxW uint8 (or float in [-1, 1]); lower is better."""

    higher_is_better = METRICS.get("lpips").higher_is_better

    def __init__(self, weights: MetricWeights = "real", device: str = "cpu", net: torch.nn.Module | None = None) -> None:
        super().__init__()
        self.device = device
        if net is None:
            net, self.weight_id = networks.build_lpips(weights, device)
        else:
            self.weight_id = "custom"
        self.net = net

    def update(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        pred, target = _lpips_check_inputs(pred.to(self.device), target.to(self.device))
        return self._append(_lpips_update(pred, target, self.net))
