"""Apply a Real-ESRGAN record to one image with numpy/OpenCV (the builders' and data workers' backend).

Everything stays float32 in [0, 1] (values may overshoot between stages, as in the anchor) and is rounded to
8 bits only at the end, half to even (protocol §4.1 step 4).
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from tipbench.degradations.realesrgan import noise as noise_ops
from tipbench.degradations.realesrgan.diffjpeg import diff_jpeg
from tipbench.degradations.realesrgan.kernels import make_kernel, separable_factor
from tipbench.degradations.realesrgan.params import FINAL_ORDERS
from tipbench.degradations.realesrgan.record import KernelParams, NoiseParams, RealESRGANParams
from tipbench.degradations.realesrgan.resize import resize_by_scale, resize_to_size
from tipbench.errors import ConfigError, DegradationInputError
from tipbench.seeding import rng_from_seed

#: Every intermediate side must exceed the 21×21 kernel's reflect padding of 10 px.
MIN_STAGE_SIDE = 11


def blur(image: np.ndarray, kernel: KernelParams) -> np.ndarray:
    """filter2D with reflect-101 borders (= torch 'reflect' padding by 10 + conv2d with the 21×21 kernel).

    The zero padding to 21×21 changes nothing, so the k×k kernel is used; isotropic Gaussians run as two exact
    1-D passes. The delta kernel returns the image unchanged.
    """
    if kernel.kind == "delta":
        return image
    factor = separable_factor(kernel)
    if factor is not None:
        return cv2.sepFilter2D(image, -1, factor, factor, borderType=cv2.BORDER_REFLECT_101)
    return cv2.filter2D(image, -1, make_kernel(kernel, padded=False), borderType=cv2.BORDER_REFLECT_101)


def unit_noise(rng: np.random.Generator, image: np.ndarray, params: NoiseParams) -> np.ndarray:
    """Draw the unit noise field for `image` (Gaussian N(0,1) or Poisson, colour or gray) from `rng`."""
    if params.kind == "gaussian":
        return noise_ops.gaussian_unit_noise(rng, image.shape[:2], params.gray)
    return noise_ops.poisson_unit_noise(rng, image, params.gray)


def _check_injected(field: np.ndarray, image: np.ndarray, params: NoiseParams, stage: int) -> np.ndarray:
    expected = image.shape[:2] if params.gray else image.shape
    if not isinstance(field, np.ndarray) or field.shape != expected:
        got = getattr(field, "shape", type(field).__name__)
        raise ConfigError(f"injected noise for stage {stage} must have shape {expected}, got {got}")
    return field.astype(np.float32, copy=False)


def check_geometry(gt_shape: tuple[int, ...], params: RealESRGANParams) -> None:
    """Raise `DegradationInputError` if `gt_shape` does not match the record or a stage would be too small."""
    if tuple(gt_shape[:2]) != tuple(params.input_size):
        raise DegradationInputError(
            f"`gt` is {gt_shape[0]}x{gt_shape[1]} but the parameters were sampled for "
            f"{params.input_size[0]}x{params.input_size[1]}; sample with size={tuple(gt_shape[:2])}"
        )
    smallest = min(min(size) for size in params.stage_sizes())
    if smallest < MIN_STAGE_SIDE:
        raise DegradationInputError(
            f"`gt` of {gt_shape[0]}x{gt_shape[1]} shrinks to {smallest} px at some stage (needs ≥ {MIN_STAGE_SIDE});"
            " use a larger image (the protocol uses 512x512)"
        )


def degrade_float(
    image: np.ndarray,
    params: RealESRGANParams,
    *,
    noise: Sequence[np.ndarray | None] | None = None,
) -> tuple[np.ndarray, tuple[np.ndarray, np.ndarray]]:
    """Run the pipeline on an HxWx3 float32 image in [0, 1]; return the unrounded LQ and the unit noise used.

    Args:
        image: the GT as float32 HxWx3.
        params: the record.
        noise: optional (stage1, stage2) unit noise fields to use instead of drawing from `noise_seed`
            (HxW for gray, HxWx3 for colour, at that stage's size; None entries are drawn).

    Returns:
        (LQ float32 h×w×3, may overshoot [0, 1] after a final sinc), (stage-1 field, stage-2 field).
    """
    check_geometry(image.shape, params)
    injected = list(noise) if noise is not None else [None, None]
    if len(injected) != 2:
        raise ConfigError("`noise` must be a pair (stage1, stage2) of unit noise fields or None")
    rng = rng_from_seed(params.noise_seed)
    _, size2, final_size = params.stage_sizes()
    fields: list[np.ndarray] = []

    def noisy(x: np.ndarray, noise_params: NoiseParams, stage: int) -> np.ndarray:
        # draws are consumed in stage order from one generator, so an injected stage-1 field shifts nothing else
        field = unit_noise(rng, x, noise_params) if injected[stage - 1] is None else None
        if field is None:
            field = _check_injected(injected[stage - 1], x, noise_params, stage)
        fields.append(field)
        return noise_ops.add_noise(x, field, noise_params.strength)

    # first order: blur → resize (scale factor) → noise → JPEG
    x = blur(image, params.kernel1)
    x = resize_by_scale(x, params.resize1.scale, params.resize1.mode)
    x = noisy(x, params.noise1, 1)
    x = diff_jpeg(x, params.jpeg1_quality)  # noise already clipped to [0, 1]
    # second order: [blur] → resize (size) → noise
    if params.second_blur:
        x = blur(x, params.kernel2)
    x = resize_to_size(x, size2, params.resize2.mode)
    x = noisy(x, params.noise2, 2)
    # final block in one of two orders
    if params.final_order == FINAL_ORDERS[0]:
        x = resize_to_size(x, final_size, params.final_resize_mode)
        x = blur(x, params.final_kernel)
        x = diff_jpeg(np.clip(x, 0.0, 1.0), params.jpeg2_quality)
    else:
        x = diff_jpeg(x, params.jpeg2_quality)
        x = resize_to_size(x, final_size, params.final_resize_mode)
        x = blur(x, params.final_kernel)
    return x, (fields[0], fields[1])


def quantize(image: np.ndarray) -> np.ndarray:
    """clamp to [0, 1], ×255, round half to even → uint8 (the only rounding in the pipeline)."""
    return np.rint(np.clip(image, 0.0, 1.0) * np.float32(255.0)).astype(np.uint8)
