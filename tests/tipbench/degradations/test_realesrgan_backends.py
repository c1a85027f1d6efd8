"""numpy vs torch backends of the Real-ESRGAN pipeline on CPU (same records, injected noise), and training mode.

Stated tolerance (`BACKEND_TOLERANCE`): per image, the uint8 LQs differ by at most 0.05 levels on average and at
least 99 % of values are within one level (float summation order can flip a rounding in the JPEG simulation).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch

from tests.conftest import textured_image
from tipbench.degradations.realesrgan import sample, sample_batch
from tipbench.degradations.realesrgan.numpy_backend import degrade_float, quantize
from tipbench.degradations.realesrgan.record import NoiseParams
from tipbench.degradations.realesrgan.torch_backend import (
    BACKEND_TOLERANCE,
    apply_batch,
    degrade_training_batch,
)
from tipbench.errors import DegradationInputError
from tipbench.images import to_float01
from tipbench.seeding import torch_generator

SIZE = 256


def _records(param_set: str, n: int) -> list:
    """Records covering Gaussian/Poisson, colour/gray, both orders, sinc and delta final kernels."""
    rng = np.random.default_rng(21)
    records = [sample(rng, param_set=param_set, size=(SIZE, SIZE)) for _ in range(n)]
    records[0] = dataclasses.replace(records[0], final_order="resize-sinc-jpeg")
    records[1] = dataclasses.replace(records[1], final_order="jpeg-resize-sinc", second_blur=True)
    records[2] = dataclasses.replace(records[2], noise1=NoiseParams("gaussian", True, sigma=12.0))
    records[3] = dataclasses.replace(records[3], noise2=NoiseParams("poisson", True, scale=1.0))
    return records


def _batch(images: list[np.ndarray]) -> torch.Tensor:
    return torch.from_numpy(np.stack(images)).permute(0, 3, 1, 2)


def _levels(batch: torch.Tensor) -> np.ndarray:
    return np.rint(batch.permute(0, 2, 3, 1).numpy() * 255).astype(np.int16)


@pytest.mark.parametrize("param_set", ["realesrgan-x4plus", "stablesr"])
def test_numpy_and_torch_agree_on_the_same_records_and_injected_noise(param_set):
    records = _records(param_set, 6)
    images = [to_float01(textured_image(SIZE, seed=i)) for i in range(len(records))]
    expected, fields = [], []
    for image, record in zip(images, records):
        lq, used = degrade_float(image, record)
        expected.append(quantize(lq).astype(np.int16))
        fields.append(used)
    got = _levels(apply_batch(_batch(images), records, noise=fields))
    for i, record in enumerate(records):
        difference = np.abs(got[i] - expected[i])
        assert difference.mean() <= BACKEND_TOLERANCE["mean_abs_levels"], (record.noise1, record.noise2)
        assert (difference <= 1).mean() >= BACKEND_TOLERANCE["within_one_level"]


def test_seed_path_reproduces_numpy_noise_without_injection():
    records = [dataclasses.replace(r, noise1=dataclasses.replace(r.noise1, kind="gaussian", sigma=9.0, scale=None))
               for r in _records("realesrgan-x4plus", 4)[:2]]  # fmt: skip
    records = [dataclasses.replace(r, noise2=dataclasses.replace(r.noise2, kind="gaussian", sigma=4.0, scale=None))
               for r in records]  # fmt: skip
    image = to_float01(textured_image(SIZE, seed=4))
    got = _levels(apply_batch(_batch([image, image]), records))
    for i, record in enumerate(records):
        expected = quantize(degrade_float(image, record)[0]).astype(np.int16)
        assert np.abs(got[i] - expected).mean() <= BACKEND_TOLERANCE["mean_abs_levels"]


def test_generator_noise_is_reproducible_and_seed_dependent():
    records = _records("realesrgan-x4plus", 4)[:2]
    batch = _batch([to_float01(textured_image(SIZE, seed=i)) for i in range(2)])
    first = apply_batch(batch, records, generator=torch_generator(7))
    assert torch.equal(first, apply_batch(batch, records, generator=torch_generator(7)))
    assert not torch.equal(first, apply_batch(batch, records, generator=torch_generator(8)))


def test_training_batch_has_one_shape_quantised_levels_and_optional_usm_target():
    gt = _batch([to_float01(textured_image(SIZE, seed=i)) for i in range(4)])
    lq, target, records = degrade_training_batch(gt, np.random.default_rng(0), generator=torch_generator(1))
    assert lq.shape == (4, 3, SIZE // 4, SIZE // 4) and torch.equal(target, gt)
    assert torch.equal(lq * 255, torch.round(lq * 255)) and lq.min() >= 0 and lq.max() <= 1
    assert len({(r.resize1, r.final_order, r.second_blur) for r in records}) == 1
    lq_usm, sharpened, _ = degrade_training_batch(
        gt, torch_generator(3), generator=torch_generator(1), usm=True
    )
    assert lq_usm.shape == lq.shape and not torch.equal(sharpened, gt)


def test_torch_backend_rejects_bad_batches():
    records = sample_batch(np.random.default_rng(0), 1, size=(SIZE, SIZE))
    with pytest.raises(DegradationInputError, match="B×3×H×W"):
        apply_batch(torch.zeros(1, 4, SIZE, SIZE), records)
    with pytest.raises(DegradationInputError, match="finite"):
        apply_batch(torch.full((1, 3, SIZE, SIZE), float("nan")), records)
    with pytest.raises(DegradationInputError, match="sampled for"):
        apply_batch(torch.zeros(1, 3, 128, 128), records)
