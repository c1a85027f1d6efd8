"""The two parameter sets of the Real-ESRGAN second-order pipeline (protocol §4.6), as frozen data.

`realesrgan-x4plus` follows Real-ESRGAN's `train_realesrgan_x4plus.yml` (and the hard-coded values in its dataset);
`stablesr` follows StableSR's `v2-finetune_text_T_512.yaml`. Numbers are copied here so nothing reads the specs at
run time. Both sets end with 8-bit rounding (half to even): StableSR's own code only clamps, but every LQ here is an
8-bit PNG (protocol §4), and no set uses USM in test-set mode.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from tipbench.errors import ConfigError

#: Kernel sizes drawn uniformly (hard-coded in the anchor; the yml `blur_kernel_size` keys are ignored).
KERNEL_SIZES: tuple[int, ...] = (7, 9, 11, 13, 15, 17, 19, 21)
#: Every kernel is zero-padded to this size (the anchor pads to 21×21).
PADDED_KERNEL_SIZE = 21
#: The six "mixed" kernel families and their weights (= Gaussian/generalized/plateau 0.7/0.15/0.15).
KERNEL_FAMILIES: tuple[str, ...] = (
    "iso",
    "aniso",
    "generalized_iso",
    "generalized_aniso",
    "plateau_iso",
    "plateau_aniso",
)
KERNEL_FAMILY_WEIGHTS: tuple[float, ...] = (0.45, 0.25, 0.12, 0.03, 0.12, 0.03)
#: Rotation range of anisotropic kernels.
ROTATION_RANGE = (-math.pi, math.pi)
#: Sinc cut-off ranges: small kernels (size < 13), large kernels, and the final sinc (any size).
SINC_OMEGA_SMALL = (math.pi / 3, math.pi)
SINC_OMEGA_LARGE = (math.pi / 5, math.pi)
SINC_OMEGA_FINAL = (math.pi / 3, math.pi)
SINC_SMALL_KERNEL_LIMIT = 13
#: Resize directions (in the order of the `resize_prob` lists) and interpolation modes (drawn uniformly).
RESIZE_DIRECTIONS: tuple[str, ...] = ("up", "down", "keep")
RESIZE_MODES: tuple[str, ...] = ("area", "bilinear", "bicubic")
NOISE_KINDS: tuple[str, ...] = ("gaussian", "poisson")
#: Final-block orders: A = resize → sinc → JPEG, B = JPEG → resize → sinc (p = 0.5 each).
FINAL_ORDERS: tuple[str, ...] = ("resize-sinc-jpeg", "jpeg-resize-sinc")
FINAL_ORDER_PROBABILITY = 0.5


@dataclass(frozen=True)
class KernelRanges:
    """Ranges of one blur stage's kernel."""

    sigma: tuple[float, float]
    beta_generalized: tuple[float, float]
    beta_plateau: tuple[float, float]
    sinc_probability: float


@dataclass(frozen=True)
class StageRanges:
    """Ranges of one resize + noise + JPEG stage."""

    resize_probabilities: tuple[float, float, float]  # up, down, keep
    resize_range: tuple[float, float]  # (lowest down-scale, highest up-scale)
    gaussian_probability: float
    gaussian_sigma: tuple[float, float]  # 0–255 units
    poisson_scale: tuple[float, float]
    gray_probability: float
    jpeg_quality: tuple[float, float]  # continuous, upper bound exclusive


@dataclass(frozen=True)
class ParameterSet:
    """Every probability and range of one Real-ESRGAN parameter set."""

    name: str
    kernel1: KernelRanges
    kernel2: KernelRanges
    final_sinc_probability: float
    stage1: StageRanges
    second_blur_probability: float
    stage2: StageRanges


PARAMETER_SETS: dict[str, ParameterSet] = {
    "realesrgan-x4plus": ParameterSet(
        name="realesrgan-x4plus",
        kernel1=KernelRanges(
            sigma=(0.2, 3.0), beta_generalized=(0.5, 4.0), beta_plateau=(1.0, 2.0), sinc_probability=0.1
        ),
        kernel2=KernelRanges(
            sigma=(0.2, 1.5), beta_generalized=(0.5, 4.0), beta_plateau=(1.0, 2.0), sinc_probability=0.1
        ),
        final_sinc_probability=0.8,
        stage1=StageRanges(
            resize_probabilities=(0.2, 0.7, 0.1),
            resize_range=(0.15, 1.5),
            gaussian_probability=0.5,
            gaussian_sigma=(1.0, 30.0),
            poisson_scale=(0.05, 3.0),
            gray_probability=0.4,
            jpeg_quality=(30.0, 95.0),
        ),
        second_blur_probability=0.8,
        stage2=StageRanges(
            resize_probabilities=(0.3, 0.4, 0.3),
            resize_range=(0.3, 1.2),
            gaussian_probability=0.5,
            gaussian_sigma=(1.0, 25.0),
            poisson_scale=(0.05, 2.5),
            gray_probability=0.4,
            jpeg_quality=(30.0, 95.0),
        ),
    ),
    "stablesr": ParameterSet(
        name="stablesr",
        kernel1=KernelRanges(
            sigma=(0.2, 1.5), beta_generalized=(0.5, 2.0), beta_plateau=(1.0, 1.5), sinc_probability=0.1
        ),
        kernel2=KernelRanges(
            sigma=(0.2, 1.0), beta_generalized=(0.5, 2.0), beta_plateau=(1.0, 1.5), sinc_probability=0.1
        ),
        final_sinc_probability=0.8,
        stage1=StageRanges(
            resize_probabilities=(0.2, 0.7, 0.1),
            resize_range=(0.3, 1.5),
            gaussian_probability=0.5,
            gaussian_sigma=(1.0, 15.0),
            poisson_scale=(0.05, 2.0),
            gray_probability=0.4,
            jpeg_quality=(60.0, 95.0),
        ),
        second_blur_probability=0.5,
        stage2=StageRanges(
            resize_probabilities=(0.3, 0.4, 0.3),
            resize_range=(0.6, 1.2),
            gaussian_probability=0.5,
            gaussian_sigma=(1.0, 12.0),
            poisson_scale=(0.05, 1.0),
            gray_probability=0.4,
            jpeg_quality=(60.0, 100.0),
        ),
    ),
}
DEFAULT_PARAMETER_SET = "realesrgan-x4plus"


def parameter_set(name: str) -> ParameterSet:
    """The parameter set called `name` (`realesrgan-x4plus` or `stablesr`)."""
    try:
        return PARAMETER_SETS[name]
    except KeyError:
        raise ConfigError(
            f"unknown Real-ESRGAN parameter set `{name}`; available: {', '.join(sorted(PARAMETER_SETS))}"
        ) from None
