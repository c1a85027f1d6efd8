"""FID: Fréchet distance vs scipy sqrtm and clean-fid, streamed statistics vs np.cov, clean resizer, the class."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from cleanfid.fid import fid_from_feats
from cleanfid.fid import frechet_distance as cleanfid_frechet
from scipy import linalg

from tipbench.metrics.fid import FID
from tipbench.metrics.functional.fid import FeatureStats, _fid_update, fid_from_features, frechet_distance


def _features(seed: int, n: int = 300, d: int = 24, shift: float = 0.0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    mixing = rng.standard_normal((d, d)) / np.sqrt(d)
    return rng.standard_normal((n, d)) @ mixing + shift


def test_frechet_distance_equals_scipy_formula_and_cleanfid():
    a, b = _features(0), _features(1, shift=0.3)
    mu1, s1, mu2, s2 = a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False)
    direct = np.sum((mu1 - mu2) ** 2) + np.trace(s1 + s2 - 2 * linalg.sqrtm(s1 @ s2).real)
    ours = frechet_distance(mu1, s1, mu2, s2)
    assert ours == pytest.approx(direct, rel=1e-9)
    assert ours == pytest.approx(cleanfid_frechet(mu1, s1, mu2, s2), rel=1e-9)
    assert fid_from_features(a, b) == pytest.approx(fid_from_feats(a, b), rel=1e-8)
    eigen = np.sum(np.sqrt(np.linalg.eigvals(s1 @ s2).real.clip(0)))  # torchmetrics' eigenvalue form
    assert ours == pytest.approx(np.sum((mu1 - mu2) ** 2) + np.trace(s1) + np.trace(s2) - 2 * eigen, rel=1e-6)


def test_identical_sets_give_zero():
    a = _features(2)
    assert abs(fid_from_features(a, a.copy())) < 1e-6


def test_streamed_statistics_equal_numpy_cov():
    a = _features(3, n=257, d=16, shift=5.0)
    stats = FeatureStats(16)
    for start in range(0, len(a), 19):  # uneven batches, including a last short one
        _fid_update(stats, a[start:start + 19])
    assert stats.n == 257
    np.testing.assert_allclose(stats.mean, a.mean(0), rtol=0, atol=1e-12)
    np.testing.assert_allclose(stats.covariance(), np.cov(a, rowvar=False), rtol=1e-10, atol=1e-12)


def test_clean_resizer_matches_cleanfid_dataset(tmp_path):
    """The harness's 299 view equals what clean-fid's own folder pipeline (mode="clean") feeds the network."""
    from cleanfid.utils import ResizeDataset

    from tipbench.io import write_png
    from tipbench.metrics.views import fid_view, make_fid_resizer

    image = np.random.default_rng(0).integers(0, 256, (64, 80, 3), dtype=np.uint8)
    write_png(tmp_path / "a.png", image)
    expected = ResizeDataset([str(tmp_path / "a.png")], mode="clean")[0]
    ours = fid_view(image, make_fid_resizer())
    assert ours.shape == (3, 299, 299) and ours.dtype == torch.float32
    assert torch.equal(ours, expected)
    assert float(ours.min()) >= 0.0 and float(ours.max()) <= 255.0
    assert not torch.equal(ours, ours.round())  # floats are not re-quantised


def test_fid_class_streams_images_and_features():
    metric = FID(weights="random")
    rng = np.random.default_rng(1)
    pred = torch.from_numpy(rng.integers(0, 256, (3, 3, 40, 40), dtype=np.uint8))
    target = torch.from_numpy(rng.integers(0, 256, (3, 3, 40, 40), dtype=np.uint8))
    metric.update(pred, target)
    metric.update(pred.flip(0), target.flip(0))
    assert metric.pred_stats.n == 6 and metric.target_stats.n == 6
    value = metric.compute()
    assert np.isfinite(value) and value > 0
    same = FID(weights="random")
    same.update(pred, pred)
    same.update(target, target)
    assert abs(same.compute()) < 1e-6
