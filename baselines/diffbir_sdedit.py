"""`diffbir-sdedit`: DiffBIR v1, then SDEdit — diffusers img2img from the DiffBIR output on c_s with TIP's SD base.

Img2img runs int(steps·strength) DDIM steps from timestep index steps − int(steps·strength) (protocol
§8.4); strength 0.4 by default, `--variant s02` / `s06` for the sweep, or `--option strength=…`. Each item gets its
own torch generator from its seed (protocol §2).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from baselines._subprocess import CallPlan
from baselines.diffbir import DiffBIRRestorer

STRENGTH_BY_VARIANT = {None: 0.4, "s02": 0.2, "s06": 0.6}


def load_img2img(sd_dir: Path, device: str) -> Any:
    """StableDiffusionImg2ImgPipeline from a diffusers SD directory's components, DDIM scheduler, no safety checker."""
    from diffusers import AutoencoderKL, DDIMScheduler, StableDiffusionImg2ImgPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTokenizer

    pipeline = StableDiffusionImg2ImgPipeline(
        vae=AutoencoderKL.from_pretrained(sd_dir / "vae"),
        text_encoder=CLIPTextModel.from_pretrained(sd_dir / "text_encoder"),
        tokenizer=CLIPTokenizer.from_pretrained(sd_dir / "tokenizer"),
        unet=UNet2DConditionModel.from_pretrained(sd_dir / "unet"),
        scheduler=DDIMScheduler.from_pretrained(sd_dir / "scheduler"),
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )
    pipeline.set_progress_bar_config(disable=True)
    return pipeline.to(device)


class DiffBIRSDEditRestorer(DiffBIRRestorer):
    """DiffBIR v1 then img2img on c_s; ignores the restoration prompt (logged once)."""

    name = "diffbir-sdedit"
    uses_semantic_prompt = True
    extra_options: ClassVar[tuple[str, ...]] = ("steps", "cfg_scale", "strength", "sdedit_steps", "guidance_scale")

    def __init__(self, options) -> None:
        from tipbench.weights import file_sha256, resolve

        sd_dir = resolve("sd15")
        super().__init__(options)
        self.version = "v1"  # the variant names the SDEdit strength, DiffBIR stays v1
        self.strength = float(options.option("strength", STRENGTH_BY_VARIANT[options.variant]))
        self.sdedit_steps = int(options.option("sdedit_steps", 50))
        self.guidance_scale = float(options.option("guidance_scale", 5.0))
        self.checkpoints["sd15"] = file_sha256(sd_dir)
        self.img2img = load_img2img(sd_dir, options.device)

    def argv(self, in_dir: Path, out_dir: Path, *, plan: CallPlan, seed: int, semantic_prompt: str) -> list[str]:
        return super().argv(in_dir, out_dir, plan=plan, seed=seed, semantic_prompt="")

    def postprocess(self, raw: np.ndarray, item: dict, resized: np.ndarray) -> np.ndarray:
        from PIL import Image

        from tipbench.seeding import torch_generator

        result = self.img2img(prompt=item.get("semantic_prompt", ""), image=Image.fromarray(resized),
                              strength=self.strength, num_inference_steps=self.sdedit_steps,
                              guidance_scale=self.guidance_scale, generator=torch_generator(int(item.get("seed", 0))),
                              output_type="np")
        out = np.rint(np.clip(result.images[0], 0, 1) * 255.0).astype(np.uint8)
        if out.shape != resized.shape:
            from baselines._common import resize_uint8

            out = resize_uint8(out, resized.shape[:2])
        return out

    def describe(self) -> dict:
        described = super().describe()
        described["settings"].update({"sdedit": "diffusers StableDiffusionImg2ImgPipeline, DDIM", "strength":
                                      self.strength, "sdedit_steps": self.sdedit_steps,
                                      "sdedit_guidance_scale": self.guidance_scale, "sdedit_base": "sd15",
                                      "diffbir_positive_prompt": ""})
        return described
