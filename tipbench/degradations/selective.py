"""The selective pipeline of `coco-selective` (issue 9, protocol §5): Gaussian blur and Gaussian noise both applied,
a prompt that names only one of them, and the *selective target* — the clean GT with only the unnamed degradation.

Draws: blur σ, noise σ (param-pipeline ranges, rounded before use) and the noise seed from the item's stage-2
generator; the named operation from its own stage-5 generator with p = 0.5. The LQ is blur → noise exactly as the
param pipeline applies them; the noise target reuses the exact noise realisation (same seed, same shape).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np

from tipbench.config import reject_unknown_keys
from tipbench.degradations import param_ops
from tipbench.degradations.base import DegradationResult, PipelineEntry
from tipbench.degradations.param import draw_value
from tipbench.errors import ConfigError
from tipbench.images import as_rgb_uint8, quantize, to_float01
from tipbench.prompts import RestorationOp
from tipbench.seeding import Stage, derived_seed, item_rng, rng_from_seed

NAME = "selective"
NAMED_PROBABILITY = 0.5  # probability that the prompt names the blur (else the noise)
NamedOp = Literal["blur", "noise"]


@dataclass(frozen=True)
class SelectiveDegradation:
    """Both applied operations and which one the restoration prompt names."""

    blur_sigma: float
    noise_sigma: float
    noise_seed: int
    named: NamedOp

    def __post_init__(self) -> None:
        if self.named not in ("blur", "noise"):
            raise ConfigError(f"`named` must be `blur` or `noise`, got {self.named!r}")
        RestorationOp("blur", self.blur_sigma)
        RestorationOp("noise", self.noise_sigma)

    def named_op(self) -> RestorationOp:
        value = self.blur_sigma if self.named == "blur" else self.noise_sigma
        return RestorationOp(self.named, value)

    @property
    def restoration_prompt(self) -> str:
        return self.named_op().phrase()

    @property
    def restoration_prompt_type(self) -> str:
        return self.named_op().type_only.phrase()

    def to_dict(self) -> dict[str, Any]:
        return {"pipeline": NAME, **asdict(self)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SelectiveDegradation:
        data = dict(data)
        if data.pop("pipeline", NAME) != NAME:
            raise ConfigError(f"not a `{NAME}` parameter record: {data!r}")
        reject_unknown_keys(cls, data, f"`{NAME}` parameter")
        return cls(**data)


@dataclass
class SelectiveResult(DegradationResult):
    """A `DegradationResult` plus the selective target (HxWx3 uint8, GT size)."""

    target: np.ndarray | None = None


def sample(degradation_rng: np.random.Generator, selective_rng: np.random.Generator) -> SelectiveDegradation:
    """Blur σ, noise σ, noise seed from `degradation_rng`; the named operation from `selective_rng`."""
    blur = draw_value(degradation_rng, "blur")  # never the no-op σ 0.2: a named blur must be there (protocol §3.4)
    noise = draw_value(degradation_rng, "noise")
    noise_seed = derived_seed(degradation_rng)
    named: NamedOp = "blur" if selective_rng.random() < NAMED_PROBABILITY else "noise"
    return SelectiveDegradation(blur, noise, noise_seed, named)


def apply(gt: np.ndarray, params: SelectiveDegradation | dict) -> SelectiveResult:
    """LQ = clip(blur(x) + σ·n) and the target (blur(x) when noise is named, clip(x + σ·n) when blur is named).

    >>> result = apply(np.full((16, 16, 3), 128, np.uint8), {"blur_sigma": 1.0, "noise_sigma": 0.1,
    ...                                                      "noise_seed": 1, "named": "noise"})
    >>> result.restoration_prompt, bool((result.target == 128).all())
    ('Denoise with sigma 0.10', True)
    """
    if isinstance(params, dict):
        params = SelectiveDegradation.from_dict(params)
    clean = to_float01(as_rgb_uint8(gt, name="gt"))
    noise = rng_from_seed(params.noise_seed).standard_normal(clean.shape, dtype=np.float32)
    blurred = param_ops.gaussian_blur(clean, params.blur_sigma)
    lq = param_ops.add_gaussian_noise(blurred, params.noise_sigma, noise)
    if params.named == "noise":
        target = blurred
    else:
        target = param_ops.add_gaussian_noise(clean.copy(), params.noise_sigma, noise)
    return SelectiveResult(
        lq=quantize(lq),
        restoration_prompt=params.restoration_prompt,
        restoration_prompt_type=params.restoration_prompt_type,
        params=params.to_dict(),
        target=quantize(target),
    )


def degrade(gt: np.ndarray, *, seed: int = 0, index: int = 0) -> SelectiveResult:
    """Sample with the item's stage-2 and stage-5 generators (protocol §2) and apply."""
    params = sample(item_rng(seed, Stage.DEGRADATION, index), item_rng(seed, Stage.SELECTIVE, index))
    return apply(gt, params)


PIPELINE = PipelineEntry(NAME, SelectiveDegradation, sample, apply, degrade, SelectiveDegradation.from_dict)
