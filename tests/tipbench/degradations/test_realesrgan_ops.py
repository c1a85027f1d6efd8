"""Real-ESRGAN operators: torch-style resize, the float JPEG simulation, Poisson/Gaussian/gray noise, USM."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from tipbench.degradations.realesrgan import noise as noise_ops
from tipbench.degradations.realesrgan import torch_ops
from tipbench.degradations.realesrgan.diffjpeg import DCT, diff_jpeg
from tipbench.degradations.realesrgan.resize import resize_by_scale, resize_to_size
from tipbench.degradations.realesrgan.usm import usm_sharpen


def _torch(image: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None]


def _numpy(batch: torch.Tensor) -> np.ndarray:
    return batch[0].permute(1, 2, 0).numpy()


def _smooth_image(size: int = 128) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size] / size
    planes = [0.5 + 0.3 * np.sin(5 * x + 3 * y), 0.5 + 0.3 * np.cos(4 * y), 0.4 + 0.3 * x * y]
    return np.stack(planes, axis=-1).astype(np.float32)


@pytest.mark.parametrize("mode", ["area", "bilinear", "bicubic"])
def test_resize_matches_torch_interpolate(mode):
    rng = np.random.default_rng(2)
    image = rng.random((100, 90, 3), dtype=np.float32)
    options = {} if mode == "area" else {"align_corners": False}
    for scale in (
        0.15,
        0.4321,
        0.5,
        0.93,
        1.0,
        1.005,
        1.37,
        1.5,
    ):  # 1.005 keeps 100 px: torch still resamples
        expected = _numpy(F.interpolate(_torch(image), scale_factor=scale, mode=mode, **options))
        got = resize_by_scale(image, scale, mode)
        assert got.shape == expected.shape and np.abs(got - expected).max() < 1e-4, (mode, scale)
    for size in ((30, 33), (64, 64), (120, 97), (100, 90)):
        expected = _numpy(F.interpolate(_torch(image), size=size, mode=mode, **options))
        got = resize_to_size(image, size, mode)
        assert got.shape == expected.shape and np.abs(got - expected).max() < 1e-4, (mode, size)


def test_area_is_adaptive_pooling_not_opencv_area():
    image = np.arange(5, dtype=np.float32).reshape(1, 5, 1).repeat(2, axis=0)
    pooled = resize_to_size(image, (2, 3), "area")[0, :, 0]
    assert np.allclose(pooled, [0.5, 2.0, 3.5])  # windows [0,2), [1,4), [3,5) overlap


def _blockiness(image: np.ndarray) -> float:
    """Mean |step| across 8×8 block borders divided by the mean |step| inside blocks (1 = no block structure)."""
    gray = image.mean(axis=2, dtype=np.float64)
    across, inside = [], []
    for steps in (np.abs(np.diff(gray, axis=1)), np.abs(np.diff(gray, axis=0)).T):
        border = np.arange(steps.shape[1]) % 8 == 7
        across.append(steps[:, border].mean())
        inside.append(steps[:, ~border].mean())
    return float(np.mean(across) / (np.mean(inside) + 1e-12))


def test_diffjpeg_near_identity_at_95_and_blocky_at_low_quality():
    image = _smooth_image()
    assert 0.9 < _blockiness(image) < 1.1
    high = diff_jpeg(image, 95.0)
    psnr = 10 * math.log10(1 / float(np.mean((high - image) ** 2)))
    assert psnr > 45 and _blockiness(high) < 1.2
    low = diff_jpeg(image, 30.0)
    assert _blockiness(low) > 2.0 and np.abs(low - image).mean() > np.abs(high - image).mean()
    assert low.dtype == np.float32 and low.min() >= 0 and low.max() <= 1


def test_diffjpeg_gray_image_is_exact_at_vanishing_quantisation_and_pads_odd_sizes():
    rng = np.random.default_rng(3)
    gray = np.repeat(rng.random((37, 45, 1), dtype=np.float32), 3, axis=2)
    out = diff_jpeg(gray, 99.999)
    assert out.shape == gray.shape and np.abs(out - gray).max() < 1e-3


def test_diffjpeg_uses_the_transposed_luma_table():
    """A block with only horizontal frequency 1 is quantised with step 12 (the standard table's [1][0]), not 11."""
    coefficient = 17.0  # round(17/12)·12 = 12, whereas round(17/11)·11 = 22
    block = 128 + coefficient * np.outer(DCT[0], DCT[1])  # rows: vertical freq 0; columns: horizontal freq 1
    image = np.repeat(np.tile(block, (2, 2))[..., None] / 255, 3, axis=2).astype(np.float32)
    out_block = diff_jpeg(image, 50.0)[:8, :8, 0].astype(np.float64) * 255 - 128
    coefficients = DCT @ out_block @ DCT.T
    assert coefficients[0, 1] == pytest.approx(12.0, abs=0.05)
    assert np.abs(np.delete(coefficients.ravel(), 1)).max() < 0.05


def test_torch_diffjpeg_matches_numpy_with_per_sample_quality():
    rng = np.random.default_rng(4)
    images = rng.random((3, 40, 56, 3), dtype=np.float32)
    qualities = [31.5, 77.25, 94.9]
    batch = torch.from_numpy(images).permute(0, 3, 1, 2)
    got = torch_ops.diff_jpeg(batch, qualities).permute(0, 2, 3, 1).numpy()
    for i, quality in enumerate(qualities):
        difference = np.abs(got[i] - diff_jpeg(images[i], quality))
        assert difference.mean() < 1e-4 and np.quantile(difference, 0.999) < 2e-3, quality


def test_poisson_levels_rule():
    assert [noise_ops.poisson_levels(n) for n in (1, 2, 3, 200, 256)] == [1, 2, 4, 256, 256]


def test_poisson_noise_variance_follows_the_distinct_level_count():
    rng = np.random.default_rng(5)
    constant = np.full((200, 200, 3), 0.5, np.float32)  # one level (128/255) → V = 1
    noise = noise_ops.poisson_unit_noise(rng, constant, gray=False)
    level = 128 / 255
    assert abs(noise.mean()) < 0.01 and noise.var() == pytest.approx(level, rel=0.03)
    ramp = np.repeat(np.linspace(0, 1, 256, dtype=np.float32)[None, :, None], 300, axis=0).repeat(3, axis=2)
    noise = noise_ops.poisson_unit_noise(rng, ramp, gray=False)  # 256 levels → V = 256
    assert noise.var() == pytest.approx(float(ramp.mean()) / 256, rel=0.03)
    gray = noise_ops.poisson_unit_noise(rng, ramp, gray=True)
    assert gray.shape == (300, 256)


def test_gray_noise_is_shared_by_the_channels_and_everything_is_clipped():
    rng = np.random.default_rng(6)
    image = np.full((64, 64, 3), [0.3, 0.5, 0.7], np.float32)
    field = noise_ops.gaussian_unit_noise(rng, (64, 64), gray=True)
    out = noise_ops.add_noise(image, field, 5 / 255)
    assert np.allclose(out[..., 1] - out[..., 0], 0.2, atol=1e-6)
    colour = noise_ops.gaussian_unit_noise(rng, (64, 64), gray=False)
    assert colour.shape == (64, 64, 3) and abs(colour.std() - 1) < 0.02
    loud = noise_ops.add_noise(image, colour, 3.0)
    assert loud.min() == 0.0 and loud.max() == 1.0


def test_usm_sharpens_edges_leaves_flat_areas_and_both_backends_agree():
    image = np.zeros((96, 96, 3), np.float32)
    image[:, 48:] = 0.8
    image += 0.1
    sharp = usm_sharpen(image)
    assert sharp[:, 44:48].mean() < image[:, 44:48].mean() and sharp[:, 48:52].mean() > image[:, 48:52].mean()
    assert np.allclose(sharp[:, :10], image[:, :10], atol=1e-6)
    via_torch = _numpy(torch_ops.usm_sharpen(_torch(image)))
    assert np.abs(via_torch - sharp).max() < 1e-4
