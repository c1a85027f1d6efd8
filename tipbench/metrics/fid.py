"""FID (set level) as a stateful metric: streaming float64 statistics of restored and GT Inception features."""

from __future__ import annotations

from functools import partial

import numpy as np
import torch

from tipbench.errors import TipbenchError
from tipbench.metrics import networks
from tipbench.metrics.base import Metric
from tipbench.metrics.functional.fid import FeatureStats, _fid_update, frechet_distance
from tipbench.metrics.networks import MetricWeights, RandomArch
from tipbench.metrics.specs import METRICS
from tipbench.metrics.views import batch_views, fid_view, make_fid_resizer


class FID(Metric):
    """Fréchet Inception distance, restored set (`pred`) vs GT set (`target`), clean-fid "clean" semantics.

    Update with uint8 image batches (`update`), already-resized 299 batches (`update_resized`) or features
    (`update_features`); GT statistics can also be set from a cache (`set_target_stats`).
    """

    higher_is_better = METRICS.get("fid").higher_is_better
    per_image = METRICS.get("fid").per_image

    def __init__(self, weights: MetricWeights = "real", arch: RandomArch = "tiny", device: str = "cpu",
                 extractor: torch.nn.Module | None = None, feature_dim: int | None = None) -> None:
        super().__init__()
        self.device = device
        if extractor is None:
            extractor, self.weight_id = networks.build_inception(weights, arch, device)
        else:
            self.weight_id = "custom"
        self.extractor = extractor
        self.feature_dim = feature_dim or self._probe_dim()
        self.add_state("pred_stats", FeatureStats(self.feature_dim), "replace")
        self.add_state("target_stats", FeatureStats(self.feature_dim), "replace")
        self._resizer = None

    def _probe_dim(self) -> int:
        with torch.inference_mode():
            return int(self.extractor(torch.zeros(1, 3, 299, 299, device=self.device)).shape[1])

    def features(self, resized: torch.Tensor) -> np.ndarray:
        """(N, D) float64 features of N×3×299×299 floats in [0, 255]."""
        with torch.inference_mode():
            return self.extractor(resized.to(self.device, torch.float32)).double().cpu().numpy()

    def update_features(self, pred: np.ndarray | None, target: np.ndarray | None = None) -> None:
        if pred is not None:
            _fid_update(self.pred_stats, pred)
        if target is not None:
            _fid_update(self.target_stats, target)

    def update_resized(self, pred: torch.Tensor | None, target: torch.Tensor | None = None) -> np.ndarray | None:
        """Update from 299 views; returns the target features (for a GT cache) when `target` is given."""
        target_features = self.features(target) if target is not None else None
        self.update_features(self.features(pred) if pred is not None else None, target_features)
        return target_features

    def update(self, pred: torch.Tensor, target: torch.Tensor | None = None) -> None:
        """Update from Nx3xHxW uint8 batches (resized here with clean-fid's resizer)."""
        if self._resizer is None:
            self._resizer = make_fid_resizer()
        view = partial(fid_view, resizer=self._resizer)
        self.update_resized(batch_views(pred, view), batch_views(target, view) if target is not None else None)

    def set_target_stats(self, stats: FeatureStats) -> None:
        if stats.dim != self.feature_dim:
            raise TipbenchError(f"cached GT statistics have dimension {stats.dim}, the extractor {self.feature_dim}")
        self.target_stats = stats

    def compute(self) -> float:
        pred, target = self.pred_stats, self.target_stats
        return frechet_distance(pred.mean, pred.covariance(), target.mean, target.covariance())
