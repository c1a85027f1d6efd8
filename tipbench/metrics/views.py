"""Per-image views derived from the one decoded uint8 array: the 299 FID input and the 224 CLIP input.

The FID view reuses clean-fid's own resizer (PIL float bicubic per channel, clipped, not re-quantised), so the
harness has "clean" semantics by construction; the CLIP view is open_clip's eval transform on a PIL image.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

FID_SIZE = (299, 299)


def make_fid_resizer() -> Callable[[np.ndarray], np.ndarray]:
    """clean-fid's `mode="clean"` resizer: HxWx3 uint8 → 299×299×3 float32 in [0, 255]."""
    from cleanfid.resize import make_resizer

    return make_resizer("PIL", False, "bicubic", FID_SIZE)


def fid_view(image: np.ndarray, resizer: Callable[[np.ndarray], np.ndarray]) -> torch.Tensor:
    """HxWx3 uint8 → 3×299×299 float32 tensor in [0, 255]."""
    return torch.from_numpy(np.ascontiguousarray(resizer(image).transpose(2, 0, 1)))


def clip_view(image: np.ndarray, preprocess: Callable) -> torch.Tensor:
    """HxWx3 uint8 → 3×224×224 normalised tensor through open_clip's eval transform."""
    from PIL import Image

    return preprocess(Image.fromarray(image))


def batch_views(images: torch.Tensor, fn: Callable[[np.ndarray], torch.Tensor]) -> torch.Tensor:
    """Apply a per-image view to an Nx3xHxW uint8 batch (used by the stateful classes outside the harness)."""
    arrays = images.permute(0, 2, 3, 1).cpu().numpy()
    return torch.stack([fn(array) for array in arrays])
