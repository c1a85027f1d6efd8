"""The SD components around the adapter: SD1.5 configs shipped in the package, local diffusers-layout directories,
and the layout of checkpoint directories (full pipeline or adapter-only + base). `loading.load_pipeline` puts a
pipeline together from them."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import torch

from reference_model.seeding import seeded_init
from reference_model.weights import BASE_SUBFOLDERS, check_base_dir
from tipbench.errors import RestorerError

logger = logging.getLogger(__name__)

SD15_COMPONENTS = ("unet", "vae", "text_encoder", "scheduler")
ADAPTER_SUBFOLDER = "adapter"
MARKER_FILE = "tipbench.json"
CONFIG_DIR = Path(__file__).parent / "configs"


def sd15_config(name: str) -> dict[str, Any]:
    """The public SD1.5 config of one component (`unet`, `vae`, `text_encoder`, `scheduler`)."""
    if name not in SD15_COMPONENTS:
        raise ValueError(f"unknown SD1.5 component `{name}`; available: {', '.join(SD15_COMPONENTS)}")
    return json.loads((CONFIG_DIR / "sd15" / f"{name}.json").read_text())


def ddim_scheduler(config: dict[str, Any] | None = None):
    """DDIM with SD1.5's training betas (or those of `config`), eta chosen per call (protocol §7)."""
    from diffusers import DDIMScheduler

    base = dict(sd15_config("scheduler"))
    if config:
        base.update({k: v for k, v in config.items() if k in ("beta_start", "beta_end", "beta_schedule",
                                                              "num_train_timesteps", "prediction_type",
                                                              "trained_betas", "steps_offset")})
    base.update(clip_sample=False, set_alpha_to_one=False)
    return DDIMScheduler.from_config(base)


def build_sd15(*, empty: bool = True, seed: int = 0) -> dict[str, Any]:
    """The real-size SD1.5 UNet, VAE and CLIP text encoder from the shipped configs.

    `empty=True` builds on the meta device (no memory; for parameter accounting and shapes); `empty=False` gives
    random weights (for memory and speed checks). Never real weights.
    """
    from accelerate import init_empty_weights
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextConfig, CLIPTextModel

    from reference_model.tokenizer import build_clip_tokenizer

    context = init_empty_weights() if empty else seeded_init(seed)
    with context:
        unet = UNet2DConditionModel.from_config(sd15_config("unet"))
        vae = AutoencoderKL.from_config(sd15_config("vae"))
        text_config = {k: v for k, v in sd15_config("text_encoder").items() if k != "architectures"}
        text_encoder = CLIPTextModel(CLIPTextConfig(**text_config))
    return {"unet": unet, "vae": vae, "text_encoder": text_encoder, "tokenizer": build_clip_tokenizer(),
            "scheduler": ddim_scheduler()}


def load_base(root: str | Path, *, dtype: torch.dtype = torch.float32) -> dict[str, Any]:
    """Frozen VAE, text encoder, tokenizer and UNet from a local SD directory, plus a DDIM scheduler."""
    from diffusers import AutoencoderKL, UNet2DConditionModel
    from transformers import CLIPTextModel, CLIPTokenizer

    root = check_base_dir(root)
    scheduler_file = root / "scheduler" / "scheduler_config.json"
    scheduler_config = json.loads(scheduler_file.read_text()) if scheduler_file.is_file() else None
    return {
        "unet": UNet2DConditionModel.from_pretrained(root, subfolder="unet", torch_dtype=dtype),
        "vae": AutoencoderKL.from_pretrained(root, subfolder="vae", torch_dtype=dtype),
        "text_encoder": CLIPTextModel.from_pretrained(root, subfolder="text_encoder", torch_dtype=dtype),
        "tokenizer": CLIPTokenizer.from_pretrained(root, subfolder="tokenizer"),
        "scheduler": ddim_scheduler(scheduler_config),
    }


def read_marker(checkpoint: str | Path) -> dict[str, Any]:
    """The checkpoint's `tipbench.json` (e.g. {"weights": "random"}), or {} when absent."""
    path = Path(checkpoint) / MARKER_FILE
    if not path.is_file():
        return {}
    try:
        marker = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise RestorerError(f"checkpoint marker `{path}` is not valid JSON ({exc}); re-export the checkpoint") from exc
    if not isinstance(marker, dict):
        raise RestorerError(f"checkpoint marker `{path}` is not a JSON object; re-export the checkpoint")
    return marker


def adapter_dir(checkpoint: str | Path) -> Path:
    """Where a checkpoint keeps its adapter: `<ckpt>/adapter/` or the folder itself (adapter-only export)."""
    checkpoint = Path(checkpoint).expanduser()
    for candidate in (checkpoint / ADAPTER_SUBFOLDER, checkpoint):
        if (candidate / "config.json").is_file():
            return candidate
    raise RestorerError(
        f"no TIP adapter in `{checkpoint}`: expected `{ADAPTER_SUBFOLDER}/config.json` (pipeline directory) or "
        "`config.json` (adapter-only directory); train one with `python -m reference_model.train CONFIG`"
    )


def is_pipeline_dir(checkpoint: str | Path) -> bool:
    """True when the checkpoint carries its own SD components (a full pipeline directory)."""
    checkpoint = Path(checkpoint)
    return all((checkpoint / sub).is_dir() for sub in BASE_SUBFOLDERS)
