"""`controlnet-sr-clip`: ControlNet-SR+CLIP, the ControlNet-SR checkpoint with c_s fed zero-shot to the UNet (reference_model)."""

from __future__ import annotations

from typing import Any

from baselines._reference import describe_reference, reference_kwargs
from reference_model.restorer import ControlNetSRCLIPRestorer


class ControlNetSRCLIPMethod(ControlNetSRCLIPRestorer):
    """`ControlNetSRCLIPRestorer` built from `RestorerOptions` (checkpoint via --checkpoint or the weights table)."""

    def __init__(self, options) -> None:
        super().__init__(**reference_kwargs("controlnet-sr-clip", options))

    def describe(self) -> dict[str, Any]:
        return describe_reference(self)
