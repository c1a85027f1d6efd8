"""The degradation measures: the noise estimator, the band-matched detail gain and the 0–1 normalisation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.tiny_splits import sample_photos
from tipbench.adherence.measures import MIN_GAP_DETAIL, detail_gain, noise_level, normalised_score
from tipbench.degradations import param_ops
from tipbench.images import quantize, to_float01


@pytest.fixture(scope="module")
def photo() -> np.ndarray:
    return sample_photos(256)[0]


def _noisy(clean: np.ndarray, sigma: float, seed: int = 0) -> np.ndarray:
    field = np.random.default_rng(seed).standard_normal(clean.shape).astype(np.float32)
    return quantize(param_ops.add_gaussian_noise(to_float01(clean), sigma, field))


def _blurred(clean: np.ndarray, sigma: float) -> np.ndarray:
    return quantize(param_ops.gaussian_blur(to_float01(clean), sigma))


@pytest.mark.parametrize("sigma", [0.02, 0.05, 0.1])
def test_noise_level_reads_the_added_sigma_on_a_blurred_photo(photo, sigma):
    estimate = noise_level(_noisy(_blurred(photo, 2.0), sigma))
    assert estimate == pytest.approx(sigma, rel=0.15)


def test_noise_level_rises_with_noise(photo):
    levels = [noise_level(_noisy(photo, s)) for s in (0.0 + 1e-9, 0.03, 0.1, 0.2)]
    assert levels == sorted(levels)


def test_detail_gain_of_the_clean_image_is_one_and_falls_with_blur(photo):
    assert detail_gain(photo, photo, 1.5) == pytest.approx(1.0)
    gains = [detail_gain(_blurred(photo, s), photo, 1.5) for s in (0.5, 1.0, 1.5, 3.0)]
    assert gains == sorted(gains, reverse=True)
    assert gains[-1] < 0.3


def test_detail_gain_ignores_independent_noise(photo):
    # noise independent of the clean image adds nothing in expectation
    assert detail_gain(_noisy(photo, 0.1), photo, 2.0) == pytest.approx(1.0, abs=0.05)
    blurred = _blurred(photo, 2.0)
    assert detail_gain(_noisy(blurred, 0.1), photo, 2.0) == pytest.approx(detail_gain(blurred, photo, 2.0), abs=0.05)


def test_why_not_a_no_reference_blur_measure(photo):
    """The documented reason for detail_gain: Crété-Roffet reads noise as sharpness, detail_gain does not."""
    from skimage.measure import blur_effect

    degraded = _noisy(_blurred(photo, 2.0), 0.10)
    assert abs(blur_effect(degraded, channel_axis=-1) - blur_effect(photo, channel_axis=-1)) < 0.05
    assert detail_gain(degraded, photo, 2.0) < 0.5


def test_detail_gain_rejects_bad_input(photo):
    with pytest.raises(ValueError, match="same shape"):
        detail_gain(photo[:10], photo, 1.0)
    with pytest.raises(ValueError, match="positive"):
        detail_gain(photo, photo, 0.0)
    flat = np.full_like(photo, 7)
    assert math.isnan(detail_gain(photo, flat, 1.0))


def test_normalised_score_positions_clips_and_refuses_close_anchors():
    assert normalised_score(0.5, bad=0.0, target=1.0, min_gap=0.1) == (0.5, 0.5)
    assert normalised_score(0.0, bad=0.0, target=1.0, min_gap=0.1) == (0.0, 0.0)
    clipped, raw = normalised_score(1.3, bad=0.0, target=1.0, min_gap=0.1)
    assert clipped == 1.0 and raw == pytest.approx(1.3)
    clipped, raw = normalised_score(-0.5, bad=0.0, target=1.0, min_gap=0.1)
    assert clipped == 0.0 and raw == pytest.approx(-0.5)
    # decreasing measures (noise) work the same way
    assert normalised_score(0.05, bad=0.1, target=0.0, min_gap=0.01)[0] == pytest.approx(0.5)
    assert all(math.isnan(v) for v in normalised_score(0.5, bad=0.5, target=0.5 + MIN_GAP_DETAIL / 2,
                                                       min_gap=MIN_GAP_DETAIL))
    assert all(math.isnan(v) for v in normalised_score(math.nan, bad=0.0, target=1.0, min_gap=0.1))
