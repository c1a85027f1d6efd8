"""Input conversion shared by the pixel metrics: everything becomes an NCHW uint8 torch batch first."""

from __future__ import annotations

from typing import Literal

import numpy as np
import torch

from tipbench.errors import ConfigError

Channel = Literal["rgb", "y"]


def to_uint8_batch(image: np.ndarray | torch.Tensor, *, name: str = "image") -> torch.Tensor:
    """HxWx3 / NxHxWx3 numpy or Nx3xHxW / 3xHxW torch, uint8 or float in [0, 1] → Nx3xHxW uint8 tensor.

    Floats are rounded half-to-even, as the protocol quantises restored outputs before scoring; NaN/inf and
    out-of-range floats are errors, never clipped.

    >>> to_uint8_batch(np.zeros((4, 5, 3), np.uint8)).shape
    torch.Size([1, 3, 4, 5])
    """
    if isinstance(image, np.ndarray):
        array = image[None] if image.ndim == 3 else image
        if array.ndim != 4 or array.shape[-1] != 3:
            raise ConfigError(f"`{name}` must be HxWx3 or NxHxWx3 RGB, got shape {image.shape}")
        tensor = torch.from_numpy(np.ascontiguousarray(array)).permute(0, 3, 1, 2)
    elif isinstance(image, torch.Tensor):
        tensor = image[None] if image.ndim == 3 else image
        if tensor.ndim != 4 or tensor.shape[1] != 3:
            raise ConfigError(f"`{name}` must be 3xHxW or Nx3xHxW RGB, got shape {tuple(image.shape)}")
    else:
        raise ConfigError(f"`{name}` must be a numpy array or torch tensor, got {type(image).__name__}")
    if tensor.dtype == torch.uint8:
        return tensor
    if not tensor.is_floating_point():
        raise ConfigError(f"`{name}` must be uint8 or float in [0, 1], got {tensor.dtype}")
    if not bool(torch.isfinite(tensor).all()):
        raise ConfigError(f"`{name}` contains NaN or inf")
    lo, hi = float(tensor.min()), float(tensor.max())
    if lo < 0.0 or hi > 1.0:
        raise ConfigError(f"float `{name}` must lie in [0, 1], got [{lo:.4g}, {hi:.4g}]")
    return torch.round(tensor.double() * 255.0).to(torch.uint8)


def check_pair(pred: torch.Tensor, target: torch.Tensor) -> None:
    if pred.shape != target.shape:
        raise ConfigError(f"`pred` and `target` must have the same shape, got {tuple(pred.shape)} vs {tuple(target.shape)}")


def rgb_to_y_bt601(batch: torch.Tensor) -> torch.Tensor:
    """Nx3xHxW in [0, 255] → Nx1xHxW float64 BT.601 studio-range luma (16–235), unrounded, as BasicSR.

    >>> float(rgb_to_y_bt601(torch.full((1, 3, 1, 1), 255.0))[0, 0, 0, 0])
    235.0
    """
    weights = torch.tensor([65.481, 128.553, 24.966], dtype=torch.float64, device=batch.device) / 255.0
    return 16.0 + torch.einsum("nchw,c->nhw", batch.double(), weights)[:, None]


def to_hwc_arrays(batch: torch.Tensor) -> np.ndarray:
    """Nx3xHxW uint8 tensor → NxHxWx3 uint8 numpy (no copy on CPU)."""
    return batch.permute(0, 2, 3, 1).cpu().numpy()


def channel_view(image: np.ndarray, channel: Channel) -> np.ndarray:
    """HxWx3 uint8 → float64 [0, 255]: RGB (HxWx3) or BT.601 Y (HxW), the same formula as `rgb_to_y_bt601`."""
    rgb = image.astype(np.float64)
    if channel == "rgb":
        return rgb
    if channel == "y":
        return 16.0 + rgb @ (np.array([65.481, 128.553, 24.966]) / 255.0)
    raise ConfigError(f"unknown channel `{channel}`; choose rgb or y")
