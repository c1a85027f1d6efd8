"""CLIP-I / CLIP-T: self-similarity 1, QuickGELU enforced for OpenAI weights, open_clip preprocessing."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from tipbench.errors import ConfigError
from tipbench.metrics.clip import CLIPImageSimilarity, CLIPTextSimilarity, build_encoder
from tipbench.metrics.networks import build_clip, clip_weights_name, uses_quick_gelu


@pytest.fixture(scope="module")
def encoder():
    return build_encoder(weights="random")


def test_clip_i_of_an_image_with_itself_is_one(encoder):
    batch = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (2, 3, 48, 64), dtype=np.uint8))
    metric = CLIPImageSimilarity(encoder)
    values = metric.update(batch, batch)
    torch.testing.assert_close(values, torch.ones(2, dtype=torch.float64), rtol=0, atol=1e-6)
    other = metric.update(batch, batch.flip(0))
    assert float(other.max()) < 1.0


def test_clip_t_is_null_for_empty_captions_and_raw_cosine(encoder):
    batch = torch.from_numpy(np.random.default_rng(1).integers(0, 256, (2, 3, 40, 40), dtype=np.uint8))
    metric = CLIPTextSimilarity(encoder)
    values = metric.update(batch, ["a red bus", ""])
    assert torch.isnan(values[1]) and not torch.isnan(values[0])
    assert -1.0 <= float(values[0]) <= 1.0
    image = encoder.uint8_images(batch[:1]).double()
    text = encoder.texts(["a red bus"]).double()
    expected = (image / image.norm()) @ (text / text.norm()).T
    assert float(values[0]) == pytest.approx(float(expected), abs=1e-6)
    assert metric.compute() == pytest.approx(float(values[0]))


def test_preprocessing_is_224_with_openai_statistics(encoder):
    from PIL import Image

    view = encoder.bundle.preprocess(Image.fromarray(np.full((60, 90, 3), 255, np.uint8)))
    assert view.shape == (3, 224, 224)
    expected = (1.0 - torch.tensor([0.48145466, 0.4578275, 0.40821073])) / torch.tensor([0.26862954, 0.26130258, 0.27577711])
    torch.testing.assert_close(view[:, 112, 112], expected)


def test_gelu_model_is_refused_for_openai_weights():
    with pytest.raises(ConfigError, match="QuickGELU"):
        clip_weights_name("ViT-L-14")
    with pytest.raises(ConfigError, match="QuickGELU"):
        build_clip("ViT-B-32", weights="random")
    with pytest.raises(ConfigError, match="unknown CLIP model"):
        clip_weights_name("RN50")
    assert clip_weights_name("ViT-L-14-quickgelu") == "clip-vit-l-14-openai"


def test_random_models_use_quick_gelu(encoder):
    assert uses_quick_gelu(encoder.bundle.model)
    full = build_clip("ViT-B-32-quickgelu", weights="random", arch="full")
    assert uses_quick_gelu(full.model)


def test_every_metric_with_an_implementation_has_the_stateful_interface():
    from tipbench.metrics import METRICS
    from tipbench.metrics.specs import SUMMARY_SCORES

    implemented = {name for name in METRICS.names() if METRICS.get(name).implementation}
    assert implemented == set(SUMMARY_SCORES)  # every score of a summary.json, and only those
    for name in implemented:
        spec, cls = METRICS.get(name), METRICS.get(name).load()
        assert cls.higher_is_better is spec.higher_is_better and cls.per_image is spec.per_image
        assert all(callable(getattr(cls, attr, None)) for attr in ("update", "compute", "reset"))
    assert METRICS.get("fid").load().per_image is False and METRICS.get("lpips").load().higher_is_better is False
