"""The walk grid for `classical-prompted`: layout, labels, and panels that respond monotonically to the prompt."""

from __future__ import annotations

import numpy as np
import pytest

from tipbench.figures.inputs import degrade_blur_noise
from tipbench.figures.walk import walk_grid, walk_prompt
from tipbench.io import decode_png, write_png

DEBLUR = (1.0, 2.0, 3.0)
DENOISE = (0.04, 0.12, 0.24)


def high_frequency_energy(panel: np.ndarray) -> float:
    """Variance of the 4-neighbour Laplacian of the luma: grows with sharpness and noise, falls with smoothing."""
    luma = panel.astype(np.float64).mean(axis=-1)
    laplacian = 4 * luma[1:-1, 1:-1] - luma[:-2, 1:-1] - luma[2:, 1:-1] - luma[1:-1, :-2] - luma[1:-1, 2:]
    return float(laplacian.var())


@pytest.fixture(scope="module")
def walk_png(tmp_path_factory):
    from baselines.classical_prompted import ClassicalPromptedRestorer
    from tests.patterns import textured

    lq = degrade_blur_noise(textured(128), blur=2.0, noise=0.10, seed=0)
    figure = walk_grid(ClassicalPromptedRestorer(), lq, deblur_sigmas=DEBLUR, denoise_sigmas=DENOISE)
    path = tmp_path_factory.mktemp("walk") / "walk.png"
    write_png(path, figure.image)
    return figure, decode_png(path), lq


def test_prompts_are_canonical():
    assert walk_prompt(2.0, 0.12) == "Deblur with sigma 2.0; Denoise with sigma 0.12"
    assert walk_prompt(0, 0.06) == "Denoise with sigma 0.06" and walk_prompt(3.0, None) == "Deblur with sigma 3.0"


def test_layout_and_labels(walk_png):
    figure, image, lq = walk_png
    assert np.array_equal(image, figure.image)  # the PNG holds exactly the composed figure
    assert set(figure.boxes) == {(r, c) for r in range(4) for c in range(4)}
    assert figure.row_labels == ("no deblur", "Deblur with sigma 1.0", "Deblur with sigma 2.0",
                                 "Deblur with sigma 3.0")
    assert figure.column_labels == ("no denoise", "Denoise with sigma 0.04", "Denoise with sigma 0.12",
                                    "Denoise with sigma 0.24")
    left, top, right, bottom = figure.boxes[(3, 3)]
    assert (right - left, bottom - top) == (128, 128)
    assert image.shape[1] >= right and image.shape[0] >= bottom
    assert np.array_equal(figure.panel(0, 0), lq)  # upper left: the degraded input itself
    # Labels are drawn: ink above every column and left of every row.
    first_left, first_top, _, _ = figure.boxes[(0, 0)]
    for c in range(4):
        x0, _, x1, _ = figure.boxes[(0, c)]
        assert (image[:first_top, x0:x1] < 128).any()
    for r in range(4):
        _, y0, _, y1 = figure.boxes[(r, 0)]
        assert (image[y0:y1, :first_left] < 128).any()


def residual_noise(panel: np.ndarray) -> float:
    """Noise level left in a panel, by a standard estimator (wavelet MAD, Donoho & Johnstone; scikit-image)."""
    from skimage.restoration import estimate_sigma

    return float(estimate_sigma(panel / 255.0, channel_axis=-1, average_sigmas=True))


def test_more_prompted_denoising_leaves_less_noise_in_every_row(walk_png):
    figure, image, _ = walk_png
    panel = {key: image[t:b, left:r] for key, (left, t, r, b) in figure.boxes.items()}
    for row in range(4):
        levels = [residual_noise(panel[(row, c)]) for c in range(1, 4)]
        assert levels[0] > levels[1] > levels[2], (row, levels)
    # Denoising as asked removes most of the input's noise (σ 0.10 ≈ 0.1 on this scale).
    assert residual_noise(panel[(0, 3)]) < 0.2 * residual_noise(panel[(0, 0)])


def test_more_prompted_deblurring_sharpens_a_blurred_input():
    from baselines.classical_prompted import ClassicalPromptedRestorer
    from tests.patterns import textured

    lq = degrade_blur_noise(textured(128), blur=2.0, noise=0.0, seed=0)
    figure = walk_grid(ClassicalPromptedRestorer(), lq, deblur_sigmas=(0.5, 1.0, 2.0, 3.0), denoise_sigmas=())
    assert set(figure.boxes) == {(r, 0) for r in range(5)}
    energies = [high_frequency_energy(figure.panel(r, 0)) for r in range(1, 5)]
    assert energies == sorted(energies) and energies[-1] > 3 * energies[0], energies
