"""Real-ESRGAN pipeline end to end (numpy backend): sizes, exact regeneration, determinism across processes,
noise injection, both final orders, bad input, registry and top-level exports."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys

import numpy as np
import pytest

import tipbench
from tests.conftest import textured_image
from tipbench.degradations import DEGRADATIONS
from tipbench.degradations import realesrgan as resr
from tipbench.degradations.realesrgan.numpy_backend import degrade_float
from tipbench.errors import DegradationInputError
from tipbench.images import to_float01
from tipbench.seeding import Stage, item_rng


@pytest.mark.parametrize("param_set", ["realesrgan-x4plus", "stablesr"])
def test_512_gives_128_uint8_with_the_blind_prompt(image512, param_set):
    result = resr.degrade(image512, seed=0, index=2, param_set=param_set)
    assert result.lq.shape == (128, 128, 3) and result.lq.dtype == np.uint8
    assert result.restoration_prompt == result.restoration_prompt_type == "Remove all degradation"
    assert result.params["param_set"] == param_set and result.params["pipeline"] == "realesrgan"
    assert 2 < np.abs(result.lq.astype(float) - image512[::4, ::4]).mean() < 80  # degraded, still the image


def test_stage_sizes_follow_the_anchor_rules():
    params = resr.sample(np.random.default_rng(0))
    params = dataclasses.replace(
        params,
        resize1=dataclasses.replace(params.resize1, scale=0.1537),
        resize2=dataclasses.replace(params.resize2, scale=1.1999),
    )
    assert params.stage_sizes() == ((78, 78), (153, 153), (128, 128))  # floor(512·s1), int(128·s2), 512 // 4


def test_record_alone_regenerates_the_lq_exactly(image512):
    result = resr.degrade(image512, seed=3, index=7)
    record = resr.params_from_dict(json.loads(json.dumps(result.params)))
    assert np.array_equal(resr.apply(image512, record).lq, result.lq)
    assert np.array_equal(resr.apply(image512, result.params).lq, result.lq)


def test_injected_noise_is_used_and_the_drawn_noise_round_trips():
    gt = textured_image(256, seed=1)
    params = resr.sample(item_rng(0, Stage.DEGRADATION, 0), size=(256, 256))
    _, fields = degrade_float(to_float01(gt), params)
    assert np.array_equal(resr.apply(gt, params, noise=fields).lq, resr.apply(gt, params).lq)
    silent = tuple(np.zeros_like(f) for f in fields)
    assert not np.array_equal(resr.apply(gt, params, noise=silent).lq, resr.apply(gt, params).lq)
    with pytest.raises(tipbench.errors.ConfigError, match="shape"):
        resr.apply(gt, params, noise=(fields[0][:5], None))


def test_both_final_orders_run_and_differ():
    gt = textured_image(256, seed=2)
    params = resr.sample(np.random.default_rng(9), size=(256, 256))
    outputs = {}
    for order in ("resize-sinc-jpeg", "jpeg-resize-sinc"):
        lq = resr.apply(gt, dataclasses.replace(params, final_order=order)).lq
        assert lq.shape == (64, 64, 3)
        outputs[order] = lq
    assert not np.array_equal(*outputs.values())


def test_float_input_is_the_documented_rounding_of_uint8():
    gt = textured_image(256, seed=3)
    params = resr.sample(np.random.default_rng(1), size=(256, 256))
    assert np.array_equal(resr.apply(gt / 255.0, params).lq, resr.apply(gt, params).lq)


def _hashes_in_fresh_process() -> str:
    code = (
        "import hashlib, sys; from tests.conftest import textured_image; from tipbench import degrade; "
        "gt = textured_image(512); "
        "sys.stdout.write(' '.join(hashlib.sha256(degrade(gt, 'realesrgan', seed=0, index=i).lq.tobytes())"
        ".hexdigest() for i in (3, 4)))"
    )
    return subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True).stdout


def test_byte_identical_across_fresh_processes_and_index_matters():
    first, second = _hashes_in_fresh_process(), _hashes_in_fresh_process()
    assert first == second
    index3, index4 = first.split()
    assert index3 != index4


BAD_INPUTS = [
    (np.zeros((256, 256, 3), np.int16), "dtype"),
    (np.zeros((256, 256), np.uint8), "2-D"),
    (np.zeros((256, 256, 4), np.uint8), "RGBA"),
    (np.zeros((0, 256, 3), np.uint8), "empty"),
    (np.full((256, 256, 3), np.nan, np.float32), "NaN"),
    (np.full((256, 256, 3), 1.5, np.float32), r"\[0, 1\]"),
]


@pytest.mark.parametrize("image, message", BAD_INPUTS)
def test_bad_input_raises_a_clear_error(image, message):
    with pytest.raises(DegradationInputError, match=message):
        resr.degrade(image)
    with pytest.raises(DegradationInputError, match=message):
        resr.apply(image, resr.sample(np.random.default_rng(0), size=(256, 256)))


def test_size_mismatch_and_too_small_images_are_rejected():
    params = resr.sample(np.random.default_rng(0))
    with pytest.raises(DegradationInputError, match="sampled for 512x512"):
        resr.apply(textured_image(256), params)
    with pytest.raises(DegradationInputError, match="larger image"):
        resr.degrade(np.zeros((32, 32, 3), np.uint8))


def test_registry_and_top_level_exports():
    pipeline = DEGRADATIONS.get("realesrgan")
    assert pipeline.name == "realesrgan" and pipeline.params_from_dict is not None
    assert tipbench.RealESRGANParams is resr.RealESRGANParams
    assert tipbench.sample_realesrgan_degradation is resr.sample
    gt = textured_image(256)
    via_top = tipbench.degrade(gt, "realesrgan", seed=1, index=5)
    assert np.array_equal(via_top.lq, pipeline.degrade(gt, seed=1, index=5).lq)
    assert np.array_equal(tipbench.degrade_realesrgan(gt, seed=1, index=5).lq, via_top.lq)
    params = pipeline.sample(np.random.default_rng(0), size=(256, 256))
    assert np.array_equal(tipbench.apply_realesrgan_degradation(gt, params).lq, pipeline.apply(gt, params).lq)
