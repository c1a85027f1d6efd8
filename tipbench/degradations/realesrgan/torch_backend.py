"""Batched torch backend of the Real-ESRGAN pipeline, on any device (protocol §4.1, §4.7).

`apply_batch` degrades a B×3×H×W batch with one record per sample. Samples whose batch-level decisions agree
(resize, noise kind, second blur, final order and mode: what the anchor shares per batch) run as one batched
group; in test-set mode every record differs, so groups are single images. Outputs always have the LQ size, so
groups are scattered back into one tensor.

Noise realisations come, per sample, from (in this order of precedence):
1. `noise`: injected unit fields, the same (stage1, stage2) pairs the numpy backend takes and returns (numpy
   HxW gray / HxWx3 colour); with them both backends agree to within `BACKEND_TOLERANCE` (see the tests);
2. `generator`: a `torch.Generator` on the batch's device (fast, on-device; training);
3. otherwise the record's `noise_seed`, drawn with numpy exactly like the numpy backend (reproducible).

`degrade_training_batch` is training mode: records from `sample_batch(training=True)` (per-batch decisions where
the anchor makes them), noise from torch generators, and optionally USM-sharpened targets. One deliberate
difference: the anchor draws a single gray Gaussian field for the whole batch (protocol §4.7); here every
sample gets its own, as in test-set mode. Cropping and the anchor's training-pair pool belong to the data recipe.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from tipbench.degradations.realesrgan import noise as noise_ops
from tipbench.degradations.realesrgan import torch_ops
from tipbench.degradations.realesrgan.kernels import make_kernel
from tipbench.degradations.realesrgan.numpy_backend import check_geometry
from tipbench.degradations.realesrgan.params import DEFAULT_PARAMETER_SET, FINAL_ORDERS
from tipbench.degradations.realesrgan.record import KernelParams, NoiseParams, RealESRGANParams
from tipbench.degradations.realesrgan.sampling import sample_batch
from tipbench.errors import ConfigError, DegradationInputError
from tipbench.seeding import rng_from_seed

#: Per-image agreement with the numpy backend on the same record and injected noise (asserted in the tests):
#: mean |Δ| of the uint8 LQ ≤ 0.05 levels and at least 99 % of values within 1 level. Differences come from
#: float summation order (cv2 vs torch filters/resizes, ~1e-5), which can flip a JPEG coefficient's rounding.
BACKEND_TOLERANCE = {"mean_abs_levels": 0.05, "within_one_level": 0.99}

InjectedNoise = Sequence[np.ndarray | torch.Tensor | None]


def _interpolate(
    x: torch.Tensor, mode: str, *, scale: float | None = None, size: tuple[int, int] | None = None
) -> torch.Tensor:
    options = {} if mode == "area" else {"align_corners": False}
    if scale is not None:
        return x if scale == 1.0 else F.interpolate(x, scale_factor=scale, mode=mode, **options)
    return F.interpolate(x, size=size, mode=mode, **options)


def _kernels(records: Sequence[KernelParams], device: torch.device) -> torch.Tensor:
    return torch.from_numpy(np.stack([make_kernel(k) for k in records])).to(device)


def _to_field(field: np.ndarray | torch.Tensor, device: torch.device) -> torch.Tensor:
    """A numpy-layout unit field (HxW gray or HxWx3) → 1×H×W or 3×H×W float32 tensor."""
    tensor = torch.as_tensor(np.asarray(field, dtype=np.float32) if isinstance(field, np.ndarray) else field)
    tensor = tensor[None] if tensor.ndim == 2 else tensor.permute(2, 0, 1)
    return tensor.to(device=device, dtype=torch.float32)


@dataclass
class _NoiseSource:
    """Where one sample's unit noise comes from (see the module docstring)."""

    injected: InjectedNoise | None
    generator: torch.Generator | None
    rng: np.random.Generator | None

    def draw(self, image: torch.Tensor, params: NoiseParams, stage: int) -> torch.Tensor:
        if self.injected is not None and self.injected[stage - 1] is not None:
            field = _to_field(self.injected[stage - 1], image.device)
            expected = (1 if params.gray else 3, *image.shape[-2:])
            if tuple(field.shape) != expected:
                raise ConfigError(
                    f"injected stage-{stage} noise has shape {tuple(field.shape)}, expected {expected}"
                )
            return field
        if self.generator is not None:
            if params.kind == "poisson":
                return torch_ops.poisson_unit_noise(image, params.gray, self.generator)
            shape = (1 if params.gray else 3, *image.shape[-2:])
            return torch.randn(shape, generator=self.generator, device=image.device)
        # the record's seed: the numpy backend's exact draws (Poisson computed from this backend's image)
        hwc = image.permute(1, 2, 0).float().cpu().numpy()
        if params.kind == "gaussian":
            field = noise_ops.gaussian_unit_noise(self.rng, hwc.shape[:2], params.gray)
        else:
            field = noise_ops.poisson_unit_noise(self.rng, hwc, params.gray)
        return _to_field(field, image.device)


def _noisy(
    x: torch.Tensor, records: Sequence[NoiseParams], sources: Sequence[_NoiseSource], stage: int
) -> torch.Tensor:
    fields = torch.stack(
        [source.draw(x[i], records[i], stage).expand(3, -1, -1) for i, source in enumerate(sources)]
    )
    strengths = torch.tensor([r.strength for r in records], dtype=torch.float32)
    return torch_ops.add_noise(x, fields, strengths)


