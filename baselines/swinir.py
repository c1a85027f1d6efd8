"""`swinir`: SwinIR real-SR ×4 GAN (M by default, `--variant l`), in-process through spandrel.

Follows the official test script (protocol §8.2): RGB float [0, 1], flip-concatenation padding to the
next multiple of the window (always at least one extra row/column), whole-image inference (no tiles: tiling leaves
border artefacts, SwinIR#91), crop to 4h×4w, clamp, round to uint8; then Pillow bicubic to `out_size` when the ×4
result has another size (param splits with other factors).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from baselines._common import resize_uint8, warn_ignored_prompts
from tipbench.contracts.restorer import check_restore_inputs, check_restore_output
from tipbench.errors import RestorerError

logger = logging.getLogger(__name__)

WEIGHTS_BY_VARIANT = {None: "swinir-realsr-x4-gan-m", "m": "swinir-realsr-x4-gan-m", "l": "swinir-realsr-x4-gan-l"}
WINDOW = 8


def load_swinir(path: str, device: str) -> Any:
    """A spandrel ImageModelDescriptor for a SwinIR checkpoint; `RestorerError` when it is not a ×4 SwinIR."""
    from spandrel import ModelLoader

    try:
        descriptor = ModelLoader(device=device).load_from_file(path)
    except Exception as exc:  # spandrel raises plain errors for unrecognised files
        raise RestorerError(f"spandrel cannot load `{path}` as a SwinIR checkpoint: {exc}") from exc
    if descriptor.architecture.id != "SwinIR" or descriptor.scale != 4:
        raise RestorerError(f"`{path}` is {descriptor.architecture.id} ×{descriptor.scale}, expected SwinIR ×4")
    return descriptor.eval()


def flip_pad(tensor: Any, multiple: int) -> Any:
    """Pad NCHW by mirrored concatenation to the next multiple of `multiple` (adds 1..multiple rows/columns)."""
    import torch

    height, width = tensor.shape[-2:]
    pad_h = (height // multiple + 1) * multiple - height
    pad_w = (width // multiple + 1) * multiple - width
    tensor = torch.cat([tensor, torch.flip(tensor, [2])], 2)[:, :, : height + pad_h, :]
    return torch.cat([tensor, torch.flip(tensor, [3])], 3)[:, :, :, : width + pad_w]


class SwinIRRestorer:
    """SwinIR real-SR ×4 GAN; ignores both prompts (logged once)."""

    name = "swinir"
    uses_semantic_prompt = False
    uses_restoration_prompt = False
    weights: ClassVar[tuple[str, ...]] = ("swinir-realsr-x4-gan-m", "swinir-realsr-x4-gan-l")

    def __init__(self, options) -> None:
        from tipbench.weights import file_sha256, resolve

        options.check_extra((), self.name)
        self.entry = WEIGHTS_BY_VARIANT[options.variant]
        self.path = str(resolve(self.entry))
        self.device = options.device
        self.sha256 = file_sha256(Path(self.path))
        self.model = load_swinir(self.path, self.device)
        self.dtype = options.dtype  # fp32 (default) or bf16 autocast (`--dtype`; spandrel's SwinIR has no fp16)
        self._warned: set[str] = set()

    def describe(self) -> dict:
        return {"settings": {"scale": 4, "padding": f"flip-concatenate to multiple of {WINDOW}", "tile": None,
                             "resize_to_out_size": "Pillow bicubic", "checkpoint": self.path, "dtype": self.dtype},
                "checkpoints": {self.entry: self.sha256}, "weights": "real", "command": None}

    def restore(self, lq: np.ndarray, *, semantic_prompt: str = "", restoration_prompt: str = "",
                out_size: tuple[int, int] = (512, 512), seed: int = 0) -> np.ndarray:
        import torch

        check_restore_inputs(lq, out_size)
        warn_ignored_prompts(self, self._warned, semantic_prompt=semantic_prompt,
                             restoration_prompt=restoration_prompt)
        height, width = lq.shape[:2]
        tensor = torch.from_numpy(lq.astype(np.float32) / 255.0).permute(2, 0, 1)[None].to(self.device)
        autocast = torch.autocast(str(self.device).split(":")[0], torch.bfloat16, enabled=self.dtype == "bf16")
        with torch.inference_mode(), autocast:
            out = self.model(flip_pad(tensor, WINDOW))[..., : 4 * height, : 4 * width].float()
        image = (out[0].clamp(0, 1).permute(1, 2, 0).cpu().numpy() * 255.0).round().astype(np.uint8)
        return check_restore_output(resize_uint8(image, out_size, "bicubic"), out_size, self.name)
