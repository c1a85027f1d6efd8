"""Reference TIP model on diffusers: modulation-fusion adapter, fused UNet forward, pipeline, restorer, training.

Heavy modules (torch, diffusers) load on first attribute access, so `import reference_model` stays cheap.
"""

from __future__ import annotations

from tipbench.registry import lazy_attributes

_EXPORTS = {
    "TIPAdapter": "reference_model.adapter",
    "AdapterOutput": "reference_model.adapter",
    "TIPPipeline": "reference_model.pipeline",
    "fused_unet_forward": "reference_model.fused_unet",
    "ReferenceModelRestorer": "reference_model.restorer",
    "load_pipeline": "reference_model.loading",
    "save_tiny_pipeline": "reference_model.tiny",
}

__all__ = sorted(_EXPORTS)


__getattr__ = lazy_attributes(__name__, _EXPORTS)
