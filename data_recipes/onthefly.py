"""On-the-fly mode: y synthesised at training time from clean shards, with the draws the shard recorded.

A clean shard stores x, the prompts and the parameters drawn by the same recipe (Algorithm 1 with
`item_rng(seed, DEGRADATION, index)`), so on-the-fly and paired training see the same degradations:
param samples are degraded on CPU in the loader workers (protocol §3: same code as the test sets, bit-identical to a
paired shard); Real-ESRGAN samples are degraded per batch on the training device with the torch backend
(`tipbench.degradations.realesrgan.torch_backend`) when it is available, else on CPU with the numpy pipeline.
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
    """The sample with `lq` made on CPU from its recorded parameters (a new dict)."""
    pipeline = DEGRADATIONS.get(sample["pipeline"])
    params = pipeline.params_from_dict(json.loads(sample["params"]))
    return {**sample, "lq": pipeline.apply(sample["gt"], params).lq}


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

    def _torch_realesrgan(self, batch: dict[str, list[Any]], rows: list[int]) -> list[np.ndarray]:
        """Real-ESRGAN rows on the device, each with its recorded parameters and noise seed (reproducible)."""
        import torch

        pipeline = DEGRADATIONS.get("realesrgan")
        params = [pipeline.params_from_dict(json.loads(batch["params"][i])) for i in rows]
        gts = torch.from_numpy(np.stack([batch["gt"][i] for i in rows])).to(self.device)
        gts = gts.permute(0, 3, 1, 2).float() / 255.0
        with torch.no_grad():
            out = self.batch_apply(gts, params)
        levels = torch.round(out.clamp(0, 1) * 255.0).to(torch.uint8).permute(0, 2, 3, 1).cpu().numpy()
        return [np.ascontiguousarray(image) for image in levels]

    def __call__(self, batch: dict[str, list[Any]]) -> dict[str, list[Any]]:
        missing = [i for i, lq in enumerate(batch["lq"]) if lq is None]
        if not missing:
            return batch
        lq = list(batch["lq"])
        realesrgan = [i for i in missing if batch["pipeline"][i] == "realesrgan"]
        if realesrgan and self.batch_apply is not None:
            for i, out in zip(realesrgan, self._torch_realesrgan(batch, realesrgan)):
                lq[i] = out
        for i in missing:
            if lq[i] is None:
                sample = {key: values[i] for key, values in batch.items()}
                lq[i] = synthesize_cpu(sample)["lq"]
        return {**batch, "lq": lq}
