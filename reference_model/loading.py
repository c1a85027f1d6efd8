"""`load_pipeline`: a `TIPPipeline` from a checkpoint directory (full pipeline, or adapter-only on an SD base)."""

from __future__ import annotations

from pathlib import Path

import torch

from reference_model.components import adapter_dir, is_pipeline_dir, load_base, read_marker
from reference_model.weights import resolve_sd_base
from tipbench.errors import RestorerError


def load_pipeline(checkpoint: str | Path, *, base: str | Path | None = None, device: str | torch.device = "cpu",
                  dtype: torch.dtype = torch.float32, adapter_dtype: torch.dtype | None = None):
    """A `TIPPipeline` from a checkpoint directory.

    Args:
        checkpoint: a full pipeline directory (unet/vae/text_encoder/tokenizer/adapter) or an adapter-only one.
        base: the SD directory for adapter-only checkpoints; resolved through the weights registry when None.
        device, dtype: where and in which precision the frozen components run.
        adapter_dtype: the adapter's precision (default: `dtype`).
    """
    from reference_model.adapter import TIPAdapter
    from reference_model.pipeline import TIPPipeline

    checkpoint = Path(checkpoint).expanduser()
    if not checkpoint.is_dir():
        raise RestorerError(f"checkpoint directory `{checkpoint}` does not exist")
    adapter_path = adapter_dir(checkpoint)
    if is_pipeline_dir(checkpoint):
        base_root = checkpoint
    else:
        # An adapter-only checkpoint written by training records the SD directory it was trained on.
        recorded = read_marker(checkpoint).get("base")
        if base is None and recorded and Path(recorded).is_dir():
            base = recorded
        base_root = resolve_sd_base(base)
    components = load_base(base_root, dtype=dtype)
    adapter = TIPAdapter.from_pretrained(adapter_path, torch_dtype=adapter_dtype or dtype)
    for module in (components["unet"], components["vae"], components["text_encoder"], adapter):
        module.requires_grad_(False).eval()
    pipeline = TIPPipeline(adapter=adapter, **components)
    return pipeline.to(device)
