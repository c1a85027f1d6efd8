"""Tiny random TIP components (protocol §9.4) so every code path runs on CPU in seconds, and a writer for a tiny random
checkpoint directory the restorer and `run` can load like a real one (marked `"weights": "random"`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from reference_model.prompting import adapter_prompt_options
from tipbench.contracts.prompt_policy import DEFAULT_POLICY
from tipbench.io import write_json

TINY_MERGES = 1000
TINY_UNET = {
    "block_out_channels": [32, 64], "layers_per_block": 1, "sample_size": 16, "in_channels": 4, "out_channels": 4,
    "down_block_types": ["DownBlock2D", "CrossAttnDownBlock2D"], "up_block_types": ["CrossAttnUpBlock2D", "UpBlock2D"],
    "cross_attention_dim": 32, "attention_head_dim": 4, "norm_num_groups": 8,
}
TINY_VAE = {
    "block_out_channels": [8, 16], "in_channels": 3, "out_channels": 3, "latent_channels": 4, "norm_num_groups": 4,
    "down_block_types": ["DownEncoderBlock2D"] * 2, "up_block_types": ["UpDecoderBlock2D"] * 2, "layers_per_block": 1,
    "mid_block_add_attention": False,
}
TINY_TEXT = {
    "hidden_size": 32, "intermediate_size": 37, "num_attention_heads": 4, "num_hidden_layers": 2,
    "max_position_embeddings": 77, "layer_norm_eps": 1e-5, "pad_token_id": TINY_MERGES + 513,
    "bos_token_id": TINY_MERGES + 512, "eos_token_id": TINY_MERGES + 513, "vocab_size": TINY_MERGES + 514,
}
#: One stride-2 conv in E'(y): factor 2, matching the 2-block tiny VAE.
TINY_CONDITIONING_CHANNELS = (16, 32)


def tiny_base(seed: int = 0) -> dict[str, Any]:
    """Tiny random UNet, VAE, CLIP text encoder, offline tokenizer and the SD DDIM scheduler."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    from reference_model.components import ddim_scheduler
    from reference_model.seeding import seeded_init
    from reference_model.tokenizer import build_clip_tokenizer

    with seeded_init(seed):
        unet = UNet2DConditionModel(**TINY_UNET)
    with seeded_init(seed + 1):
        vae = AutoencoderKL(**TINY_VAE)
    with seeded_init(seed + 2):
        text_encoder = CLIPTextModel(CLIPTextConfig(**TINY_TEXT))
    return {"unet": unet, "vae": vae, "text_encoder": text_encoder,
            "tokenizer": build_clip_tokenizer(TINY_MERGES), "scheduler": ddim_scheduler()}


def tiny_adapter(unet, *, fusion: str = "modulation", prompts: str = DEFAULT_POLICY, **options: Any):
    """A TIP adapter for the tiny UNet (zero heads, encoder copied from the UNet)."""
    from reference_model.adapter import TIPAdapter

    return TIPAdapter.from_unet(
        unet, conditioning_embedding_out_channels=TINY_CONDITIONING_CHANNELS, fusion=fusion,
        **adapter_prompt_options(prompts), **options,
    )


def tiny_pipeline(*, fusion: str = "modulation", prompts: str = DEFAULT_POLICY, seed: int = 0, **options: Any):
    """A ready `TIPPipeline` of tiny random components on CPU (fp32)."""
    from reference_model.pipeline import TIPPipeline

    base = tiny_base(seed)
    adapter = tiny_adapter(base["unet"], fusion=fusion, prompts=prompts, **options)
    for module in (base["unet"], base["vae"], base["text_encoder"], adapter):
        module.requires_grad_(False).eval()
    pipeline = TIPPipeline(adapter=adapter, **base)
    pipeline.set_progress_bar_config(disable=True)
    return pipeline


def randomize_heads(adapter, seed: int = 0, std: float = 0.1) -> None:
    """Give the zero-initialised heads non-zero weights (tests and tiny checkpoints; never real training)."""
    import torch

    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for parameter in adapter.head_parameters():
            parameter.copy_(torch.randn(parameter.shape, generator=generator) * std)


def save_tiny_pipeline(path: str | Path, *, fusion: str = "modulation", prompts: str = DEFAULT_POLICY, seed: int = 0,
                       modulate_up: bool = False) -> Path:
    """Write a tiny random pipeline directory (unet/vae/text_encoder/tokenizer/scheduler/adapter + tipbench.json).

    The heads are randomised so outputs depend on y and c_r (a zero-head model would ignore them). The marker
    `tipbench.json` records `"weights": "random"` so runs made with it are never presented as real results.
    """
    path = Path(path)
    pipeline = tiny_pipeline(fusion=fusion, prompts=prompts, seed=seed, modulate_up=modulate_up)
    randomize_heads(pipeline.adapter, seed)
    for name in ("unet", "vae", "text_encoder", "tokenizer", "scheduler", "adapter"):
        getattr(pipeline, name).save_pretrained(path / name)
    write_json(path / "tipbench.json", {"weights": "random", "kind": "tiny", "fusion": fusion, "prompts": prompts,
                                        "seed": seed})
    return path
