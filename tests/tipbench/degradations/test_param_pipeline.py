"""Parameterized pipeline (protocol §3): sampling statistics, exact regeneration, sizes, prompts, bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import textured_image
from tipbench import degrade, parse_restoration_prompt
from tipbench.degradations import param
from tipbench.errors import DegradationInputError
from tipbench.seeding import Stage, item_rng

N_SAMPLES = 20_000


def _binomial_ok(count: int, n: int, p: float, z: float = 4.5) -> bool:
    return abs(count - n * p) <= z * np.sqrt(n * p * (1 - p))


@pytest.fixture(scope="module")
def test_draws():
    return [param.sample(item_rng(0, Stage.DEGRADATION, i)) for i in range(N_SAMPLES)]


@pytest.fixture(scope="module")
def train_draws():
    return [param.sample(item_rng(1, Stage.DEGRADATION, i), training=True) for i in range(N_SAMPLES)]


def test_training_stage_rates_are_one_half(train_draws):
    for field in ("blur_sigma", "downsample_factor", "noise_sigma", "jpeg_quality"):
        on = sum(getattr(p, field) is not None for p in train_draws)
        assert _binomial_ok(on, N_SAMPLES, 0.5), (field, on)
    all_off = sum(not p.ops() for p in train_draws)
    assert _binomial_ok(all_off, N_SAMPLES, 1 / 16)


def test_test_mode_redraws_until_one_stage_is_on(test_draws):
    assert all(p.ops() for p in test_draws)
    for field in ("blur_sigma", "downsample_factor", "noise_sigma", "jpeg_quality"):
        on = sum(getattr(p, field) is not None for p in test_draws)
        assert _binomial_ok(on, N_SAMPLES, 0.5 / (1 - 1 / 16)), (field, on)  # P(on | not all off) = 8/15


def test_values_in_range_and_on_grid(test_draws):
    blur = np.array([p.blur_sigma for p in test_draws if p.blur_sigma is not None])
    factor = np.array([p.downsample_factor for p in test_draws if p.downsample_factor is not None])
    noise = np.array([p.noise_sigma for p in test_draws if p.noise_sigma is not None])
    quality = np.array([p.jpeg_quality for p in test_draws if p.jpeg_quality is not None])
    assert blur.min() >= 0.2 and blur.max() <= 4.0 and np.allclose(blur * 10, np.round(blur * 10))
    assert factor.min() >= 1.0 and factor.max() <= 4.0 and np.allclose(factor * 10, np.round(factor * 10))
    assert noise.min() >= 0.01 and noise.max() <= 0.25 and np.allclose(noise * 100, np.round(noise * 100))
    assert quality.min() == 20 and quality.max() == 95 and quality.dtype.kind == "i"
    # uniform: each JPEG quality appears about n/76 times; the blur grid's interior points about equally often
    counts = np.bincount(quality - 20, minlength=76)
    assert _binomial_ok(int(counts.max()), len(quality), 1 / 76, z=5) and _binomial_ok(int(counts.min()), len(quality), 1 / 76, z=5)
    assert abs(np.mean(blur) - 2.1) < 0.05 and abs(np.mean(noise) - 0.13) < 0.003


def test_prompt_states_exactly_what_was_applied(test_draws):
    for p in test_draws[:2000]:
        assert parse_restoration_prompt(p.restoration_prompt) == p.ops()
        assert parse_restoration_prompt(p.restoration_prompt_type) == tuple(op.type_only for op in p.ops())


def test_lq_size_is_round_512_over_factor(image512):
    for factor in (1.0, 1.3, 2.5, 3.3, 4.0):
        result = param.apply(image512, param.ParamDegradation(downsample_factor=factor))
        assert result.lq.shape == (round(512 / factor), round(512 / factor), 3)
        assert result.restoration_prompt == f"Upsample to {factor:.1f}x"


def test_params_dict_regenerates_identical_lq(image512):
    for index in range(8):
        result = degrade(image512, "param", seed=5, index=index)
        record = json.loads(json.dumps(result.params))
        again = param.apply(image512, record)
        assert np.array_equal(again.lq, result.lq)
        assert again.restoration_prompt == result.restoration_prompt


def test_injected_noise_replaces_drawn_noise(image512):
    params = param.ParamDegradation(noise_sigma=0.1, noise_seed=123)
    zero = param.apply(image512, params, noise=np.zeros((512, 512, 3), np.float32)).lq
    assert np.array_equal(zero, image512)
    drawn = param.apply(image512, params).lq
    measured = (drawn.astype(float) - image512)[50:450, 50:450].std() / 255
    assert 0.08 < measured < 0.11


def test_each_operation_changes_the_image_as_expected(image512):
    blurred = param.apply(image512, param.ParamDegradation(blur_sigma=3.0)).lq
    assert np.abs(np.diff(blurred.astype(float), axis=1)).mean() < 0.6 * np.abs(np.diff(image512.astype(float), axis=1)).mean()
    jpeg = param.apply(image512, param.ParamDegradation(jpeg_quality=20)).lq
    assert 0 < np.abs(jpeg.astype(float) - image512).mean() < 10


def test_different_index_gives_different_draws():
    assert param.sample(item_rng(0, Stage.DEGRADATION, 0)) != param.sample(item_rng(0, Stage.DEGRADATION, 1))


def _lq_hash_in_fresh_process(seed: int, index: int) -> str:
    code = (
        "import hashlib, sys; from tests.conftest import textured_image; from tipbench import degrade; "
        f"r = degrade(textured_image(256), 'param', seed={seed}, index={index}); "
        "sys.stdout.write(hashlib.sha256(r.lq.tobytes()).hexdigest())"
    )
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout


def test_byte_identical_across_fresh_processes():
    first = _lq_hash_in_fresh_process(0, 3)
    assert first == _lq_hash_in_fresh_process(0, 3)
    assert first != _lq_hash_in_fresh_process(0, 4)


BAD_INPUTS = [
    (np.zeros((64, 64, 3), np.int16), "dtype"),
    (np.zeros((64, 64), np.uint8), "2-D"),
    (np.zeros((64, 64, 4), np.uint8), "RGBA"),
    (np.zeros((0, 64, 3), np.uint8), "empty"),
    (np.full((64, 64, 3), np.nan, np.float32), "NaN"),
    (np.full((64, 64, 3), 2.0, np.float32), r"\[0, 1\]"),
    ([[1, 2, 3]], "numpy array"),
]


@pytest.mark.parametrize("image, message", BAD_INPUTS)
def test_bad_input_is_a_clear_error(image, message):
    with pytest.raises(DegradationInputError, match=message):
        param.degrade(image)


def test_float_input_is_rounded_documented_conversion():
    as_float = textured_image(64).astype(np.float64) / 255
    params = param.ParamDegradation(blur_sigma=1.0)
    assert np.array_equal(param.apply(as_float, params).lq, param.apply(textured_image(64), params).lq)


def test_inconsistent_params_rejected():
    with pytest.raises(ValueError):
        param.ParamDegradation(noise_sigma=0.1)
    with pytest.raises(ValueError, match="unknown `param` parameter key"):
        param.ParamDegradation.from_dict({"pipeline": "param", "blur": 1.0})
