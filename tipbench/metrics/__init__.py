"""Metrics (protocol §6): functional forms in `tipbench.metrics.functional`, stateful classes here, one registry.

Entries are lazy so `import tipbench.metrics` imports no torch.
"""

from __future__ import annotations

from tipbench.registry import Registry

METRICS: Registry = Registry("metric")
METRICS.register("psnr", "tipbench.metrics.psnr:PSNR")
METRICS.register("ssim", "tipbench.metrics.ssim:SSIM")
METRICS.register("lpips", "tipbench.metrics.lpips:LPIPS")
METRICS.register("fid", "tipbench.metrics.fid:FID")
METRICS.register("clip-i", "tipbench.metrics.clip:CLIPImageSimilarity")
METRICS.register("clip-t", "tipbench.metrics.clip:CLIPTextSimilarity")

__all__ = ["METRICS"]
