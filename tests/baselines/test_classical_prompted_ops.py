"""classical-prompted undoes what the prompt names, at the stated strength, and leaves the rest alone."""

from __future__ import annotations

import numpy as np
import pytest

from baselines.classical_prompted import ClassicalPromptedRestorer
from tipbench.degradations import param_ops
from tipbench.images import quantize, to_float01


def _textured(size: int = 96) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    image = np.stack([0.5 + 0.3 * np.sin(9 * x + 4 * y), 0.5 + 0.3 * np.cos(7 * y), 0.4 + 0.2 * np.sin(13 * x * y)], -1)
    image += 0.15 * ((((x * 8).astype(int) + (y * 8).astype(int)) % 2)[..., None] - 0.5)
    return quantize(image)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255.0**2 / np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)))


def _noise(shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize("prompt", ["Deblur with sigma 2.0", "Deblur"])
def test_deblur_helps_on_a_blurred_image(prompt):
    gt = _textured()
    lq = quantize(param_ops.gaussian_blur(to_float01(gt), 2.0))
    out = ClassicalPromptedRestorer().restore(lq, restoration_prompt=prompt, out_size=gt.shape[:2])
    assert _psnr(out, gt) > _psnr(lq, gt) + 0.5


def test_denoise_at_the_stated_sigma():
    gt = _textured()
    lq = quantize(param_ops.add_gaussian_noise(to_float01(gt), 0.1, _noise(gt.shape)))
    out = ClassicalPromptedRestorer().restore(lq, restoration_prompt="Denoise with sigma 0.10", out_size=gt.shape[:2])
    assert _psnr(out, gt) > _psnr(lq, gt) + 3.0


def test_unnamed_noise_is_kept_when_only_the_blur_is_named():
    """Selective instruction: the target is the sharp image with its noise; deblurring must not blow the noise up."""
    gt = _textured()
    noise = _noise(gt.shape, 1)
    target = quantize(param_ops.add_gaussian_noise(to_float01(gt), 0.08, noise))
    lq = quantize(param_ops.add_gaussian_noise(param_ops.gaussian_blur(to_float01(gt), 2.0), 0.08, noise))
    out = ClassicalPromptedRestorer().restore(lq, restoration_prompt="Deblur with sigma 2.0", out_size=gt.shape[:2])
    assert _psnr(out, target) > _psnr(lq, target)


def test_blind_and_empty_prompts_upsample_and_clean_mildly():
    gt = _textured()
    lq = quantize(param_ops.bicubic_downsample(to_float01(gt), 2.0))
    restorer = ClassicalPromptedRestorer()
    for prompt in ("", "Remove all degradation"):
        out = restorer.restore(lq, restoration_prompt=prompt, out_size=gt.shape[:2])
        assert out.shape == gt.shape and _psnr(out, gt) > 20


def test_a_malformed_prompt_is_an_error():
    from tipbench.errors import PromptError

    with pytest.raises(PromptError):
        ClassicalPromptedRestorer().restore(_textured(32), restoration_prompt="Sharpen a lot", out_size=(32, 32))
