"""`controlnet-sr`: ControlNet-SR, additive fusion, trained without prompts (reference_model)."""

from __future__ import annotations

from typing import Any

from baselines._reference import describe_reference, reference_kwargs
from reference_model.restorer import ControlNetSRRestorer


class ControlNetSRMethod(ControlNetSRRestorer):
    """`ControlNetSRRestorer` built from `RestorerOptions` (checkpoint via --checkpoint or the weights table)."""

    def __init__(self, options) -> None:
        super().__init__(**reference_kwargs("controlnet-sr", options))

    def describe(self) -> dict[str, Any]:
        return describe_reference(self)
