"""`TIPPipeline`: DDIM sampling of the frozen SD UNet fused with the TIP adapter (paper §3, protocol §7, §9.2).

Classifier-free guidance acts on the semantic prompt c_s only: the unconditional branch keeps c_r and y and drops
c_s to "" (training drops only c_s). The adapter does not see c_s, so it runs once per step on batch B and its
fusion terms serve both guidance halves; when every c_s is "" the two halves are identical and only one UNet pass
runs.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

import numpy as np
import torch
import torch.nn.functional as F
from diffusers import DiffusionPipeline
from diffusers.utils.torch_utils import randn_tensor

from reference_model.fused_unet import check_unet_supported, fused_unet_forward
from reference_model.text import encode_prompts

logger = logging.getLogger(__name__)

#: Latent sizes are padded to a multiple of this (pixels: 64 for SD's VAE factor 8), then the output is cropped.
LATENT_PAD_MULTIPLE = 8
PAD_MULTIPLE = 64
BLIND_PROMPT = "Remove all degradation"


def pad_to_multiple(images: torch.Tensor, multiple: int = PAD_MULTIPLE) -> tuple[torch.Tensor, tuple[int, int]]:
    """Pad (B, C, H, W) at the bottom/right to multiples of `multiple` (reflect where possible, else replicate)."""
    height, width = images.shape[-2:]
    pad_h, pad_w = (-height) % multiple, (-width) % multiple
    if pad_h == 0 and pad_w == 0:
        return images, (height, width)
    mode = "reflect" if pad_h < height and pad_w < width else "replicate"
    return F.pad(images, (0, pad_w, 0, pad_h), mode=mode), (height, width)


def _as_batch(prompts: str | Sequence[str], batch: int, name: str) -> list[str]:
    if isinstance(prompts, str):
        return [prompts] * batch
    prompts = list(prompts)
    if len(prompts) != batch:
        raise ValueError(f"`{name}` has {len(prompts)} entries but there are {batch} images")
    if not all(isinstance(p, str) for p in prompts):
        raise ValueError(f"`{name}` must be strings")
    return prompts


class TIPPipeline(DiffusionPipeline):
    """Text-driven restoration with semantic (c_s) and restoration (c_r) prompts.

    Components: `vae` (AutoencoderKL), `text_encoder` (CLIPTextModel), `tokenizer` (CLIPTokenizer), `unet` (frozen
    UNet2DConditionModel), `adapter` (`TIPAdapter`), `scheduler` (DDIMScheduler).
    """

    model_cpu_offload_seq = "text_encoder->adapter->unet->vae"

    def __init__(self, vae, text_encoder, tokenizer, unet, adapter, scheduler) -> None:
        super().__init__()
        check_unet_supported(unet)
        self.register_modules(
            vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, unet=unet, adapter=adapter, scheduler=scheduler
        )
        self.vae_scale_factor = 2 ** (len(vae.config.block_out_channels) - 1)
        self.pad_multiple = self.vae_scale_factor * LATENT_PAD_MULTIPLE

    # 1. inputs --------------------------------------------------------------------------------------------------
    @staticmethod
    def prepare_image(image: torch.Tensor | np.ndarray | Sequence[np.ndarray]) -> torch.Tensor:
        """y as (B, 3, H, W) float in [0, 1]: from a tensor in [0, 1], or HxWx3 uint8 array(s) of one size."""
        if isinstance(image, torch.Tensor):
            if image.ndim != 4 or image.shape[1] != 3:
                raise ValueError(f"`image` tensor must be (B, 3, H, W), got {tuple(image.shape)}")
            return image.float()
        arrays = [image] if isinstance(image, np.ndarray) and image.ndim == 3 else list(image)
        if not arrays:
            raise ValueError("`image` is empty")
        shapes = {a.shape for a in arrays}
        if len(shapes) != 1 or any(a.dtype != np.uint8 or a.ndim != 3 or a.shape[2] != 3 for a in arrays):
            raise ValueError(f"`image` arrays must be HxWx3 uint8 of one size, got {sorted(shapes)}")
        stacked = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2)
        return stacked.float() / 255.0

    def _generators(self, generator, batch: int) -> list[torch.Generator] | None:
        if generator is None or isinstance(generator, torch.Generator):
            return generator
        generator = list(generator)
        if len(generator) != batch:
            raise ValueError(f"got {len(generator)} generators for {batch} images; pass one per image")
        return generator

    # 2. the sampler ---------------------------------------------------------------------------------------------
    @torch.no_grad()
    def __call__(
        self,
        image: torch.Tensor | np.ndarray | Sequence[np.ndarray],
        semantic_prompt: str | Sequence[str] = "",
        restoration_prompt: str | Sequence[str] = BLIND_PROMPT,
        num_inference_steps: int = 50,
        guidance_scale: float = 5.0,
        eta: float = 0.0,
        adapter_scale: float = 1.0,
        generator: torch.Generator | Sequence[torch.Generator] | None = None,
        output_type: str = "np",
    ) -> np.ndarray | torch.Tensor:
        """Restore a batch of degraded images already resized to the output size.

        Args:
            image: y at the output resolution, (B, 3, H, W) in [0, 1] or HxWx3 uint8 array(s).
            semantic_prompt: c_s per image (or one for all); "" for none.
            restoration_prompt: c_r per image (or one for all).
            num_inference_steps: DDIM steps.
            guidance_scale: CFG weight on c_s; <= 1 or all-empty c_s runs a single UNet pass per step.
            eta: DDIM eta (0 = deterministic).
            adapter_scale: multiplies the fusion terms; 0 gives the frozen SD.
            generator: one torch.Generator, or one per image (per-image seeds make batching transparent).
            output_type: "np" -> (B, H, W, 3) float32 in [0, 1]; "pt" -> (B, 3, H, W) tensor.
        """
        # 1. check inputs
        if num_inference_steps < 1:
            raise ValueError(f"`num_inference_steps` must be >= 1, got {num_inference_steps}")
        if output_type not in ("np", "pt"):
            raise ValueError(f"`output_type` must be 'np' or 'pt', got {output_type!r}")
        y = self.prepare_image(image)
        batch = y.shape[0]
        semantic = _as_batch(semantic_prompt, batch, "semantic_prompt")
        restoration = _as_batch(restoration_prompt, batch, "restoration_prompt")
        generator = self._generators(generator, batch)
        device, dtype = self._execution_device, self.unet.dtype
        adapter_dtype = self.adapter.dtype

        # 2. prompts: c_r for the adapter, c_s (and "" when guiding) for the UNet
        restoration_embeds = encode_prompts(self.tokenizer, self.text_encoder, restoration, device)
        do_guidance = guidance_scale > 1.0 and any(semantic)
        unet_prompts = ([""] * batch + semantic) if do_guidance else semantic
        semantic_embeds = encode_prompts(self.tokenizer, self.text_encoder, unet_prompts, device).to(dtype)
        restoration_embeds = restoration_embeds.to(adapter_dtype)

        # 3. pad y to the sampling size; latents from per-image generators
        y, (height, width) = pad_to_multiple(y, self.pad_multiple)
        y = y.to(device=device, dtype=adapter_dtype)
        latent_shape = (batch, self.unet.config.in_channels, y.shape[2] // self.vae_scale_factor,
                        y.shape[3] // self.vae_scale_factor)
        self.scheduler.set_timesteps(num_inference_steps, device=device)
        latents = randn_tensor(latent_shape, generator=generator, device=device, dtype=torch.float32)
        latents = latents * self.scheduler.init_noise_sigma

        # 4. denoising loop: adapter once per step, UNet on 1 or 2 halves
        for t in self.progress_bar(self.scheduler.timesteps):
            model_in = self.scheduler.scale_model_input(latents, t)
            terms = self.adapter(model_in.to(adapter_dtype), t, restoration_embeds, y, scale=adapter_scale)
            unet_in = torch.cat([model_in] * 2) if do_guidance else model_in
            eps = fused_unet_forward(self.unet, unet_in.to(dtype), t, semantic_embeds, terms).float()
            if do_guidance:
                eps_uncond, eps_cond = eps.chunk(2)
                eps = eps_uncond + guidance_scale * (eps_cond - eps_uncond)
            latents = self.scheduler.step(eps, t, latents, eta=eta, generator=generator).prev_sample

        # 5. decode, map to [0, 1], crop the padding
        vae_dtype = self.vae.dtype
        decoded = self.vae.decode(latents.to(vae_dtype) / self.vae.config.scaling_factor).sample
        out = (decoded.float() / 2 + 0.5).clamp(0, 1)[:, :, :height, :width]
        self.maybe_free_model_hooks()
        if output_type == "pt":
            return out
        return out.permute(0, 2, 3, 1).cpu().numpy()
