"""FID math: streaming float64 mean/covariance and the Fréchet distance with scipy's sqrtm (clean-fid semantics).

Streaming statistics merge per-batch means and centred scatter matrices (Chan et al.), which keeps float64
accuracy without holding every feature; the tests compare them with `np.cov` and the distance with clean-fid.
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass, field

import numpy as np

from tipbench.errors import TipbenchError

logger = logging.getLogger(__name__)


@dataclass
class FeatureStats:
    """Running count, mean and centred scatter (Σ (x−μ)(x−μ)ᵀ) of feature rows, all float64."""

    dim: int
    n: int = 0
    mean: np.ndarray = field(default=None)  # type: ignore[assignment]
    scatter: np.ndarray = field(default=None)  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.mean is None:
            self.mean = np.zeros(self.dim, np.float64)
        if self.scatter is None:
            self.scatter = np.zeros((self.dim, self.dim), np.float64)

    def covariance(self) -> np.ndarray:
        """Unbiased (N−1) covariance, as np.cov(rowvar=False)."""
        if self.n < 2:
            raise TipbenchError(f"FID needs at least 2 images per set, got {self.n}")
        return self.scatter / (self.n - 1)


def _fid_update(stats: FeatureStats, features: np.ndarray) -> FeatureStats:
    """Merge a (B, D) batch into `stats` in place."""
    batch = np.asarray(features, dtype=np.float64)
    if batch.ndim != 2 or batch.shape[1] != stats.dim:
        raise TipbenchError(f"expected features of shape (B, {stats.dim}), got {batch.shape}")
    if batch.shape[0] == 0:
        return stats
    if not np.isfinite(batch).all():
        raise TipbenchError("feature extractor produced NaN or inf")
    batch_mean = batch.mean(axis=0)
    centred = batch - batch_mean
    return _merge_into(stats, batch.shape[0], batch_mean, centred.T @ centred)


def _merge_into(stats: FeatureStats, count: int, mean: np.ndarray, scatter: np.ndarray) -> FeatureStats:
    """Add a disjoint set's count, mean and centred scatter to `stats` in place (Chan et al.'s pairwise formula)."""
    if count == 0:
        return stats
    total = stats.n + count
    delta = mean - stats.mean
    stats.scatter += scatter + np.outer(delta, delta) * (stats.n * count / total)
    stats.mean += delta * (count / total)
    stats.n = total
    return stats


def merge_stats(parts: list[FeatureStats]) -> FeatureStats:
    """The statistics of the union of disjoint sets, from each set's own (the reduction across processes).

    Each part sends its count, mean and centred scatter — the numerically stable form of (count, Σx, Σxxᵀ) — and
    they are combined pairwise, so the result equals streaming every row through one `FeatureStats` up to float64
    rounding; the FID is computed once, from the merged statistics, never averaged over parts.

    >>> rows = np.arange(12.0).reshape(6, 2) ** 1.5
    >>> merged = merge_stats([_fid_update(FeatureStats(2), rows[:2]), _fid_update(FeatureStats(2), rows[2:])])
    >>> bool(np.allclose(merged.covariance(), np.cov(rows, rowvar=False)))
    True
    """
    merged = FeatureStats(parts[0].dim)
    for part in parts:
        _merge_into(merged, part.n, part.mean, part.scatter)
    return merged


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray,
                     eps: float = 1e-6) -> float:
    """d² = ‖μ₁−μ₂‖² + Tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^½) with scipy's sqrtm; non-finite ⇒ retry with eps on the diagonals.

    Raises:
        TipbenchError: the statistics differ in shape or hold NaN/inf, or the square root stays non-finite even
            with eps on the diagonals.

    >>> float(round(frechet_distance(np.zeros(2), np.eye(2), np.ones(2), np.eye(2)), 6))
    2.0
    """
    from scipy import linalg

    mu1, mu2 = np.atleast_1d(mu1).astype(np.float64), np.atleast_1d(mu2).astype(np.float64)
    sigma1, sigma2 = np.atleast_2d(sigma1).astype(np.float64), np.atleast_2d(sigma2).astype(np.float64)
    if mu1.shape != mu2.shape or sigma1.shape != sigma2.shape:
        raise TipbenchError(f"FID statistics differ in shape: {mu1.shape}/{sigma1.shape} vs {mu2.shape}/{sigma2.shape}")
    if not all(np.isfinite(array).all() for array in (mu1, mu2, sigma1, sigma2)):
        raise TipbenchError("FID statistics hold NaN or inf (non-finite features: check the images and the "
                            "feature network)")
    diff = mu1 - mu2

    def square_root(product: np.ndarray) -> np.ndarray:
        # `disp` is gone (deprecated in SciPy 1.16, removed in 1.18): the result is checked for finiteness instead.
        with warnings.catch_warnings():  # rank-deficient Σ at small N: handled below, as clean-fid does
            warnings.simplefilter("ignore", linalg.LinAlgWarning)
            return linalg.sqrtm(product)

    covmean = square_root(sigma1 @ sigma2)
    if not np.isfinite(covmean).all():
        logger.warning("FID: singular covariance product; adding %g to the diagonals", eps)
        offset = np.eye(sigma1.shape[0]) * eps
        covmean = square_root((sigma1 + offset) @ (sigma2 + offset))
        if not np.isfinite(covmean).all():
            raise TipbenchError(f"FID: the square root of the covariance product is not finite even with {eps:g} on "
                                "the diagonals")
    if np.iscomplexobj(covmean):
        if not np.allclose(np.diagonal(covmean).imag, 0, atol=1e-3):
            raise TipbenchError(f"FID sqrtm has a large imaginary component ({np.abs(covmean.imag).max():.3g})")
        covmean = covmean.real
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2.0 * np.trace(covmean))


def fid_from_features(pred_features: np.ndarray, target_features: np.ndarray) -> float:
    """FID between two (N, D) feature sets, through the streaming statistics."""
    stats = []
    for features in (pred_features, target_features):
        features = np.asarray(features)
        stats.append(_fid_update(FeatureStats(features.shape[1]), features))
    return frechet_distance(stats[0].mean, stats[0].covariance(), stats[1].mean, stats[1].covariance())
