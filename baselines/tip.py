"""`tip`: the TIP reference model; ablation checkpoints are variants (`tip@no-param`) (reference_model)."""

from __future__ import annotations

from typing import Any

from baselines._reference import describe_reference, reference_kwargs
from reference_model.restorer import TIPRestorer


class TIPMethod(TIPRestorer):
    """`TIPRestorer` built from `RestorerOptions` (checkpoint via --checkpoint or the weights table)."""

    def __init__(self, options) -> None:
        super().__init__(**reference_kwargs("tip", options))

    def describe(self) -> dict[str, Any]:
        return describe_reference(self)
