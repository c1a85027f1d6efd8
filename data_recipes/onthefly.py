"""On-the-fly mode: y synthesised at training time from clean shards, with the draws the shard recorded.

A clean shard stores x, the prompts and the parameters drawn by the same recipe (Algorithm 1 with
`item_rng(seed, DEGRADATION, index)`), so on-the-fly and paired training see the same degradations:
param samples are degraded on CPU in the loader workers (protocol §3: same code as the test sets, bit-identical to a
paired shard); Real-ESRGAN samples are degraded per batch on the training device with the torch backend
(`tipbench.degradations.realesrgan.torch_backend`) when it is available, else on CPU with the numpy pipeline.
A recipe with `usm` degrades the USM-sharpened x and returns it as the sample's `gt` (the target): on the device with
the torch backend's `usm_sharpen`, on CPU with its numpy twin (they agree to 1e-4 before rounding to 8 bits).
An undegraded sample (`no_degradation`) gets its target as y.
"""

from __future__ import annotations

import json
import logging
from typing import Any, Literal

import numpy as np

from tipbench.degradations import DEGRADATIONS

logger = logging.getLogger(__name__)

Backend = Literal["auto", "torch", "cpu"]


def synthesize_cpu(sample: dict[str, Any]) -> dict[str, Any]:
    """The sample with `lq` made on CPU from its recorded parameters and `gt` replaced by the training target (a
    new dict)."""
    from data_recipes.mixture import training_target

    target = training_target(sample["gt"], bool(sample.get("usm")))
    if sample.get("no_degradation"):
        return {**sample, "gt": target, "lq": target.copy()}
    pipeline = DEGRADATIONS.get(sample["pipeline"])
    params = pipeline.params_from_dict(json.loads(sample["params"]))
    return {**sample, "gt": target, "lq": pipeline.apply(target, params).lq}


def _torch_batch_apply() -> Any | None:
    """The torch backend's batched apply, or None when that backend is not installed."""
    try:
        from tipbench.degradations.realesrgan import torch_backend
    except ImportError:
        return None
    return getattr(torch_backend, "apply_batch", None)


class OnTheFlyDegrader:
    """Fill the missing `lq` of a collated batch (dict of lists, see `collate_samples`).

    Args:
        device: where the torch backend runs (`cuda`, `cpu`, a `torch.device`).
        backend: `torch` (require the torch backend), `cpu` (numpy pipelines) or `auto` (torch when available).
    """

    def __init__(self, device: Any = "cpu", backend: Backend = "auto") -> None:
        if backend not in ("auto", "torch", "cpu"):
            raise ValueError(f"unknown backend `{backend}`; valid: auto, torch, cpu")
        self.device = device
        self.batch_apply = None if backend == "cpu" else _torch_batch_apply()
        if backend == "torch" and self.batch_apply is None:
            raise ImportError("the Real-ESRGAN torch backend (tipbench.degradations.realesrgan.torch_backend) is missing")

    def _torch_realesrgan(self, batch: dict[str, list[Any]], rows: list[int]) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Real-ESRGAN rows on the device, each with its recorded parameters and noise seed (reproducible):
        (their y, their training targets)."""
        import torch

        from tipbench.degradations.realesrgan.torch_ops import usm_sharpen

        pipeline = DEGRADATIONS.get("realesrgan")
        params = [pipeline.params_from_dict(json.loads(batch["params"][i])) for i in rows]
        gts = torch.from_numpy(np.stack([batch["gt"][i] for i in rows])).to(self.device)
        gts = gts.permute(0, 3, 1, 2).float() / 255.0
        sharpen = [k for k, i in enumerate(rows) if batch["usm"][i]]
        with torch.no_grad():
            if sharpen:  # the torch backend's `usm` (protocol §4.7), then rounded like a stored target
                gts[sharpen] = torch.round(usm_sharpen(gts[sharpen]).clamp(0, 1) * 255.0) / 255.0
            out = self.batch_apply(gts, params)

        def to_uint8(images: torch.Tensor) -> list[np.ndarray]:
            levels = torch.round(images.clamp(0, 1) * 255.0).to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
            return [np.ascontiguousarray(image) for image in levels]

        return to_uint8(out), to_uint8(gts)

    def __call__(self, batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        missing = [i for i, lq in enumerate(batch["lq"]) if lq is None]
        if not missing:
            return batch
        lq, gt = list(batch["lq"]), list(batch["gt"])
        batch = {**batch, "usm": batch.get("usm") or [False] * len(lq),
                 "no_degradation": batch.get("no_degradation") or [False] * len(lq)}
        realesrgan = [i for i in missing if batch["pipeline"][i] == "realesrgan" and not batch["no_degradation"][i]]
        if realesrgan and self.batch_apply is not None:
            outs, targets = self._torch_realesrgan(batch, realesrgan)
            for i, out, target in zip(realesrgan, outs, targets):
                lq[i], gt[i] = out, target
        for i in missing:
            if lq[i] is None:
                made = synthesize_cpu({key: values[i] for key, values in batch.items()})
                lq[i], gt[i] = made["lq"], made["gt"]
        return {**batch, "lq": lq, "gt": gt}
