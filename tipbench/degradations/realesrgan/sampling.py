"""Sampling of Real-ESRGAN parameters, separate from application (protocol §4.1–4.4, §4.6).

Test-set mode (`sample`): every decision the anchor makes per batch is drawn per image. Draw order (one numpy
Generator): kernel1, kernel2, final kernel, resize1, noise1, jpeg1, second blur, resize2, noise2, final order,
then the final block's resize mode and JPEG quality in the order of that branch, then the noise seed.

Training mode (`sample_batch(..., training=True)`): the batch-level decisions (resize direction/scale/mode in
both stages, Gaussian-vs-Poisson in both stages, second blur on/off, final order, final resize mode) are drawn once
for the batch, exactly where the anchor shares them; everything else stays per sample.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from tipbench.degradations.realesrgan.params import (
    DEFAULT_PARAMETER_SET,
    FINAL_ORDER_PROBABILITY,
    FINAL_ORDERS,
    KERNEL_FAMILIES,
    KERNEL_FAMILY_WEIGHTS,
    KERNEL_SIZES,
    NOISE_KINDS,
    RESIZE_DIRECTIONS,
    RESIZE_MODES,
    ROTATION_RANGE,
    SINC_OMEGA_FINAL,
    SINC_OMEGA_LARGE,
    SINC_OMEGA_SMALL,
    SINC_SMALL_KERNEL_LIMIT,
    KernelRanges,
    StageRanges,
    parameter_set,
)
from tipbench.degradations.realesrgan.record import KernelParams, NoiseParams, RealESRGANParams, ResizeParams
from tipbench.errors import ConfigError
from tipbench.seeding import derived_seed

__all__ = ["RealESRGANParams", "sample", "sample_batch", "sample_kernel"]


def _uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    return float(rng.uniform(bounds[0], bounds[1]))


def _weighted_index(rng: np.random.Generator, cdf: np.ndarray) -> int:
    """What `rng.choice(len(p), p=p)` returns (same single uniform draw, same normalised CDF), without its checks."""
    return int(cdf.searchsorted(rng.random(), side="right"))


def _cdf(weights: tuple[float, ...]) -> np.ndarray:
    cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
    return cdf / cdf[-1]


_FAMILY_CDF = _cdf(KERNEL_FAMILY_WEIGHTS)


def _size(rng: np.random.Generator) -> int:
    return KERNEL_SIZES[int(rng.integers(len(KERNEL_SIZES)))]


def sample_kernel(rng: np.random.Generator, ranges: KernelRanges) -> KernelParams:
    """Size, then sinc (p = sinc_probability) with ω_c, else a mixed family with σx, [σy, θ], [β-split, β]."""
    size = _size(rng)
    if rng.random() < ranges.sinc_probability:
        omega = _uniform(rng, SINC_OMEGA_SMALL if size < SINC_SMALL_KERNEL_LIMIT else SINC_OMEGA_LARGE)
        return KernelParams("sinc", size, omega=omega)
    kind = KERNEL_FAMILIES[_weighted_index(rng, _FAMILY_CDF)]
    sigma_x = _uniform(rng, ranges.sigma)
    sigma_y, theta = sigma_x, 0.0
    if kind.endswith("aniso"):
        sigma_y = _uniform(rng, ranges.sigma)  # independent of σx, as in the anchor
        theta = _uniform(rng, ROTATION_RANGE)
    beta = None
    if kind.startswith(("generalized", "plateau")):
        low, high = ranges.beta_generalized if kind.startswith("generalized") else ranges.beta_plateau
        # the anchor's split: half the time U(low, 1), else U(1, high); for plateau low = 1 so β is exactly 1
        beta = _uniform(rng, (low, 1.0)) if rng.random() < 0.5 else _uniform(rng, (1.0, high))
    return KernelParams(kind, size, sigma_x, sigma_y, theta, beta)


def sample_final_kernel(rng: np.random.Generator, probability: float) -> KernelParams:
    """Final sinc with p = 0.8 (size draw, ω_c ~ U(π/3, π) whatever the size), else the 21×21 delta."""
    if rng.random() < probability:
        size = _size(rng)
        return KernelParams("sinc", size, omega=_uniform(rng, SINC_OMEGA_FINAL))
    return KernelParams("delta", 21)


def sample_resize(rng: np.random.Generator, stage: StageRanges) -> ResizeParams:
    """Direction by `resize_probabilities`; up → U(1, hi), down → U(lo, 1), keep → 1; mode uniform of three."""
    direction = RESIZE_DIRECTIONS[_weighted_index(rng, _cdf(stage.resize_probabilities))]
    low, high = stage.resize_range
    scale = (
        _uniform(rng, (1.0, high))
        if direction == "up"
        else _uniform(rng, (low, 1.0))
        if direction == "down"
        else 1.0
    )
    return ResizeParams(direction, scale, _mode(rng))


def _mode(rng: np.random.Generator) -> str:
    return RESIZE_MODES[int(rng.integers(len(RESIZE_MODES)))]


def _noise_kind(rng: np.random.Generator, stage: StageRanges) -> str:
    return NOISE_KINDS[0] if rng.random() < stage.gaussian_probability else NOISE_KINDS[1]


def sample_noise(rng: np.random.Generator, stage: StageRanges, kind: str | None = None) -> NoiseParams:
    """Kind (unless given: Gaussian with p = gaussian_probability), its strength, then the gray flag."""
    kind = kind or _noise_kind(rng, stage)
    if kind == "gaussian":
        sigma = _uniform(rng, stage.gaussian_sigma)
        return NoiseParams(kind, bool(rng.random() < stage.gray_probability), sigma=sigma)
    scale = _uniform(rng, stage.poisson_scale)
    return NoiseParams(kind, bool(rng.random() < stage.gray_probability), scale=scale)


def _final_order(rng: np.random.Generator) -> str:
    return FINAL_ORDERS[0] if rng.random() < FINAL_ORDER_PROBABILITY else FINAL_ORDERS[1]


def _check_geometry(size: tuple[int, int], scale: int) -> tuple[int, int]:
    if len(size) != 2 or any(not isinstance(v, (int, np.integer)) or v <= 0 for v in size):
        raise ConfigError(f"`size` must be (height, width) positive ints, got {size!r}")
    if not isinstance(scale, (int, np.integer)) or scale < 1:
        raise ConfigError(f"`scale` must be an int ≥ 1, got {scale!r}")
    return int(size[0]), int(size[1])


def sample(
    rng: np.random.Generator,
    *,
    param_set: str = DEFAULT_PARAMETER_SET,
    size: tuple[int, int] = (512, 512),
    scale: int = 4,
) -> RealESRGANParams:
    """Draw one parameter record in test-set mode (every decision per image).

    Args:
        rng: the item's generator (protocol §2, stage 2 = degradation).
        param_set: `realesrgan-x4plus` or `stablesr`.
        size: (height, width) of the GT the record will be applied to.
        scale: the overall down-scale (LQ side = side // scale).

    Example:
        >>> p = sample(np.random.default_rng(0))
        >>> p.stage_sizes()[2]
        (128, 128)
    """
    ranges = parameter_set(param_set)
    size = _check_geometry(size, scale)
    kernel1 = sample_kernel(rng, ranges.kernel1)
    kernel2 = sample_kernel(rng, ranges.kernel2)
    final_kernel = sample_final_kernel(rng, ranges.final_sinc_probability)
    resize1 = sample_resize(rng, ranges.stage1)
    noise1 = sample_noise(rng, ranges.stage1)
    jpeg1 = _uniform(rng, ranges.stage1.jpeg_quality)
    second_blur = bool(rng.random() < ranges.second_blur_probability)
    resize2 = sample_resize(rng, ranges.stage2)
    noise2 = sample_noise(rng, ranges.stage2)
    order = _final_order(rng)
    if order == FINAL_ORDERS[0]:
        final_mode, jpeg2 = _mode(rng), _uniform(rng, ranges.stage2.jpeg_quality)
    else:
        jpeg2, final_mode = _uniform(rng, ranges.stage2.jpeg_quality), _mode(rng)
    return RealESRGANParams(
        param_set=ranges.name,
        input_size=size,
        scale_factor=int(scale),
        kernel1=kernel1,
        resize1=resize1,
        noise1=noise1,
        jpeg1_quality=jpeg1,
        second_blur=second_blur,
        kernel2=kernel2,
        resize2=resize2,
        noise2=noise2,
        final_order=order,
        final_kernel=final_kernel,
        final_resize_mode=final_mode,
        jpeg2_quality=jpeg2,
        noise_seed=derived_seed(rng),
    )


@dataclass(frozen=True)
class _BatchDecisions:
    resize1: ResizeParams
    noise1_kind: str
    second_blur: bool
    resize2: ResizeParams
    noise2_kind: str
    final_order: str
    final_resize_mode: str


def sample_batch(
    rng: np.random.Generator,
    batch_size: int,
    *,
    param_set: str = DEFAULT_PARAMETER_SET,
    size: tuple[int, int] = (512, 512),
    scale: int = 4,
    training: bool = False,
) -> list[RealESRGANParams]:
    """`batch_size` records; per image (`training=False`) or with the anchor's per-batch decisions shared.

    Shared records have one tensor shape at every stage, so the torch backend runs them as one batch.
    """
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ConfigError(f"`batch_size` must be a positive int, got {batch_size!r}")
    if not training:
        return [sample(rng, param_set=param_set, size=size, scale=scale) for _ in range(batch_size)]
    ranges = parameter_set(param_set)
    shared = _BatchDecisions(
        resize1=sample_resize(rng, ranges.stage1),
        noise1_kind=_noise_kind(rng, ranges.stage1),
        second_blur=bool(rng.random() < ranges.second_blur_probability),
        resize2=sample_resize(rng, ranges.stage2),
        noise2_kind=_noise_kind(rng, ranges.stage2),
        final_order=_final_order(rng),
        final_resize_mode=_mode(rng),
    )
    records = []
    for _ in range(batch_size):
        record = sample(rng, param_set=param_set, size=size, scale=scale)
        records.append(
            replace(
                record,
                resize1=shared.resize1,
                noise1=sample_noise(rng, ranges.stage1, shared.noise1_kind),
                second_blur=shared.second_blur,
                resize2=shared.resize2,
                noise2=sample_noise(rng, ranges.stage2, shared.noise2_kind),
                final_order=shared.final_order,
                final_resize_mode=shared.final_resize_mode,
            )
        )
    return records
