"""`classical-prompted`: a training-free restorer that reads the restoration prompt and undoes each named operation.

It inverts the parameterized pipeline (blur → downsample → noise → JPEG) in reverse order with classical tools at
the strength the prompt states: JPEG artefacts and noise are removed together by one wavelet denoising pass (the
JPEG quality maps to an equivalent error level), the image is resampled to the output size, and the stated blur —
plus the blur the resampling itself leaves — is undone by Wiener deconvolution. Type-only operations use a default
strength (noise is estimated from the image); the blind instruction and the empty prompt get a generic mild
restoration. CPU only, no weights: the floor every learned method must beat, and the method CI runs end to end.
The constants below were tuned by hand on the bundled sample photos; bench/classical_prompted_tuning.py prints the gain
over bicubic on that tuning set, in-sample, and on held-out images (docs/benchmarks.md).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from baselines._common import resize_float, warn_ignored_prompts
from tipbench.contracts.restorer import check_restore_inputs, check_restore_output
from tipbench.images import quantize, to_float01
from tipbench.prompts import RestorationOp, parse_restoration_prompt

logger = logging.getLogger(__name__)

#: Strengths assumed for type-only operations (the middle of the protocol §3 sampling ranges, except noise).
DEFAULT_BLUR_SIGMA = 1.0
DEFAULT_JPEG_QUALITY = 50


@dataclass(frozen=True)
class ClassicalSettings:
    """Tuned constants (recorded in run.json `settings`)."""

    #: denoiser threshold = noise_gain(σ) · σ; the gain falls with σ because clipping to [0, 1] shrinks strong noise.
    noise_gain_at_zero: float = 1.1
    noise_gain_slope: float = 1.2
    #: JPEG error level (0–1 scale) ≈ jpeg_sigma_scale / quality^jpeg_sigma_power.
    jpeg_sigma_scale: float = 0.1
    jpeg_sigma_power: float = 0.5
    jpeg_gain: float = 1.0
    #: Gaussian σ (output pixels) per unit of upsampling factor that models the resampling blur.
    resample_blur_per_factor: float = 0.3
    #: Wiener regularisation: base balance + growth with the residual noise after denoising.
    wiener_balance: float = 0.001
    wiener_noise_balance: float = 3.0
    #: Blind / empty prompts: denoise only when the estimated σ exceeds this.
    blind_noise_floor: float = 0.01
    interpolation: str = "bicubic"

    def to_dict(self) -> dict:
        from dataclasses import asdict

        return asdict(self)


@dataclass(frozen=True)
class _Plan:
    """What to undo, with the strengths in the units the inversion needs."""

    noise_sigma: float  # 0–1 scale, combined noise + JPEG error level at LQ resolution
    deblur_sigma: float  # output pixels, 0 = none
    unnamed_noise: float = 0.0  # estimated noise the prompt did not name: kept, only regularises deblurring


def _op_value(ops: dict[str, RestorationOp], kind: str) -> float | None:
    op = ops.get(kind)
    return None if op is None or op.value is None else float(op.value)


def gaussian_blur_float(image: np.ndarray, sigma: float) -> np.ndarray:
    """The blur the prompt names (protocol §3 kernel), on float images."""
    from tipbench.degradations.param_ops import gaussian_blur

    return gaussian_blur(image.astype(np.float32), sigma)


def _estimate_noise(lq01: np.ndarray) -> float:
    from skimage.restoration import estimate_sigma

    return float(estimate_sigma(lq01, channel_axis=-1, average_sigmas=True))


class ClassicalPromptedRestorer:
    """Undo what the restoration prompt names, classically (see the module docstring)."""

    name = "classical-prompted"
    uses_semantic_prompt = False
    uses_restoration_prompt = True
    weights: ClassVar[tuple[str, ...]] = ()

    def __init__(self, options=None, settings: ClassicalSettings | None = None) -> None:
        if options is not None:
            options.check_extra((), self.name)
        self.settings = settings or ClassicalSettings()
        self._warned: set[str] = set()

    def describe(self) -> dict:
        return {"settings": {"algorithm": "wavelet denoise → resample → Wiener deconvolution",
                             **self.settings.to_dict()},
                "checkpoints": {}, "weights": "none", "command": None}

    def plan(self, lq01: np.ndarray, restoration_prompt: str, out_size: tuple[int, int]) -> _Plan:
        """Turn the prompt (plus the image geometry) into denoising and deblurring strengths."""
        s = self.settings
        ops = {op.kind: op for op in parse_restoration_prompt(restoration_prompt)}
        factor = out_size[0] / lq01.shape[0]
        resample_sigma = s.resample_blur_per_factor * factor if factor > 1.0 else 0.0
        if not ops or "all" in ops:
            estimated = _estimate_noise(lq01)
            noise = estimated if estimated > s.blind_noise_floor else 0.0
            return _Plan(noise_sigma=noise, deblur_sigma=resample_sigma)
        noise = 0.0
        if "noise" in ops:
            stated = _op_value(ops, "noise")
            noise = stated if stated is not None else _estimate_noise(lq01)
        if "jpeg" in ops:
            quality = _op_value(ops, "jpeg") or DEFAULT_JPEG_QUALITY
            jpeg_sigma = s.jpeg_gain * s.jpeg_sigma_scale / quality**s.jpeg_sigma_power
            noise = math.hypot(noise, jpeg_sigma)
        blur = 0.0
        if "blur" in ops:
            blur = _op_value(ops, "blur") or DEFAULT_BLUR_SIGMA
        unnamed = 0.0
        if blur and "noise" not in ops:
            estimated = _estimate_noise(lq01)
            unnamed = estimated if estimated > s.blind_noise_floor else 0.0
        return _Plan(noise_sigma=noise, deblur_sigma=math.hypot(blur, resample_sigma), unnamed_noise=unnamed)

    def restore(self, lq: np.ndarray, *, semantic_prompt: str = "", restoration_prompt: str = "",
                out_size: tuple[int, int] = (512, 512), seed: int = 0) -> np.ndarray:
        check_restore_inputs(lq, out_size)
        warn_ignored_prompts(self, self._warned, semantic_prompt=semantic_prompt)
        image = to_float01(lq)
        plan = self.plan(image, restoration_prompt, out_size)
        # 4.+3. JPEG and noise: one denoising pass at LQ resolution, where the noise is white.
        if plan.noise_sigma > 0:
            image = self._denoise(image, plan.noise_sigma)
        # 2. downsample: resample to the output size.
        image = resize_float(image, out_size, self.settings.interpolation)
        # 1. blur (and the resampling's own blur): Wiener deconvolution with a Gaussian PSF.
        if plan.deblur_sigma > 0:
            residual = plan.noise_sigma * 0.25 + 1.0 / 255.0 + plan.unnamed_noise
            restored = self._deblur(image, plan.deblur_sigma, residual)
            if plan.unnamed_noise > 0:
                # Noise the prompt did not name stays: add back only the detail the deblurring restored,
                # out = y + (x̂ − G x̂), instead of letting the deconvolution amplify that noise into blobs.
                restored = image + restored - gaussian_blur_float(restored, plan.deblur_sigma)
            image = restored
        return check_restore_output(quantize(image), out_size, self.name)

    def _denoise(self, image: np.ndarray, sigma: float) -> np.ndarray:
        from skimage.restoration import cycle_spin, denoise_wavelet

        s = self.settings
        gain = min(1.15, max(0.75, s.noise_gain_at_zero - s.noise_gain_slope * sigma))

        def denoise(x: np.ndarray) -> np.ndarray:
            return denoise_wavelet(x, sigma=gain * sigma, channel_axis=-1, convert2ycbcr=True,
                                   method="BayesShrink", mode="soft", rescale_sigma=True)

        # Cycle spinning (4 shifts) removes the wavelet transform's shift variance: +1–2 dB for 4× the time.
        out = cycle_spin(image.astype(np.float64), denoise, max_shifts=1, channel_axis=-1, workers=1)
        return np.clip(out, 0.0, 1.0).astype(np.float32)

    def _deblur(self, image: np.ndarray, sigma: float, residual_noise: float) -> np.ndarray:
        from skimage.restoration import wiener

        s = self.settings
        radius = max(1, math.ceil(3.0 * sigma))
        size = 2 * radius + 1
        axis = np.arange(size, dtype=np.float64) - radius
        kernel_1d = np.exp(-0.5 * (axis / sigma) ** 2)
        psf = np.outer(kernel_1d, kernel_1d)
        psf /= psf.sum()
        balance = s.wiener_balance + s.wiener_noise_balance * residual_noise
        # Reflect-pad so the FFT's circular boundary does not ring into the image.
        pad = 2 * radius
        padded = np.pad(image.astype(np.float64), ((pad, pad), (pad, pad), (0, 0)), mode="reflect")
        channels = [wiener(padded[..., c], psf, balance, clip=False) for c in range(3)]
        out = np.stack(channels, axis=-1)[pad:-pad, pad:-pad]
        return np.clip(out, 0.0, 1.0).astype(np.float32)
