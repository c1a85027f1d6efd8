"""`bicubic`: Pillow bicubic resampling of the LQ to the output size, nothing else (the no-restoration floor)."""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from baselines._common import resize_uint8, warn_ignored_prompts
from tipbench.contracts.restorer import check_restore_inputs, check_restore_output


class BicubicRestorer:
    """Upsample only; ignores both prompts (logged once)."""

    name = "bicubic"
    uses_semantic_prompt = False
    uses_restoration_prompt = False
    weights: ClassVar[tuple[str, ...]] = ()

    def __init__(self, options=None) -> None:
        if options is not None:
            options.check_extra((), self.name)
        self._warned: set[str] = set()

    def describe(self) -> dict:
        return {"settings": {"resize": "Pillow BICUBIC (antialiased when shrinking)"}, "checkpoints": {},
                "weights": "none", "command": None}

    def restore(self, lq: np.ndarray, *, semantic_prompt: str = "", restoration_prompt: str = "",
                out_size: tuple[int, int] = (512, 512), seed: int = 0) -> np.ndarray:
        check_restore_inputs(lq, out_size)
        warn_ignored_prompts(self, self._warned, semantic_prompt=semantic_prompt,
                             restoration_prompt=restoration_prompt)
        return check_restore_output(resize_uint8(lq, out_size, "bicubic"), out_size, self.name)
