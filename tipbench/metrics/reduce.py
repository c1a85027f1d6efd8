"""One process's share of a scoring pass, and the reduction of every share into the one-process result.

Scoring across processes (`accelerate launch -m tipbench.score RUN_DIR`) gives each process whole batches of the
one-process pass (batch `k` to process `k mod N`), so every per-item value is computed from the same batch as in
one process and is exactly equal. Per-item values travel with their item positions and are put back in item order;
the FID statistics travel as count, mean and centred scatter and are merged (`merge_stats`), so the FID is computed
once from the statistics of the whole set — equal to one process up to float64 rounding (≤ 1e-9 relative).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch

from tipbench.metrics.functional.fid import FeatureStats, merge_stats


@dataclass
class PassShare:
    """What one process computed: per-item values (in the order of `positions`) and its FID statistics."""

    positions: list[int] = field(default_factory=list)
    pixel: dict[str, list[float]] = field(default_factory=dict)
    lpips: np.ndarray | None = None
    fid_pred: FeatureStats | None = None
    fid_target: FeatureStats | None = None  # None when the GT side came from the cache
    gt_features: list[np.ndarray] = field(default_factory=list)  # per batch, when the GT side was computed
    clip_out: list[torch.Tensor] = field(default_factory=list)  # per batch
    clip_gt: list[torch.Tensor] = field(default_factory=list)  # per batch, when the GT side was computed


def _reorder(blocks: list[np.ndarray], order: np.ndarray) -> np.ndarray | None:
    present = [block for block in blocks if block is not None and len(block)]
    return np.concatenate(present)[order] if present else None


def _reorder_tensors(blocks: list[torch.Tensor], order: np.ndarray) -> list[torch.Tensor]:
    present = [block for block in blocks if block.numel()]
    return [torch.cat(present)[torch.from_numpy(order)]] if present else []


def combine(shares: list[PassShare]) -> PassShare:
    """The shares of every process as one share in item order (one share is returned as it is)."""
    if len(shares) == 1:
        return shares[0]
    positions = [p for share in shares for p in share.positions]
    order = np.argsort(np.asarray(positions, dtype=np.int64), kind="stable")
    pixel = {name: np.concatenate([np.asarray(share.pixel[name], dtype=np.float64) for share in shares])[order]
             .tolist() for name in shares[0].pixel}
    lpips = None
    if shares[0].lpips is not None:
        lpips = _reorder([share.lpips for share in shares], order)
    gt_features = []
    if any(share.gt_features for share in shares):
        gt_features = [_reorder([np.concatenate(s.gt_features) if s.gt_features else None for s in shares], order)]
    fid_pred = merge_stats([s.fid_pred for s in shares]) if shares[0].fid_pred is not None else None
    fid_target = merge_stats([s.fid_target for s in shares]) if shares[0].fid_target is not None else None
    clip_out = _reorder_tensors([torch.cat(s.clip_out) if s.clip_out else torch.zeros(0) for s in shares], order)
    clip_gt = _reorder_tensors([torch.cat(s.clip_gt) if s.clip_gt else torch.zeros(0) for s in shares], order)
    return PassShare(sorted(positions), pixel, lpips, fid_pred, fid_target, gt_features, clip_out, clip_gt)
