"""The Real-ESRGAN second-order degradation pipeline (protocol §4).

Sampling is separate from application: `sample` returns a `RealESRGANParams` record (every sampled value, JSON
round trip via `to_dict`/`params_from_dict`), and `apply` regenerates the LQ from the GT and that record alone.
The numpy backend (`apply`) serves builders and data workers; `torch_backend` runs batches on any device.

Example:
    >>> import numpy as np
    >>> gt = np.full((512, 512, 3), 128, np.uint8)
    >>> degrade(gt, seed=0, index=0).lq.shape
    (128, 128, 3)
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from tipbench.degradations.base import DegradationResult, PipelineEntry
from tipbench.degradations.realesrgan.numpy_backend import degrade_float, quantize
from tipbench.degradations.realesrgan.params import DEFAULT_PARAMETER_SET, PARAMETER_SETS
from tipbench.degradations.realesrgan.record import NAME, RealESRGANParams
from tipbench.degradations.realesrgan.sampling import sample, sample_batch
from tipbench.degradations.realesrgan.usm import usm_sharpen
from tipbench.errors import ConfigError
from tipbench.images import as_rgb_uint8, to_float01
from tipbench.seeding import Stage, item_rng

__all__ = [
    "PARAMETER_SETS",
    "PIPELINE",
    "RealESRGANParams",
    "apply",
    "degrade",
    "params_from_dict",
    "sample",
    "sample_batch",
    "usm_sharpen",
]


def params_from_dict(data: dict[str, Any]) -> RealESRGANParams:
    """Rebuild a record from its `to_dict()` form (e.g. a manifest's JSON column)."""
    return RealESRGANParams.from_dict(data)


def apply(
    gt: np.ndarray,
    params: RealESRGANParams | dict[str, Any],
    *,
    noise: Sequence[np.ndarray | None] | None = None,
) -> DegradationResult:
    """Degrade `gt` with a record (numpy backend).

    Args:
        gt: HxWx3 uint8 RGB (or float in [0, 1], rounded to uint8 first), of the size the record was sampled for.
        params: a `RealESRGANParams` or its dict form.
        noise: optional (stage1, stage2) unit noise fields to inject instead of drawing them from `noise_seed`
            (see `numpy_backend.degrade_float`); used to compare backends on the same realisation.

    Returns:
        `DegradationResult` with the LQ (uint8, (H//scale)×(W//scale)×3) and the blind prompt.

    Raises:
        DegradationInputError: a GT that is not an RGB image or does not match the record's size.
        ConfigError: a malformed record or injected field.
    """
    if isinstance(params, dict):
        params = params_from_dict(params)
    if not isinstance(params, RealESRGANParams):
        raise ConfigError(f"`params` must be a RealESRGANParams or its dict, got {type(params).__name__}")
    image = to_float01(as_rgb_uint8(gt, name="gt"))
    lq, _ = degrade_float(image, params, noise=noise)
    return DegradationResult(
        lq=quantize(lq),
        restoration_prompt=params.restoration_prompt,
        restoration_prompt_type=params.restoration_prompt,
        params=params.to_dict(),
    )


def degrade(
    gt: np.ndarray, *, seed: int = 0, index: int = 0, param_set: str = DEFAULT_PARAMETER_SET, scale: int = 4
) -> DegradationResult:
    """Sample with the item's degradation generator (protocol §2, stage 2) for `gt`'s size, then apply."""
    image = as_rgb_uint8(gt, name="gt")
    params = sample(
        item_rng(seed, Stage.DEGRADATION, index), param_set=param_set, size=image.shape[:2], scale=scale
    )
    return apply(image, params)


PIPELINE = PipelineEntry(NAME, RealESRGANParams, sample, apply, degrade, params_from_dict)
