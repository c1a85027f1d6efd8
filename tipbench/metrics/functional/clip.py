"""CLIP-I / CLIP-T per pair (protocol §6): raw cosine of L2-normalised embeddings (no ×100, no clamp)."""

from __future__ import annotations

import torch

from tipbench.errors import ConfigError


def _normalise(embeddings: torch.Tensor) -> torch.Tensor:
    embeddings = embeddings.double()
    return embeddings / embeddings.norm(dim=-1, keepdim=True)


def _cosine(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    if a.shape != b.shape or a.ndim != 2:
        raise ConfigError(f"CLIP embeddings must be two (N, D) tensors of one shape, got {tuple(a.shape)}, {tuple(b.shape)}")
    return (_normalise(a) * _normalise(b)).sum(dim=-1)


def clip_image_similarity(pred_embeddings: torch.Tensor, target_embeddings: torch.Tensor) -> torch.Tensor:
    """Per-pair cosine between restored and GT image embeddings (float64, length N).

    >>> float(clip_image_similarity(torch.ones(1, 4), torch.ones(1, 4))[0])
    1.0
    """
    return _cosine(pred_embeddings, target_embeddings)


def clip_text_similarity(image_embeddings: torch.Tensor, text_embeddings: torch.Tensor) -> torch.Tensor:
    """Per-pair cosine between restored image embeddings and caption embeddings (float64, length N)."""
    return _cosine(image_embeddings, text_embeddings)