def _group_key(params: RealESRGANParams) -> tuple:
    return (
        params.input_size, params.scale_factor, params.resize1, params.noise1.kind, params.second_blur,
        params.resize2, params.noise2.kind, params.final_order, params.final_resize_mode,
    )  # fmt: skip


def _degrade_group(
    x: torch.Tensor, records: Sequence[RealESRGANParams], sources: Sequence[_NoiseSource]
) -> torch.Tensor:
    """The pipeline on a batch that shares every batch-level decision (so shapes agree)."""
    first = records[0]
    _, size2, final_size = first.stage_sizes()
    x = torch_ops.filter2d(x, _kernels([r.kernel1 for r in records], x.device))
    x = _interpolate(x, first.resize1.mode, scale=first.resize1.scale)
    x = _noisy(x, [r.noise1 for r in records], sources, 1)
    x = torch_ops.diff_jpeg(x, [r.jpeg1_quality for r in records])
    if first.second_blur:
        x = torch_ops.filter2d(x, _kernels([r.kernel2 for r in records], x.device))
    x = _interpolate(x, first.resize2.mode, size=size2)
    x = _noisy(x, [r.noise2 for r in records], sources, 2)
    final_kernels = _kernels([r.final_kernel for r in records], x.device)
    qualities = [r.jpeg2_quality for r in records]
    if first.final_order == FINAL_ORDERS[0]:
        x = _interpolate(x, first.final_resize_mode, size=final_size)
        x = torch_ops.filter2d(x, final_kernels)
        x = torch_ops.diff_jpeg(torch.clamp(x, 0.0, 1.0), qualities)
    else:
        x = torch_ops.diff_jpeg(x, qualities)
        x = _interpolate(x, first.final_resize_mode, size=final_size)
        x = torch_ops.filter2d(x, final_kernels)
    return x


def apply_batch(
    gt: torch.Tensor,
    params: Sequence[RealESRGANParams],
    *,
    noise: Sequence[InjectedNoise | None] | None = None,
    generator: torch.Generator | None = None,
    quantize: bool = True,
) -> torch.Tensor:
    """Degrade a batch, one record per sample.

    Args:
        gt: B×3×H×W float tensor in [0, 1] on any device.
        params: B records sampled for H×W.
        noise: optional per-sample (stage1, stage2) unit noise fields (numpy layout, as the numpy backend uses).
        generator: optional `torch.Generator` on `gt`'s device for the noise draws.
        quantize: round to 8-bit levels (clamp, ×255, round half to even, ÷255) as the anchor's last step.

    Returns:
        B×3×(H//scale)×(W//scale) float32 tensor.
    """
    if not isinstance(gt, torch.Tensor) or gt.ndim != 4 or gt.shape[1] != 3 or gt.numel() == 0:
        raise DegradationInputError(
            f"`gt` must be a non-empty B×3×H×W tensor, got {getattr(gt, 'shape', gt)!r}"
        )
    if not gt.is_floating_point() or not bool(torch.isfinite(gt).all()):
        raise DegradationInputError("`gt` must be a finite float tensor in [0, 1]")
    if len(params) != gt.shape[0] or (noise is not None and len(noise) != gt.shape[0]):
        raise ConfigError(
            f"need one record (and noise entry) per sample: batch {gt.shape[0]}, got {len(params)}"
        )
    for record in params:
        check_geometry(tuple(gt.shape[-2:]), record)
    sources = [
        _NoiseSource(noise[i] if noise is not None else None, generator, rng_from_seed(r.noise_seed))
        for i, r in enumerate(params)
    ]
    groups: dict[tuple, list[int]] = {}
    for i, record in enumerate(params):
        groups.setdefault(_group_key(record), []).append(i)
    gt = gt.float()
    out = None
    for members in groups.values():
        lq = _degrade_group(gt[members], [params[i] for i in members], [sources[i] for i in members])
        if out is None:
            out = gt.new_empty((gt.shape[0], *lq.shape[1:]))
        out[members] = lq
    return torch.round(torch.clamp(out, 0.0, 1.0) * 255.0) / 255.0 if quantize else out


def degrade_training_batch(
    gt: torch.Tensor,
    rng: np.random.Generator | torch.Generator,
    *,
    generator: torch.Generator | None = None,
    param_set: str = DEFAULT_PARAMETER_SET,
    scale: int = 4,
    usm: bool = False,
) -> tuple[torch.Tensor, torch.Tensor, list[RealESRGANParams]]:
    """Training mode: sample a batch with the anchor's per-batch decisions and degrade it on `gt`'s device.

    Args:
        gt: B×3×H×W float tensor in [0, 1].
        rng: the sampler's generator (numpy, or a CPU `torch.Generator` from which a numpy seed is drawn).
        generator: `torch.Generator` on `gt`'s device for the noise draws (None: the records' noise seeds).
        param_set: `realesrgan-x4plus` or `stablesr`.
        scale: overall down-scale.
        usm: synthesise from and return the USM-sharpened GT as the target (Real-ESRGAN's `gt_usm`).

    Returns:
        (LQ B×3×(H//scale)×(W//scale), target B×3×H×W, the records).
    """
    if isinstance(rng, torch.Generator):
        seed = int(torch.randint(0, 2**62, (1,), generator=rng).item())
        rng = rng_from_seed(seed)
    records = sample_batch(
        rng, gt.shape[0], param_set=param_set, size=tuple(gt.shape[-2:]), scale=scale, training=True
    )
    target = torch_ops.usm_sharpen(gt.float()) if usm else gt.float()
    return apply_batch(target, records, generator=generator), target, records


__all__ = ["BACKEND_TOLERANCE", "apply_batch", "degrade_training_batch"]
