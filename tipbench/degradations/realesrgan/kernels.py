"""Blur kernels of the Real-ESRGAN pipeline (protocol §4.2): six mixed families, sinc, and the delta.

Kernels are built in float64 on a k×k grid of integer offsets centred at 0 (x = column, y = row), divided by
their sum, returned as float32 and (by default) zero-padded symmetrically to 21×21 like the anchor.
"""

from __future__ import annotations

import math

import numpy as np
from scipy import special

from tipbench.degradations.realesrgan.params import PADDED_KERNEL_SIZE
from tipbench.degradations.realesrgan.record import KernelParams


def _offsets(size: int) -> tuple[np.ndarray, np.ndarray]:
    axis = np.arange(size, dtype=np.float64) - (size - 1) / 2
    x, y = np.meshgrid(axis, axis)  # x varies along columns, y along rows
    return x, y


def quadratic_form(size: int, sigma_x: float, sigma_y: float, theta: float) -> np.ndarray:
    """q(c) = cᵀ Σ⁻¹ c on the k×k grid, Σ = R·diag(σx², σy²)·Rᵀ with R the rotation by θ."""
    cos, sin = math.cos(theta), math.sin(theta)
    rotation = np.array([[cos, -sin], [sin, cos]])
    sigma = rotation @ np.diag([sigma_x**2, sigma_y**2]) @ rotation.T
    inverse = np.linalg.inv(sigma)
    x, y = _offsets(size)
    return inverse[0, 0] * x * x + (inverse[0, 1] + inverse[1, 0]) * x * y + inverse[1, 1] * y * y


def sinc_kernel(omega: float, size: int, *, normalise: bool = True) -> np.ndarray:
    """Circular low-pass ω_c·J₁(ω_c·r)/(2π·r), centre = ω_c²/(4π) (the r → 0 limit), float64 k×k."""
    x, y = _offsets(size)
    radius = np.hypot(x, y)
    centre = (size - 1) // 2
    radius[centre, centre] = 1.0  # placeholder, overwritten below; avoids 0/0
    kernel = omega * special.j1(omega * radius) / (2 * math.pi * radius)
    kernel[centre, centre] = omega**2 / (4 * math.pi)
    return kernel / kernel.sum() if normalise else kernel


def mixed_kernel(
    kind: str, size: int, sigma_x: float, sigma_y: float, theta: float, beta: float | None
) -> np.ndarray:
    """Gaussian exp(−q/2), generalized exp(−½·q^β) or plateau 1/(q^β + 1), normalised, float64 k×k."""
    q = quadratic_form(size, sigma_x, sigma_y, theta)
    if kind in ("iso", "aniso"):
        kernel = np.exp(-0.5 * q)
    elif kind.startswith("generalized"):
        kernel = np.exp(-0.5 * np.power(q, beta))
    elif kind.startswith("plateau"):
        kernel = 1.0 / (np.power(q, beta) + 1.0)
    else:
        raise ValueError(f"not a mixed kernel family: `{kind}`")
    return kernel / kernel.sum()


def delta_kernel(size: int = PADDED_KERNEL_SIZE) -> np.ndarray:
    """The no-op kernel: 1 at the centre."""
    kernel = np.zeros((size, size), dtype=np.float64)
    kernel[size // 2, size // 2] = 1.0
    return kernel


def pad_kernel(kernel: np.ndarray, size: int = PADDED_KERNEL_SIZE) -> np.ndarray:
    """Zero-pad a k×k kernel symmetrically to size×size."""
    pad = (size - kernel.shape[0]) // 2
    return np.pad(kernel, pad) if pad > 0 else kernel


def make_kernel(params: KernelParams, *, padded: bool = True) -> np.ndarray:
    """The float32 kernel a record describes; 21×21 when `padded`, else its own k×k size.

    >>> make_kernel(KernelParams("iso", 7, 1.0, 1.0, 0.0)).shape
    (21, 21)
    """
    if params.kind == "delta":
        kernel = delta_kernel(params.size)
    elif params.kind == "sinc":
        kernel = sinc_kernel(params.omega, params.size)
    else:
        kernel = mixed_kernel(
            params.kind, params.size, params.sigma_x, params.sigma_y, params.theta, params.beta
        )
    return (pad_kernel(kernel) if padded else kernel).astype(np.float32)


def separable_factor(params: KernelParams) -> np.ndarray | None:
    """The 1-D factor g (float32, sum 1) with kernel = g·gᵀ when the kernel is an isotropic Gaussian, else None.

    Only `iso` kernels are separable exactly (θ = 0, σx = σy, β = 1), which lets the numpy backend use two 1-D
    passes instead of one 2-D filter.
    """
    if params.kind != "iso":
        return None
    axis = np.arange(params.size, dtype=np.float64) - (params.size - 1) / 2
    factor = np.exp(-0.5 * axis**2 / params.sigma_x**2)
    return (factor / factor.sum()).astype(np.float32)
