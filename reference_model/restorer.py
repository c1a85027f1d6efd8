"""The reference model family as `Restorer`s (contracts §4): TIP, ControlNet-SR and ControlNet-SR+CLIP.

LQ handling: the degraded image is bicubic-resized (Pillow, antialiased) to `out_size` before E'(y), so E' always
downsamples by the VAE factor and the output has exactly `out_size` (protocol §9.2). Prompts the checkpoint was not
trained with are not fed to it (logged once). c_r reaches the text encoder in its canonical spelling (parsed, then
formatted: the text training used), or its type-only form for a type-only checkpoint; an unparsable c_r is a
`PromptError` (docs/contracts.md §2.2).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from reference_model.images import resize_bicubic
from tipbench.contracts.restorer import check_restore_inputs, check_restore_output
from tipbench.errors import RestorerError
from tipbench.prompts import canonical_restoration_prompt, to_type_only

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SamplingSettings:
    """Sampler settings recorded in run.json (protocol §7 defaults)."""

    sampler: str = "ddim"
    steps: int = 50
    eta: float = 0.0
    guidance_scale: float = 5.0
    guidance_on: str = "semantic_prompt"
    adapter_scale: float = 1.0
    lq_resize: str = "pillow-bicubic-to-out_size"
    color_fix: str = "none"


def _dtype(name: str | None, device: str):
    import torch

    if name is None:
        return torch.float16 if str(device).startswith("cuda") else torch.float32
    table = {"fp32": torch.float32, "float32": torch.float32, "fp16": torch.float16, "float16": torch.float16,
             "bf16": torch.bfloat16, "bfloat16": torch.bfloat16}
    if name not in table:
        raise RestorerError(f"`dtype` must be one of {', '.join(table)}, got {name!r}")
    return table[name]


class ReferenceModelRestorer:
    """A TIP-family checkpoint behind the Restorer interface.

    Args:
        checkpoint: pipeline directory (unet/vae/text_encoder/tokenizer/adapter[/tipbench.json]) or adapter-only
            directory (then `base` or the weights registry gives the SD1.5 directory).
        name: method key recorded in runs (`tip`, `controlnet-sr`, `controlnet-sr-clip`).
        device: "cpu" or "cuda[:i]". dtype: "fp32" | "fp16" | "bf16" (default fp16 on CUDA, fp32 on CPU).
        steps, guidance_scale, eta, adapter_scale: sampling settings (protocol §7 defaults).
        use_semantic_prompt / use_restoration_prompt: override the checkpoint's switches (None = as trained);
            ControlNet-SR+CLIP feeds c_s zero-shot to a checkpoint trained without it.
        base: SD base directory for adapter-only checkpoints.
        batch_size: images per pipeline call in `restore_batch`.
    """

    def __init__(
        self,
        checkpoint: str | Path,
        *,
        name: str = "tip",
        device: str = "cpu",
        dtype: str | None = None,
        steps: int = 50,
        guidance_scale: float = 5.0,
        eta: float = 0.0,
        adapter_scale: float = 1.0,
        use_semantic_prompt: bool | None = None,
        use_restoration_prompt: bool | None = None,
        base: str | Path | None = None,
        batch_size: int = 4,
    ) -> None:
        from reference_model.components import read_marker
        from reference_model.loading import load_pipeline

        if steps < 1 or batch_size < 1:
            raise RestorerError(f"`steps` and `batch_size` must be >= 1, got {steps}, {batch_size}")
        self.name = name
        self.checkpoint = Path(checkpoint).expanduser()
        self.device = device
        self.torch_dtype = _dtype(dtype, device)
        self.batch_size = batch_size
        self.sampling = SamplingSettings(steps=steps, eta=eta, guidance_scale=guidance_scale,
                                         adapter_scale=adapter_scale)
        self.marker = read_marker(self.checkpoint)
        self.pipeline = load_pipeline(self.checkpoint, base=base, device=device, dtype=self.torch_dtype)
        self.pipeline.set_progress_bar_config(disable=True)
        config = self.pipeline.adapter.config
        self.restoration_prompt_form = config.restoration_prompt_form
        trained_semantic = bool(config.use_semantic_prompt)
        trained_restoration = config.restoration_prompt_form != "none"
        self.uses_semantic_prompt = trained_semantic if use_semantic_prompt is None else bool(use_semantic_prompt)
        self.uses_restoration_prompt = (
            trained_restoration if use_restoration_prompt is None else bool(use_restoration_prompt)
        )
        self._warned: set[str] = set()

    @property
    def weights(self) -> str:
        """What the checkpoint's `tipbench.json` says (`real` from training on a real base, `random` for tiny or
        random checkpoints); `unknown` without it: nothing vouches for a bare adapter or pipeline folder."""
        recorded = self.marker.get("weights")
        return recorded if recorded in ("real", "random") else "unknown"

    def settings(self) -> dict[str, Any]:
        """Everything run.json records about how this restorer samples."""
        config = self.pipeline.adapter.config
        return {
            **asdict(self.sampling),
            "dtype": str(self.torch_dtype).removeprefix("torch."),
            "device": str(self.device),
            "fusion": config.fusion,
            "modulate_mid": config.modulate_mid,
            "modulate_up": config.modulate_up,
            "restoration_prompt_form": self.restoration_prompt_form,
            "uses_semantic_prompt": self.uses_semantic_prompt,
            "uses_restoration_prompt": self.uses_restoration_prompt,
            "checkpoint": str(self.checkpoint),
            "weights": self.weights,
        }

    def _prompts(self, semantic_prompt: str, restoration_prompt: str) -> tuple[str, str]:
        """The prompts actually fed to the model, logging once per prompt kind that is ignored."""
        if semantic_prompt and not self.uses_semantic_prompt:
            self._warn_once("semantic_prompt")
            semantic_prompt = ""
        if restoration_prompt and not self.uses_restoration_prompt:
            self._warn_once("restoration_prompt")
            restoration_prompt = ""
        if restoration_prompt:  # the spelling training used (contracts §2.2); unparsable text is a PromptError
            restoration_prompt = (to_type_only(restoration_prompt) if self.restoration_prompt_form == "type-only"
                                  else canonical_restoration_prompt(restoration_prompt))
        return semantic_prompt, restoration_prompt

    def _warn_once(self, kind: str) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            logger.warning("method `%s` ignores the %s (checkpoint not trained with it)", self.name, kind)

    @property
    def ignored_prompts(self) -> list[str]:
        return sorted(self._warned)

    def restore(self, lq: np.ndarray, *, semantic_prompt: str = "", restoration_prompt: str = "",
                out_size: tuple[int, int] = (512, 512), seed: int = 0) -> np.ndarray:
        """Restore one HxWx3 uint8 image to `out_size` (uint8)."""
        item = {"lq": lq, "semantic_prompt": semantic_prompt, "restoration_prompt": restoration_prompt,
                "out_size": out_size, "seed": seed}
        return self.restore_batch([item])[0]

    def restore_batch(self, items: Sequence[dict[str, Any]]) -> list[np.ndarray]:
        """Restore many items (dicts with the `restore` keyword names plus `lq`); same result as one by one.

        Items are grouped by `out_size` and run `batch_size` at a time; each image gets its own generator.
        """
        from tipbench.seeding import torch_generator

        prepared = []
        for item in items:
            out_size = tuple(item.get("out_size", (512, 512)))
            check_restore_inputs(item["lq"], out_size)
            semantic, restoration = self._prompts(item.get("semantic_prompt", ""), item.get("restoration_prompt", ""))
            prepared.append((resize_bicubic(item["lq"], out_size), semantic, restoration, out_size,
                             int(item.get("seed", 0))))
        results: list[np.ndarray | None] = [None] * len(prepared)
        by_size: dict[tuple[int, int], list[int]] = {}
        for index, entry in enumerate(prepared):
            by_size.setdefault(entry[3], []).append(index)
        for out_size, indices in by_size.items():
            for start in range(0, len(indices), self.batch_size):
                chunk = indices[start : start + self.batch_size]
                images = self.pipeline(
                    [prepared[i][0] for i in chunk],
                    semantic_prompt=[prepared[i][1] for i in chunk],
                    restoration_prompt=[prepared[i][2] for i in chunk],
                    num_inference_steps=self.sampling.steps,
                    guidance_scale=self.sampling.guidance_scale,
                    eta=self.sampling.eta,
                    adapter_scale=self.sampling.adapter_scale,
                    generator=[torch_generator(prepared[i][4]) for i in chunk],
                )
                for i, image in zip(chunk, images):
                    out = np.rint(image * 255.0).clip(0, 255).astype(np.uint8)
                    results[i] = check_restore_output(out, out_size, self.name)
        return results  # type: ignore[return-value]


class TIPRestorer(ReferenceModelRestorer):
    """`tip`: the full model with both prompts (Table 1 "Ours")."""

    def __init__(self, checkpoint: str | Path, **options: Any) -> None:
        options.setdefault("name", "tip")
        super().__init__(checkpoint, **options)


class ControlNetSRRestorer(ReferenceModelRestorer):
    """`controlnet-sr`: additive-fusion checkpoint trained without prompts (Table 1 ControlNet-SR)."""

    def __init__(self, checkpoint: str | Path, **options: Any) -> None:
        options.setdefault("name", "controlnet-sr")
        super().__init__(checkpoint, **options)


class ControlNetSRCLIPRestorer(ReferenceModelRestorer):
    """`controlnet-sr-clip`: the ControlNet-SR checkpoint with c_s fed zero-shot to the UNet, CFG on c_s."""

    def __init__(self, checkpoint: str | Path, **options: Any) -> None:
        options.setdefault("name", "controlnet-sr-clip")
        options.setdefault("use_semantic_prompt", True)
        options.setdefault("use_restoration_prompt", False)
        super().__init__(checkpoint, **options)
