"""Reference TIP model on diffusers: modulation-fusion adapter, fused UNet forward, pipeline, restorer, training.

Heavy modules (torch, diffusers) load on first attribute access, so `import reference_model` stays cheap.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "TIPAdapter": "reference_model.adapter",
    "AdapterOutput": "reference_model.adapter",
    "TIPPipeline": "reference_model.pipeline",
    "fused_unet_forward": "reference_model.fused_unet",
    "ReferenceModelRestorer": "reference_model.restorer",
    "load_pipeline": "reference_model.components",
    "save_tiny_pipeline": "reference_model.tiny",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(importlib.import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'reference_model' has no attribute {name!r}")
