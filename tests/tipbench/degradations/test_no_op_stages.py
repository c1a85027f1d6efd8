"""A stage whose rounded value does nothing is never applied or named (protocol §3.1, issue 13 point 7): its value is
drawn again, the on/off probability stays 0.5, and the drawn values still cover the protocol ranges."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tipbench.degradations import param_ops, selective
from tipbench.degradations.param import (
    BLUR_SIGMA_RANGE,
    DOWNSAMPLE_RANGE,
    JPEG_QUALITY_RANGE,
    NOISE_SIGMA_RANGE,
    ParamDegradation,
    apply,
    sample,
)
from tipbench.seeding import Stage, item_rng

DRAWS = 20_000
FIELDS = {"blur": "blur_sigma", "downsample": "downsample_factor", "noise": "noise_sigma", "jpeg": "jpeg_quality"}


def rounded_values(kind: str) -> list[float | int]:
    """Every value the stage's draw can produce after rounding, before the no-op rule."""
    if kind == "jpeg":
        return list(range(JPEG_QUALITY_RANGE[0], JPEG_QUALITY_RANGE[1] + 1))
    low, high = {"blur": BLUR_SIGMA_RANGE, "downsample": DOWNSAMPLE_RANGE, "noise": NOISE_SIGMA_RANGE}[kind]
    step, digits = (0.01, 2) if kind == "noise" else (0.1, 1)
    return [round(low + k * step, digits) for k in range(round((high - low) / step) + 1)]


def within_binomial(count: int, n: int, p: float, z: float = 5.0) -> bool:
    return abs(count - n * p) <= z * math.sqrt(n * p * (1 - p))


@pytest.mark.parametrize("kind", list(FIELDS))
def test_is_no_op_says_exactly_which_values_leave_an_image_unchanged(kind):
    """Applied alone to random 8-bit noise (the image a blur changes most), a value changes no byte iff `is_no_op`."""
    image = np.random.default_rng(7).integers(0, 256, (48, 48, 3), dtype=np.uint8)
    for value in rounded_values(kind):
        lq = apply(image, ParamDegradation(**{FIELDS[kind]: value}, **({"noise_seed": 1} if kind == "noise" else {}))).lq
        unchanged = lq.shape == image.shape and np.array_equal(lq, image)
        assert unchanged == param_ops.is_no_op(kind, value), (kind, value)
    assert [v for v in rounded_values(kind) if param_ops.is_no_op(kind, v)] == \
        {"blur": [0.2], "downsample": [1.0], "noise": [], "jpeg": []}[kind]


def check_draws(draws: int, training: bool, seed: int = 0) -> None:
    """`draws` parameter sets: no no-op stage named, each stage on at its rate, and, conditional on being on, every
    kept value of the range drawn, the blur and factor uniformly (the lowest kept value as likely as an inner one)."""
    on = dict.fromkeys(FIELDS, 0)
    values: dict[str, list] = {kind: [] for kind in FIELDS}
    for index in range(draws):
        params = sample(item_rng(seed, Stage.DEGRADATION, index), training=training)
        assert not any(param_ops.is_no_op(op.kind, op.value) for op in params.ops()), params
        assert "Upsample to 1.0x" not in params.restoration_prompt
        assert "Deblur with sigma 0.2" not in params.restoration_prompt
        for kind, field in FIELDS.items():
            if getattr(params, field) is not None:
                on[kind] += 1
                values[kind].append(getattr(params, field))
    # training keeps the all-off draw (p = 0.5 per stage); test splits redraw it (p = 0.5 / (1 - 1/16) = 8/15)
    rate = 0.5 if training else 8 / 15
    for kind, count in on.items():
        assert within_binomial(count, draws, rate), (kind, count / draws)
        kept = {v for v in rounded_values(kind) if not param_ops.is_no_op(kind, v)}
        if draws >= 10_000:  # enough draws to see each of the 76 JPEG qualities
            assert set(values[kind]) == kept, kind
        assert min(values[kind]) == min(kept) and max(values[kind]) == max(kept), kind
    for kind, lowest in (("blur", 0.3), ("downsample", 1.1)):
        drawn = values[kind]
        full_weight = len(rounded_values(kind)) - 2.5  # kept values: all full weight but the top one (half)
        assert within_binomial(drawn.count(lowest), len(drawn), 1 / full_weight), (kind, drawn.count(lowest))
        assert within_binomial(drawn.count(2.0), len(drawn), 1 / full_weight), kind


@pytest.mark.parametrize("training", [True, False])
def test_no_op_stage_is_never_named_and_each_stage_stays_on_half_the_time(training):
    check_draws(4_000, training)


@pytest.mark.slow
@pytest.mark.parametrize("training", [True, False])
def test_the_same_over_20000_draws(training):
    check_draws(DRAWS, training, seed=1)


def test_selective_never_names_a_blur_that_is_not_there():
    for index in range(2_000):
        params = selective.sample(item_rng(0, Stage.DEGRADATION, index), item_rng(0, Stage.SELECTIVE, index))
        assert not param_ops.is_no_op("blur", params.blur_sigma)
