"""The two degradation measures the adherence diagnostics read, and the 0–1 normalisation between two anchors.

* `noise_level` — residual Gaussian-noise σ (0–1 scale) by scikit-image's `estimate_sigma`: the Donoho wavelet
  estimator, median absolute deviation of the finest diagonal (HH) wavelet sub-band / 0.6745, per channel, averaged.
* `detail_gain` — how much of the detail a Gaussian blur of σ_b removed from the clean image an image carries. The
  blur took away d = x − G_σb(x); the gain is the least-squares coefficient of the image's matching band on it,
  ⟨H(img), H(x)⟩ / ⟨H(x), H(x)⟩ with H = I − G_σb. The clean image scores 1, the blurred image scores the band's
  attenuation (σ_b 0.4 ≈ 0.85, 1.0 ≈ 0.3, 4.0 ≈ 0.17 on photos), an image with all the detail back scores ≈ 1, an
  over-sharpened one > 1, and noise independent of the clean image adds nothing in expectation. We wrote this
  one ourselves because no library ships a noise-robust full-reference blur measure, and the no-reference ones fail on
  this split: on a bundled sample photo at 256 px, `skimage.measure.blur_effect` (Crété-Roffet) rates a blur σ 2.0 +
  noise σ 0.10 input as sharp as the clean image (0.362 vs 0.360) and the variance of the Laplacian rates it 3.7×
  *sharper*, because both read the noise as detail. The band is matched to the row's blur because a fixed fine band
  sees nothing recoverable once σ_b ≳ 1.5 (the 3×3 Laplacian band of a σ 2 blur keeps 3 % of its energy).
* `normalised_score` — clip((m_out − m_bad) / (m_target − m_bad), 0, 1): 0 where the output measures like the bad
  anchor, 1 where it measures like the selective target; undefined (NaN) when the anchors are closer than a minimum
  gap, because the measure then cannot tell them apart.

All functions take HxWx3 uint8 RGB.
"""

from __future__ import annotations

import math

import numpy as np

from tipbench.images import as_rgb_uint8, to_float01

#: Anchors closer than this cannot be told apart by the measure; the item's score is then null (NaN).
#: noise σ (0–1 scale): ≈ 1.3 grey levels, several times the estimator's spread on a 512² image.
MIN_GAP_NOISE = 0.005
#: detail gain: a blur this weak (σ ≤ 0.3 px: its 3-tap kernel barely differs from identity) is not measurable.
MIN_GAP_DETAIL = 0.05


def _require_skimage():
    try:
        from skimage.restoration import estimate_sigma
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError(
            "adherence scoring needs scikit-image and PyWavelets: pip install 'tipbench[adherence]'"
        ) from exc
    return estimate_sigma


def noise_level(image: np.ndarray) -> float:
    """Estimated Gaussian-noise σ of `image` (HxWx3 uint8) on the 0–1 scale (Donoho wavelet MAD, channel mean).

    >>> rng = np.random.default_rng(0)
    >>> flat = np.full((64, 64, 3), 0.5) + 0.1 * rng.standard_normal((64, 64, 3))
    >>> round(noise_level(np.rint(np.clip(flat, 0, 1) * 255).astype(np.uint8)), 1)
    0.1
    """
    estimate_sigma = _require_skimage()
    pixels = to_float01(as_rgb_uint8(image, name="image")).astype(np.float64)
    return float(estimate_sigma(pixels, channel_axis=-1, average_sigmas=True))


def _gaussian(pixels: np.ndarray, sigma: float) -> np.ndarray:
    """The pipeline's own Gaussian blur (protocol §3 kernel size and border), in float64."""
    import cv2

    from tipbench.degradations.param_ops import blur_kernel_size

    size = blur_kernel_size(sigma)
    return cv2.GaussianBlur(pixels, (size, size), sigmaX=sigma, sigmaY=sigma, borderType=cv2.BORDER_REFLECT_101)


def _detail_band(image: np.ndarray, blur_sigma: float) -> np.ndarray:
    pixels = to_float01(as_rgb_uint8(image, name="image")).astype(np.float64)
    return pixels - _gaussian(pixels, blur_sigma)


def detail_gain(image: np.ndarray, clean: np.ndarray, blur_sigma: float) -> float:
    """Fraction of the detail a σ = `blur_sigma` Gaussian blur removes from `clean` that `image` carries.

    Both are HxWx3 uint8 of the same size. 1 = all of it (the clean image), ≈ 0 for a flat image; NaN when `clean`
    has no such detail at all (a flat image).

    >>> rng = np.random.default_rng(0)
    >>> clean = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
    >>> detail_gain(clean, clean, 1.0)
    1.0
    >>> round(detail_gain(np.full_like(clean, 128), clean, 1.0), 3)
    0.0
    """
    if image.shape != clean.shape:
        raise ValueError(f"`image` {image.shape} and `clean` {clean.shape} must have the same shape")
    if not blur_sigma > 0:
        raise ValueError(f"`blur_sigma` must be positive, got {blur_sigma!r}")
    band_clean = _detail_band(clean, blur_sigma)
    energy = float(np.sum(band_clean * band_clean))
    if energy <= 1e-10 * band_clean.size:  # RMS detail below 1e-5 (a grey level is 4e-3): only rounding residue
        return math.nan
    return float(np.sum(_detail_band(image, blur_sigma) * band_clean)) / energy


def normalised_score(measured: float, bad: float, target: float, min_gap: float) -> tuple[float, float]:
    """(clipped, raw) position of `measured` between the `bad` anchor (0) and the `target` anchor (1).

    Raw is (measured − bad) / (target − bad), unclipped (it shows overshoot); clipped is raw limited to [0, 1].
    Both are NaN when |target − bad| < `min_gap` or any value is NaN.

    >>> normalised_score(0.05, bad=0.10, target=0.0, min_gap=0.005)
    (0.5, 0.5)
    >>> clipped, raw = normalised_score(-0.02, bad=0.10, target=0.0, min_gap=0.005)
    >>> clipped, round(raw, 6)
    (1.0, 1.2)
    """
    if not all(math.isfinite(v) for v in (measured, bad, target)) or abs(target - bad) < min_gap:
        return math.nan, math.nan
    raw = (measured - bad) / (target - bad)
    return min(1.0, max(0.0, raw)), raw
