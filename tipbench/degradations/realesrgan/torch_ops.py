"""The Real-ESRGAN pipeline's operators on B×C×H×W float32 torch tensors, any device (protocol §4.2–4.5).

Same semantics as the numpy operators: reflect-padded per-sample filtering (grouped conv2d), the float JPEG
simulation with a per-sample quality, clipped noise addition, and USM.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from tipbench.degradations.realesrgan.diffjpeg import (
    CB_TO_B,
    CB_TO_G,
    CHROMA_TABLE,
    CR_TO_G,
    CR_TO_R,
    DCT,
    LUMA_TABLE,
    RGB_TO_YCBCR,
    quality_factor,
)
from tipbench.degradations.realesrgan.usm import USM_KERNEL_SIZE, USM_SIGMA


def filter2d(images: torch.Tensor, kernels: torch.Tensor) -> torch.Tensor:
    """Filter each sample with its own k×k kernel (B×k×k), reflect padding k//2, same kernel for all channels."""
    batch, channels, height, width = images.shape
    size = kernels.shape[-1]
    padded = F.pad(images, (size // 2,) * 4, mode="reflect")
    weight = kernels.to(images).repeat_interleave(channels, dim=0)[:, None]
    out = F.conv2d(padded.reshape(1, batch * channels, *padded.shape[-2:]), weight, groups=batch * channels)
    return out.view(batch, channels, height, width)


def add_noise(images: torch.Tensor, unit_noise: torch.Tensor, strengths: torch.Tensor) -> torch.Tensor:
    """clamp(x + s·n, 0, 1) with a per-sample strength; `unit_noise` is B×3×H×W or B×1×H×W (gray)."""
    return torch.clamp(images + strengths.to(images).view(-1, 1, 1, 1) * unit_noise, 0.0, 1.0)


def poisson_unit_noise(image: torch.Tensor, gray: bool, generator: torch.Generator | None) -> torch.Tensor:
    """One sample (3×H×W): Poisson(img_r·V)/V − img_r on the image or its luma (1×H×W), V from distinct levels."""
    source = (image * torch.tensor([0.2989, 0.587, 0.114], device=image.device).view(3, 1, 1)).sum(
        0, keepdim=True
    )
    source = source if gray else image
    rounded = torch.clamp(torch.round(source * 255.0), 0, 255) / 255.0
    distinct = int(torch.unique(rounded).numel())  # a host sync per sample, as in the anchor
    count = float(2 ** math.ceil(math.log2(max(distinct, 1))))
    return torch.poisson(rounded * count, generator=generator) / count - rounded


def _quantise_planes(planes: torch.Tensor, tables: torch.Tensor) -> torch.Tensor:
    """B×H×W planes (level-shifted inside), blockwise DCT, quantise with per-sample B×8×8 tables, inverse."""
    batch, height, width = planes.shape
    dct = torch.from_numpy(DCT).to(planes)
    rows = torch.matmul(dct, (planes - 128.0).reshape(batch, height // 8, 8, width))
    coefficients = torch.matmul(rows.reshape(batch, height // 8, 8, width // 8, 8), dct.T)
    steps = tables[:, None, :, None, :]
    coefficients = torch.round(coefficients / steps) * steps
    columns = torch.matmul(coefficients, dct).reshape(batch, height // 8, 8, width)
    return torch.matmul(dct.T, columns).reshape(batch, height, width) + 128.0


def diff_jpeg(images: torch.Tensor, qualities: torch.Tensor | list[float]) -> torch.Tensor:
    """The float JPEG simulation on B×3×H×W in [0, 1] with one continuous quality per sample; float output."""
    batch, _, height, width = images.shape
    factors = torch.tensor(
        [quality_factor(float(q)) for q in qualities], dtype=torch.float32, device=images.device
    )
    pixels = F.pad(images * 255.0, (0, (-width) % 16, 0, (-height) % 16))
    padded_h, padded_w = pixels.shape[-2:]
    matrix = torch.from_numpy(RGB_TO_YCBCR).to(pixels)
    luma = torch.einsum("c,bchw->bhw", matrix[0], pixels)
    chroma = torch.einsum("kc,bchw->bkhw", matrix[1:], F.avg_pool2d(pixels, 2)) + 128.0
    luma_tables = torch.from_numpy(LUMA_TABLE).to(pixels)[None] * factors.view(-1, 1, 1)
    chroma_tables = torch.from_numpy(CHROMA_TABLE).to(pixels)[None] * factors.view(-1, 1, 1)
    luma = _quantise_planes(luma, luma_tables)
    cb = _quantise_planes(chroma[:, 0], chroma_tables) - 128.0
    cr = _quantise_planes(chroma[:, 1], chroma_tables) - 128.0
    blocks = luma.view(batch, 1, padded_h // 2, 2, padded_w // 2, 2)
    offsets = torch.stack([CR_TO_R * cr, CB_TO_G * cb + CR_TO_G * cr, CB_TO_B * cb], dim=1)
    out = (blocks + offsets[:, :, :, None, :, None]).reshape(batch, 3, padded_h, padded_w)
    return torch.clamp(out[..., :height, :width], 0.0, 255.0) / 255.0


def usm_sharpen(images: torch.Tensor, weight: float = 0.5, threshold: float = 10.0) -> torch.Tensor:
    """USM of a B×3×H×W batch with the 51×51, σ = 8 Gaussian (BasicSR `USMSharp`); sides must exceed 25 px."""
    axis = np.arange(USM_KERNEL_SIZE) - USM_KERNEL_SIZE // 2
    gaussian_1d = np.exp(-(axis**2) / (2 * USM_SIGMA**2))
    gaussian_1d /= gaussian_1d.sum()
    kernel = torch.from_numpy(np.outer(gaussian_1d, gaussian_1d)).float().to(images.device)
    kernels = kernel[None].expand(images.shape[0], -1, -1)
    residual = images - filter2d(images, kernels)
    mask = (residual.abs() * 255 > threshold).float()
    soft = filter2d(mask, kernels)
    sharp = torch.clamp(images + weight * residual, 0, 1)
    return soft * sharp + (1 - soft) * images
