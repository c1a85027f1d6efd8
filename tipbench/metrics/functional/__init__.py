"""Pure metric functions (the torchmetrics layout): `<name>(pred, target, **opts)`, argument order always (pred, target)."""

from __future__ import annotations

from tipbench.metrics.functional.clip import clip_image_similarity, clip_text_similarity
from tipbench.metrics.functional.fid import fid_from_features, frechet_distance
from tipbench.metrics.functional.image import rgb_to_y_bt601, to_uint8_batch
from tipbench.metrics.functional.lpips import lpips
from tipbench.metrics.functional.psnr import psnr
from tipbench.metrics.functional.ssim import ssim

__all__ = [
    "clip_image_similarity",
    "clip_text_similarity",
    "fid_from_features",
    "frechet_distance",
    "lpips",
    "psnr",
    "rgb_to_y_bt601",
    "ssim",
    "to_uint8_batch",
]
