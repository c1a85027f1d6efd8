"""A minimal stateful-metric base: named states with a default and a reduction, `reset`, per-item values.

Not torchmetrics.Metric because the harness needs the per-image values in item order (scores.parquet) and
numpy float64 FID statistics; distributed sync, which torchmetrics adds, is not needed here.
"""

from __future__ import annotations

import copy
from typing import Any, Literal

import torch

Reduction = Literal["cat", "sum", "replace"]


class Metric:
    """Subclasses declare states with `add_state` and implement `update` and `compute`."""

    higher_is_better: bool = True
    per_image: bool = True

    def __init__(self) -> None:
        self._defaults: dict[str, tuple[Any, Reduction]] = {}

    def add_state(self, name: str, default: Any, reduction: Reduction) -> None:
        self._defaults[name] = (default, reduction)
        setattr(self, name, copy.deepcopy(default))

    def reset(self) -> None:
        for name, (default, _) in self._defaults.items():
            setattr(self, name, copy.deepcopy(default))


class PerImageMetric(Metric):
    """A metric with one float64 value per image (state `values`, reduction `cat`); compute() is their mean."""

    def __init__(self) -> None:
        super().__init__()
        self.add_state("values", [], "cat")

    def _append(self, values: torch.Tensor) -> torch.Tensor:
        values = values.detach().to("cpu", torch.float64)
        self.values.append(values)
        return values

    def per_item(self) -> torch.Tensor:
        return torch.cat(self.values) if self.values else torch.zeros(0, dtype=torch.float64)

    def compute(self) -> float | None:
        values = self.per_item()
        return float(values.mean()) if values.numel() else None
