"""CLIP-I and CLIP-T as stateful metrics over one shared open_clip model (`networks.build_clip`)."""

from __future__ import annotations

from functools import partial

import torch

from tipbench.metrics.base import PerImageMetric
from tipbench.metrics.functional.clip import clip_image_similarity, clip_text_similarity
from tipbench.metrics.networks import ClipBundle, MetricWeights, RandomArch, build_clip
from tipbench.metrics.specs import DEFAULT_CLIP_MODEL, METRICS
from tipbench.metrics.views import batch_views, clip_view


class ClipEncoder:
    """Encodes preprocessed images and captions to embeddings (float32, not yet normalised)."""

    def __init__(self, bundle: ClipBundle, device: str = "cpu") -> None:
        self.bundle, self.device = bundle, device

    def images(self, views: torch.Tensor) -> torch.Tensor:
        with torch.inference_mode():
            return self.bundle.model.encode_image(views.to(self.device)).float().cpu()

    def uint8_images(self, batch: torch.Tensor) -> torch.Tensor:
        return self.images(batch_views(batch, partial(clip_view, preprocess=self.bundle.preprocess)))

    def texts(self, captions: list[str]) -> torch.Tensor:
        """Caption embeddings (77-token context, truncated by the tokenizer, no prefix)."""
        with torch.inference_mode():
            return self.bundle.model.encode_text(self.bundle.tokenizer(captions).to(self.device)).float().cpu()


def build_encoder(model_name: str = DEFAULT_CLIP_MODEL, weights: MetricWeights = "real", arch: RandomArch = "tiny",
                  device: str = "cpu") -> ClipEncoder:
    return ClipEncoder(build_clip(model_name, weights, arch, device), device)


class CLIPImageSimilarity(PerImageMetric):
    """CLIP-I: mean cosine of restored vs GT image embeddings (raw cosine)."""

    higher_is_better = METRICS.get("clip_i").higher_is_better

    def __init__(self, encoder: ClipEncoder) -> None:
        super().__init__()
        self.encoder = encoder

    def update_embeddings(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self._append(clip_image_similarity(pred, target))

    def update(self, pred: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return self.update_embeddings(self.encoder.uint8_images(pred), self.encoder.uint8_images(target))


class CLIPTextSimilarity(PerImageMetric):
    """CLIP-T: mean cosine of restored image vs caption embeddings; rows with an empty caption are NaN (null)."""

    higher_is_better = METRICS.get("clip_t").higher_is_better

    def __init__(self, encoder: ClipEncoder) -> None:
        super().__init__()
        self.encoder = encoder

    def update_embeddings(self, pred: torch.Tensor, text: torch.Tensor, has_caption: torch.Tensor) -> torch.Tensor:
        values = clip_text_similarity(pred, text)
        return self._append(torch.where(has_caption, values, torch.full_like(values, float("nan"))))

    def update(self, pred: torch.Tensor, captions: list[str]) -> torch.Tensor:
        has_caption = torch.tensor([bool(c) for c in captions])
        return self.update_embeddings(self.encoder.uint8_images(pred), self.encoder.texts(captions), has_caption)

    def compute(self) -> float | None:
        values = self.per_item()
        values = values[~torch.isnan(values)]
        return float(values.mean()) if values.numel() else None
