"""The parameter record of one Real-ESRGAN degradation: every sampled value, JSON round trip, exact regeneration.

A record plus the GT regenerates the LQ bit for bit: the only randomness left at application time is the noise
realisation, which comes from the recorded `noise_seed`.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from tipbench.config import reject_unknown_keys
from tipbench.degradations.realesrgan.params import (
    FINAL_ORDERS,
    KERNEL_FAMILIES,
    KERNEL_SIZES,
    NOISE_KINDS,
    PADDED_KERNEL_SIZE,
    PARAMETER_SETS,
    RESIZE_DIRECTIONS,
    RESIZE_MODES,
)
from tipbench.errors import ConfigError
from tipbench.prompts import BLIND_PROMPT

NAME = "realesrgan"
KERNEL_KINDS: tuple[str, ...] = (*KERNEL_FAMILIES, "sinc", "delta")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigError(message)


def _positive(value: float | None, name: str) -> None:
    _require(
        value is not None and math.isfinite(value) and value > 0,
        f"`{name}` must be a positive number, got {value!r}",
    )


@dataclass(frozen=True)
class KernelParams:
    """One blur kernel: a mixed family (σx, σy, θ, [β]), a sinc (ω_c) or the 21×21 delta (no-op)."""

    kind: str
    size: int
    sigma_x: float | None = None
    sigma_y: float | None = None
    theta: float | None = None
    beta: float | None = None
    omega: float | None = None

    def __post_init__(self) -> None:
        _require(
            self.kind in KERNEL_KINDS, f"kernel kind `{self.kind}` unknown; valid: {', '.join(KERNEL_KINDS)}"
        )
        valid_sizes = (PADDED_KERNEL_SIZE,) if self.kind == "delta" else KERNEL_SIZES
        _require(
            self.size in valid_sizes,
            f"kernel size {self.size!r} invalid for `{self.kind}`; valid: {valid_sizes}",
        )
        if self.kind == "sinc":
            _positive(self.omega, "omega")
            _require(self.omega <= math.pi, f"`omega` must be ≤ π, got {self.omega}")
        elif self.kind != "delta":
            _positive(self.sigma_x, "sigma_x")
            _positive(self.sigma_y, "sigma_y")
            _require(self.theta is not None and math.isfinite(self.theta), "`theta` must be a finite number")
            if self.kind.startswith(("generalized", "plateau")):
                _positive(self.beta, "beta")
            if self.kind.endswith("iso") and not self.kind.endswith("aniso"):
                _require(
                    self.sigma_y == self.sigma_x and self.theta == 0,
                    f"isotropic kernel `{self.kind}` needs sigma_y == sigma_x and theta == 0",
                )


@dataclass(frozen=True)
class ResizeParams:
    """One random resize: direction (up/down/keep), scale factor and interpolation mode."""

    direction: str
    scale: float
    mode: str

    def __post_init__(self) -> None:
        _require(self.direction in RESIZE_DIRECTIONS, f"resize direction `{self.direction}` unknown")
        _require(
            self.mode in RESIZE_MODES, f"resize mode `{self.mode}` unknown; valid: {', '.join(RESIZE_MODES)}"
        )
        _positive(self.scale, "scale")


@dataclass(frozen=True)
class NoiseParams:
    """One noise step: Gaussian (σ in 0–255 units) or Poisson (scale), colour or gray."""

    kind: str
    gray: bool
    sigma: float | None = None
    scale: float | None = None

    def __post_init__(self) -> None:
        _require(
            self.kind in NOISE_KINDS, f"noise kind `{self.kind}` unknown; valid: {', '.join(NOISE_KINDS)}"
        )
        _require(isinstance(self.gray, bool), f"`gray` must be a bool, got {self.gray!r}")
        _positive(
            self.sigma if self.kind == "gaussian" else self.scale,
            "sigma" if self.kind == "gaussian" else "scale",
        )

    @property
    def strength(self) -> float:
        """The factor on the unit noise field: σ/255 (Gaussian) or the Poisson scale."""
        return self.sigma / 255.0 if self.kind == "gaussian" else self.scale


def _check_quality(quality: float, name: str) -> None:
    _require(
        isinstance(quality, (int, float)) and 0 < quality < 100,
        f"`{name}` must lie in (0, 100) (the float JPEG divides by the quality factor), got {quality!r}",
    )


@dataclass(frozen=True)
class RealESRGANParams:
    """Every value sampled for one Real-ESRGAN second-order degradation (protocol §4).

    `kernel2` is always sampled (as the anchor does) but applied only when `second_blur` is True. `final_kernel`
    is a sinc or the delta (no-op). Sizes follow from `input_size` and `scale_factor` (see `stage_sizes`).
    """

    param_set: str
    input_size: tuple[int, int]
    scale_factor: int
    kernel1: KernelParams
    resize1: ResizeParams
    noise1: NoiseParams
    jpeg1_quality: float
    second_blur: bool
    kernel2: KernelParams
    resize2: ResizeParams
    noise2: NoiseParams
    final_order: str
    final_kernel: KernelParams
    final_resize_mode: str
    jpeg2_quality: float
    noise_seed: int

    def __post_init__(self) -> None:
        _require(self.param_set in PARAMETER_SETS, f"unknown parameter set `{self.param_set}`")
        _require(
            len(self.input_size) == 2 and all(isinstance(v, int) and v > 0 for v in self.input_size),
            f"`input_size` must be two positive ints, got {self.input_size!r}",
        )
        _require(
            isinstance(self.scale_factor, int) and self.scale_factor >= 1, "`scale_factor` must be an int ≥ 1"
        )
        _require(self.final_order in FINAL_ORDERS, f"`final_order` must be one of {FINAL_ORDERS}")
        _require(self.final_kernel.kind in ("sinc", "delta"), "`final_kernel` must be a sinc or the delta")
        _require(self.final_resize_mode in RESIZE_MODES, f"`final_resize_mode` must be one of {RESIZE_MODES}")
        _require(isinstance(self.second_blur, bool), "`second_blur` must be a bool")
        _require(isinstance(self.noise_seed, int) and self.noise_seed >= 0, "`noise_seed` must be an int ≥ 0")
        _check_quality(self.jpeg1_quality, "jpeg1_quality")
        _check_quality(self.jpeg2_quality, "jpeg2_quality")

    @property
    def restoration_prompt(self) -> str:
        return BLIND_PROMPT

    def stage_sizes(self) -> tuple[tuple[int, int], tuple[int, int], tuple[int, int]]:
        """(height, width) after the stage-1 resize, the stage-2 resize, and the final LQ.

        Stage 1 uses torch's scale-factor rule floor(side·s); stage 2 int(side/scale·s); the LQ side//scale.
        """
        h, w = self.input_size
        s1, s2, k = self.resize1.scale, self.resize2.scale, self.scale_factor
        size1 = (math.floor(float(h) * s1), math.floor(float(w) * s1))
        size2 = (int(h / k * s2), int(w / k * s2))
        return size1, size2, (h // k, w // k)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["input_size"] = list(self.input_size)
        return {"pipeline": NAME, **data}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RealESRGANParams:
        if not isinstance(data, dict):
            raise ConfigError(f"a `{NAME}` parameter record must be a dict, got {type(data).__name__}")
        data = dict(data)
        if data.pop("pipeline", NAME) != NAME:
            raise ConfigError(f"not a `{NAME}` parameter record: {data!r}")
        nested = {
            "kernel1": KernelParams,
            "kernel2": KernelParams,
            "final_kernel": KernelParams,
            "resize1": ResizeParams,
            "resize2": ResizeParams,
            "noise1": NoiseParams,
            "noise2": NoiseParams,
        }
        _reject_unknown(cls, data)
        try:
            for key, record_type in nested.items():
                _reject_unknown(record_type, data[key], key)
                data[key] = record_type(**data[key])
            data["input_size"] = tuple(data["input_size"])
            return cls(**data)
        except (KeyError, TypeError) as error:
            raise ConfigError(f"incomplete or malformed `{NAME}` parameter record: {error}") from None


def _reject_unknown(record_type: type, data: Any, where: str = "") -> None:
    reject_unknown_keys(record_type, data, f"`{where or NAME}` record")
