"""LPIPS v0.1 AlexNet (protocol §6) on inputs in [-1, 1]; the network is the `lpips` package's own module.

The range check exists because neither lpips nor torchmetrics catches [0, 1] input fed as [-1, 1]
(protocol §6.3); uint8 batches are converted here so callers never choose the scaling.
"""

from __future__ import annotations

import torch

from tipbench.errors import ConfigError
from tipbench.metrics.functional.image import check_pair


def to_signed_unit(batch: torch.Tensor) -> torch.Tensor:
    """uint8 NCHW → float32 in [-1, 1] (x / 127.5 − 1)."""
    return batch.float() / 127.5 - 1.0


def _lpips_check_inputs(pred: torch.Tensor, target: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """uint8 batches are scaled to [-1, 1]; float batches must already lie in [-1, 1] and be finite."""
    converted = []
    for name, batch in (("pred", pred), ("target", target)):
        if not isinstance(batch, torch.Tensor) or batch.ndim != 4 or batch.shape[1] != 3:
            raise ConfigError(f"LPIPS `{name}` must be an Nx3xHxW tensor")
        if batch.dtype == torch.uint8:
            batch = to_signed_unit(batch)
        elif not batch.is_floating_point():
            raise ConfigError(f"LPIPS `{name}` must be uint8 or float in [-1, 1], got {batch.dtype}")
        if not bool(torch.isfinite(batch).all()):
            raise ConfigError(f"LPIPS `{name}` contains NaN or inf")
        lo, hi = float(batch.min()), float(batch.max())
        if lo < -1.0 or hi > 1.0:
            raise ConfigError(f"LPIPS `{name}` must lie in [-1, 1] after conversion, got [{lo:.4g}, {hi:.4g}]")
        converted.append(batch)
    check_pair(*converted)
    return converted[0], converted[1]


def _lpips_update(pred: torch.Tensor, target: torch.Tensor, net: torch.nn.Module) -> torch.Tensor:
    """Per-pair LPIPS (float64, length N); `net` is an `lpips.LPIPS` module on the inputs' device."""
    with torch.inference_mode():
        return net(pred, target).reshape(-1).double()


def lpips(pred: torch.Tensor, target: torch.Tensor, net: torch.nn.Module) -> torch.Tensor:
    """Per-pair LPIPS of two Nx3xHxW batches (uint8, or float in [-1, 1]); lower is better."""
    pred, target = _lpips_check_inputs(pred, target)
    return _lpips_update(pred, target, net)
