"""PSNR / SSIM against independent references: scikit-image (Wang settings) and direct float64 formulas."""

from __future__ import annotations

import numpy as np
import pytest
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

from tipbench.errors import ConfigError
from tipbench.metrics.functional import psnr, rgb_to_y_bt601, ssim
from tipbench.metrics.psnr import PSNR
from tipbench.metrics.ssim import SSIM

WANG = {"gaussian_weights": True, "sigma": 1.5, "use_sample_covariance": False, "data_range": 255}


def _y_numpy(image: np.ndarray) -> np.ndarray:
    """BasicSR's BT.601 Y (unrounded), written out independently in numpy."""
    rgb = image.astype(np.float64) / 255.0
    return 16.0 + 65.481 * rgb[..., 0] + 128.553 * rgb[..., 1] + 24.966 * rgb[..., 2]


def _pairs(image512):
    rng = np.random.default_rng(3)
    random_gt = rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)
    random_out = rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)
    real_gt = image512[:96, :128]
    real_out = np.clip(real_gt.astype(np.int16) + rng.integers(-25, 26, real_gt.shape), 0, 255).astype(np.uint8)
    blurred = ((real_gt.astype(np.float64) + np.roll(real_gt, 1, axis=1)) / 2).round().astype(np.uint8)
    return [(random_out, random_gt), (real_out, real_gt), (blurred, real_gt)]


def test_psnr_equals_skimage_and_direct_float64(image512):
    for out, gt in _pairs(image512):
        ours = float(psnr(out, gt)[0])
        mse = np.mean((out.astype(np.float64) - gt.astype(np.float64)) ** 2)
        assert ours == pytest.approx(10 * np.log10(255.0**2 / mse), abs=1e-6)
        assert ours == pytest.approx(peak_signal_noise_ratio(gt, out, data_range=255), abs=1e-6)
        y_mse = np.mean((_y_numpy(out) - _y_numpy(gt)) ** 2)
        assert float(psnr(out, gt, channel="y")[0]) == pytest.approx(10 * np.log10(255.0**2 / y_mse), abs=1e-6)


def test_ssim_equals_skimage_wang_settings(image512):
    for out, gt in _pairs(image512):
        expected = structural_similarity(gt, out, channel_axis=-1, **WANG)
        assert float(ssim(out, gt)[0]) == pytest.approx(expected, abs=1e-6)
        expected_y = structural_similarity(_y_numpy(gt), _y_numpy(out), **WANG)
        assert float(ssim(out, gt, channel="y")[0]) == pytest.approx(expected_y, abs=1e-6)


def test_identical_images_cap_psnr_and_give_ssim_one(image512):
    image = image512[:64, :64]
    assert float(psnr(image, image)[0]) == 100.0
    assert float(psnr(image, image, channel="y")[0]) == 100.0
    assert float(ssim(image, image)[0]) == pytest.approx(1.0, abs=1e-12)


def test_constant_offset_has_closed_form_psnr():
    gt = np.random.default_rng(0).integers(20, 200, (24, 24, 3), dtype=np.uint8)
    out = gt + np.uint8(10)  # no wrap: max 209
    assert float(psnr(out, gt)[0]) == pytest.approx(10 * np.log10(255.0**2 / 100.0), abs=1e-9)
    # Y of a constant RGB offset d is offset by (65.481+128.553+24.966)/255·d = 219/255·d.
    assert float(psnr(out, gt, channel="y")[0]) == pytest.approx(10 * np.log10(255.0**2 / (10 * 219 / 255) ** 2),
                                                                 abs=1e-9)


def test_ycbcr_vs_yiq_psnr_gap_is_1_32_db():
    rng = np.random.default_rng(5)
    gt = rng.integers(40, 216, (32, 32, 3), dtype=np.uint8)
    out = (gt.astype(np.int16) + rng.integers(-30, 31, gt.shape)).astype(np.uint8)  # stays in range
    yiq = lambda im: im.astype(np.float64) @ np.array([0.299, 0.587, 0.114])  # noqa: E731
    yiq_psnr = 10 * np.log10(255.0**2 / np.mean((yiq(out) - yiq(gt)) ** 2))
    gap = float(psnr(out, gt, channel="y")[0]) - yiq_psnr
    assert gap == pytest.approx(20 * np.log10(255 / 219), abs=1e-3)


def test_y_conversion_range():
    import torch

    assert float(rgb_to_y_bt601(torch.full((1, 3, 1, 1), 255.0))) == pytest.approx(235.0)
    assert float(rgb_to_y_bt601(torch.zeros((1, 3, 1, 1)))) == pytest.approx(16.0)


def test_stateful_classes_match_functional_and_reset(image512):
    metric_psnr, metric_ssim = PSNR(), SSIM()
    pairs = _pairs(image512)[1:]
    for out, gt in pairs:
        metric_psnr.update(out, gt)
        metric_ssim.update(out, gt)
    expected = np.mean([float(psnr(o, g)[0]) for o, g in pairs])
    assert metric_psnr.compute() == pytest.approx(expected, abs=1e-12)
    assert metric_ssim.per_item().shape == (2,)
    metric_psnr.reset()
    assert metric_psnr.compute() is None


@pytest.mark.parametrize("bad", [
    np.zeros((8, 8), np.uint8),                          # grayscale
    np.zeros((16, 16, 4), np.uint8),                     # RGBA
    np.full((16, 16, 3), np.nan, np.float32),            # NaN
    np.full((16, 16, 3), 2.0, np.float32),               # out of [0, 1]
])
def test_bad_inputs_are_rejected(bad):
    good = np.zeros((16, 16, 3), np.uint8)
    with pytest.raises(ConfigError):
        psnr(bad, good)


def test_shape_mismatch_and_tiny_ssim_rejected():
    with pytest.raises(ConfigError, match="same shape"):
        psnr(np.zeros((8, 8, 3), np.uint8), np.zeros((8, 9, 3), np.uint8))
    with pytest.raises(ConfigError, match="at least 11"):
        ssim(np.zeros((8, 8, 3), np.uint8), np.zeros((8, 8, 3), np.uint8))
