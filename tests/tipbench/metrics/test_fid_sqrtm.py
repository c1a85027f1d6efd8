"""FID's matrix square root: no deprecated SciPy argument (it goes away in SciPy 1.18), and a non-finite result is
a clear error instead of a NaN score."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from tipbench.errors import TipbenchError
from tipbench.metrics.functional.fid import frechet_distance


def test_no_deprecation_warning_from_sqrtm():
    rng = np.random.default_rng(0)
    features = rng.standard_normal((40, 6))
    sigma = np.cov(features, rowvar=False)
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        value = frechet_distance(features.mean(0), sigma, features.mean(0) + 1.0, sigma)
    assert value == pytest.approx(6.0, abs=1e-6)


def test_rank_deficient_covariances_still_give_a_finite_distance():
    sigma = np.diag([1.0, 0.0, 0.0])  # fewer images than feature dimensions
    assert np.isfinite(frechet_distance(np.zeros(3), sigma, np.zeros(3), sigma))


def test_non_finite_statistics_are_a_clear_error():
    with pytest.raises(TipbenchError, match="NaN or inf"):
        frechet_distance(np.array([0.0, np.nan]), np.eye(2), np.zeros(2), np.eye(2))


def test_a_square_root_that_stays_non_finite_is_an_error():
    nilpotent = np.array([[0.0, 1.0], [0.0, 0.0]])  # (Σ₁Σ₂)^½ does not exist; scipy returns inf
    with pytest.raises(TipbenchError, match="not finite even with 0 on the diagonals"):
        frechet_distance(np.zeros(2), nilpotent, np.zeros(2), np.eye(2), eps=0.0)
