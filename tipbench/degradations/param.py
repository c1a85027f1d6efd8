"""The paper's parameterized pipeline (protocol §3): blur → downsample → noise → JPEG, each on with p = 0.5.

Sampling is separate from application: `sample` returns a `ParamDegradation` (plain data, JSON round trip), and
`apply` regenerates the LQ from it alone — the noise realisation comes from the recorded `noise_seed`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from tipbench.config import reject_unknown_keys
from tipbench.degradations import param_ops
from tipbench.degradations.base import DegradationResult, PipelineEntry
from tipbench.errors import ConfigError
from tipbench.images import as_rgb_uint8, quantize, to_float01
from tipbench.prompts import RestorationOp, format_restoration_prompt
from tipbench.seeding import Stage, derived_seed, item_rng, rng_from_seed

NAME = "param"
STAGE_PROBABILITY = 0.5
BLUR_SIGMA_RANGE = (0.2, 4.0)
DOWNSAMPLE_RANGE = (1.0, 4.0)
NOISE_SIGMA_RANGE = (0.01, 0.25)
JPEG_QUALITY_RANGE = (20, 95)


@dataclass(frozen=True)
class ParamDegradation:
    """Parameters of one parameterized degradation; a None field means that stage is off."""

    blur_sigma: float | None = None
    downsample_factor: float | None = None
    noise_sigma: float | None = None
    jpeg_quality: int | None = None
    noise_seed: int | None = None

    def __post_init__(self) -> None:
        if (self.noise_sigma is None) != (self.noise_seed is None):
            raise ConfigError("`noise_sigma` and `noise_seed` must be given together")
        for op in self.ops():
            RestorationOp(op.kind, op.value)  # range checks

    def ops(self) -> tuple[RestorationOp, ...]:
        """The active operations, in pipeline order."""
        ops = []
        if self.blur_sigma is not None:
            ops.append(RestorationOp("blur", self.blur_sigma))
        if self.downsample_factor is not None:
            ops.append(RestorationOp("downsample", self.downsample_factor))
        if self.noise_sigma is not None:
            ops.append(RestorationOp("noise", self.noise_sigma))
        if self.jpeg_quality is not None:
            ops.append(RestorationOp("jpeg", self.jpeg_quality))
        return tuple(ops)

    @property
    def restoration_prompt(self) -> str:
        return format_restoration_prompt(self.ops())

    @property
    def restoration_prompt_type(self) -> str:
        return format_restoration_prompt(self.ops(), type_only=True)

    def to_dict(self) -> dict[str, Any]:
        return {"pipeline": NAME, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParamDegradation:
        data = dict(data)
        if data.pop("pipeline", NAME) != NAME:
            raise ConfigError(f"not a `{NAME}` parameter record: {data!r}")
        reject_unknown_keys(cls, data, f"`{NAME}` parameter")
        return cls(**data)


def draw_value(rng: np.random.Generator, kind: str) -> float | int:
    """One stage's value, rounded as it is used; a value whose rounded form is a no-op (`param_ops.is_no_op`: blur
    σ 0.2, factor 1.0) is drawn again from the same generator, so an applied stage always degrades and the prompt
    never names a stage that did nothing (protocol §3.1). The on/off probability is untouched by this."""
    while True:
        if kind == "blur":
            value: float | int = round(float(rng.uniform(*BLUR_SIGMA_RANGE)), 1)
        elif kind == "downsample":
            value = round(float(rng.uniform(*DOWNSAMPLE_RANGE)), 1)
        elif kind == "noise":
            value = round(float(rng.uniform(*NOISE_SIGMA_RANGE)), 2)
        else:
            value = int(rng.integers(JPEG_QUALITY_RANGE[0], JPEG_QUALITY_RANGE[1] + 1))
        if not param_ops.is_no_op(kind, value):
            return value


def sample(rng: np.random.Generator, *, training: bool = False) -> ParamDegradation:
    """Draw one parameter set. Draw order: 4 on/off uniforms (redrawn until one is on, unless `training`), then the
    value of each active stage in pipeline order (`draw_value`: rounded before use, a no-op value drawn again), then
    the noise seed if noise is on."""
    while True:
        mask = rng.random(4) < STAGE_PROBABILITY
        if training or mask.any():
            break
    blur, factor, noise, quality = (draw_value(rng, kind) if on else None
                                    for kind, on in zip(("blur", "downsample", "noise", "jpeg"), mask))
    noise_seed = derived_seed(rng) if noise is not None else None
    return ParamDegradation(blur, factor, noise, quality, noise_seed)


def noise_field(params: ParamDegradation, shape: tuple[int, ...]) -> np.ndarray | None:
    """The standard-normal noise realisation `apply` uses for an image of `shape` (after downsampling)."""
    if params.noise_seed is None:
        return None
    return rng_from_seed(params.noise_seed).standard_normal(shape, dtype=np.float32)


def apply(gt: np.ndarray, params: ParamDegradation | dict, *, noise: np.ndarray | None = None) -> DegradationResult:
    """Degrade `gt` (HxWx3 uint8 RGB, or float in [0, 1]) with `params`.

    Args:
        gt: the clean image.
        params: a `ParamDegradation` or its dict form.
        noise: optional standard-normal field to use instead of the one drawn from `noise_seed`.

    Returns:
        `DegradationResult` with the LQ (uint8, size round(H/s) when downsampled) and both prompts.
    """
    if isinstance(params, dict):
        params = ParamDegradation.from_dict(params)
    image = to_float01(as_rgb_uint8(gt, name="gt"))
    if params.blur_sigma is not None:
        image = param_ops.gaussian_blur(image, params.blur_sigma)
    if params.downsample_factor is not None:
        image = param_ops.bicubic_downsample(image, params.downsample_factor)
    if params.noise_sigma is not None:
        field = noise if noise is not None else noise_field(params, image.shape)
        if field.shape != image.shape:
            raise ConfigError(f"noise field shape {field.shape} does not match image {image.shape}")
        image = param_ops.add_gaussian_noise(image, params.noise_sigma, field, reuse_noise=noise is None)
    if params.jpeg_quality is not None:
        image = param_ops.jpeg_roundtrip(image, params.jpeg_quality)
    return DegradationResult(
        lq=quantize(image),
        restoration_prompt=params.restoration_prompt,
        restoration_prompt_type=params.restoration_prompt_type,
        params=params.to_dict(),
    )


def degrade(gt: np.ndarray, *, seed: int = 0, index: int = 0, training: bool = False) -> DegradationResult:
    """Sample with the item's degradation generator (protocol §2 stage 2) and apply."""
    return apply(gt, sample(item_rng(seed, Stage.DEGRADATION, index), training=training))


PIPELINE = PipelineEntry(NAME, ParamDegradation, sample, apply, degrade, ParamDegradation.from_dict)
