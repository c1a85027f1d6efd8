"""Real-ESRGAN blur kernels (protocol §4.2): sum 1, point symmetry, sinc centre, delta no-op, conventions."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from scipy import special

from tipbench.degradations.realesrgan import PARAMETER_SETS
from tipbench.degradations.realesrgan.kernels import make_kernel, mixed_kernel, sinc_kernel
from tipbench.degradations.realesrgan.numpy_backend import blur
from tipbench.degradations.realesrgan.record import KernelParams
from tipbench.degradations.realesrgan.sampling import sample_final_kernel, sample_kernel
from tipbench.degradations.realesrgan.torch_ops import filter2d


def _sampled_kernels(n: int = 400) -> list[KernelParams]:
    rng = np.random.default_rng(11)
    kernels = []
    for ranges in PARAMETER_SETS.values():
        for _ in range(n):
            kernels += [sample_kernel(rng, ranges.kernel1), sample_kernel(rng, ranges.kernel2)]
            kernels.append(sample_final_kernel(rng, 0.8))
    return kernels


def test_every_sampled_kernel_sums_to_one_is_point_symmetric_and_padded_to_21():
    kinds = set()
    for params in _sampled_kernels():
        kinds.add(params.kind)
        kernel = make_kernel(params)
        assert kernel.shape == (21, 21) and kernel.dtype == np.float32
        assert abs(float(kernel.astype(np.float64).sum()) - 1.0) < 1e-5, params
        assert np.allclose(kernel, kernel[::-1, ::-1], atol=1e-7), params
        pad = (21 - params.size) // 2
        if pad:
            assert not kernel[:pad].any() and not kernel[:, -pad:].any(), params
    assert kinds == {"iso", "aniso", "generalized_iso", "generalized_aniso", "plateau_iso", "plateau_aniso",
                     "sinc", "delta"}  # fmt: skip


@pytest.mark.parametrize("omega, size", [(math.pi / 3, 7), (2.0, 13), (math.pi, 21)])
def test_sinc_centre_and_profile_before_normalisation(omega, size):
    raw = sinc_kernel(omega, size, normalise=False)
    centre = size // 2
    assert raw[centre, centre] == pytest.approx(omega**2 / (4 * math.pi), rel=1e-12)
    assert raw[centre, centre + 1] == pytest.approx(omega * special.j1(omega) / (2 * math.pi), rel=1e-12)
    r = math.sqrt(5)
    assert raw[centre + 2, centre - 1] == pytest.approx(
        omega * special.j1(omega * r) / (2 * math.pi * r), rel=1e-12
    )
    assert sinc_kernel(omega, size).sum() == pytest.approx(1.0)


def test_gaussian_axes_follow_the_column_row_convention():
    wide = mixed_kernel("aniso", 21, 3.0, 1.0, 0.0, None)  # σx along columns
    offsets = np.arange(21) - 10
    var_x = float((wide.sum(axis=0) * offsets**2).sum())
    var_y = float((wide.sum(axis=1) * offsets**2).sum())
    assert var_x == pytest.approx(9.0, rel=0.02) and var_y == pytest.approx(1.0, rel=0.02)
    rotated = mixed_kernel("aniso", 21, 3.0, 1.0, math.pi / 2, None)
    assert np.allclose(rotated, wide.T, atol=1e-12)


def test_family_formulas():
    gaussian = mixed_kernel("iso", 11, 1.5, 1.5, 0.0, None)
    assert np.allclose(mixed_kernel("generalized_iso", 11, 1.5, 1.5, 0.0, 1.0), gaussian)
    plateau = mixed_kernel("plateau_iso", 11, 1.5, 1.5, 0.0, 2.0)
    q = (np.arange(11) - 5.0) ** 2 / 1.5**2  # centre row: y = 0
    expected_row = 1 / (q**2 + 1)
    assert np.allclose(plateau[5] / plateau[5, 5], expected_row)
    generalized = mixed_kernel("generalized_iso", 11, 1.5, 1.5, 0.0, 0.5)
    assert np.allclose(generalized[5] / generalized[5, 5], np.exp(-0.5 * np.sqrt(q)))


def test_delta_kernel_is_a_no_op_in_both_backends():
    rng = np.random.default_rng(0)
    image = rng.random((40, 36, 3), dtype=np.float32)
    delta = KernelParams("delta", 21)
    assert blur(image, delta) is image
    kernel = torch.from_numpy(make_kernel(delta))[None].expand(2, -1, -1)
    batch = torch.from_numpy(image).permute(2, 0, 1)[None].repeat(2, 1, 1, 1)
    assert torch.equal(filter2d(batch, kernel), batch)


def test_numpy_blur_equals_torch_reflect_padded_21x21_convolution():
    rng = np.random.default_rng(1)
    image = rng.random((48, 40, 3), dtype=np.float32)
    records = [
        KernelParams("iso", 9, 1.7, 1.7, 0.0),  # separable path
        KernelParams("aniso", 21, 2.5, 0.6, 0.7),
        KernelParams("plateau_aniso", 15, 1.2, 2.0, -2.0, 1.4),
        KernelParams("sinc", 7, omega=1.3),
    ]
    batch = torch.from_numpy(image).permute(2, 0, 1)[None].repeat(len(records), 1, 1, 1)
    kernels = torch.from_numpy(np.stack([make_kernel(r) for r in records]))
    expected = filter2d(batch, kernels).permute(0, 2, 3, 1).numpy()
    for i, record in enumerate(records):
        assert np.abs(blur(image, record) - expected[i]).max() < 2e-6, record
