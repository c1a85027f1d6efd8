"""The Restorer implementations on tiny random checkpoints written by `save_tiny_pipeline`."""

from __future__ import annotations

import numpy as np
import pytest

from reference_model.restorer import ControlNetSRCLIPRestorer, ReferenceModelRestorer, TIPRestorer
from reference_model.tiny import save_tiny_pipeline
from tipbench.contracts.restorer import Restorer
from tipbench.errors import MissingWeightsError, RestorerError


@pytest.fixture(scope="module")
def checkpoints(tmp_path_factory):
    root = tmp_path_factory.mktemp("tiny_checkpoints")
    return {
        "tip": save_tiny_pipeline(root / "tip"),
        "none": save_tiny_pipeline(root / "none", fusion="additive", prompts="none"),
        "type-only": save_tiny_pipeline(root / "type-only", prompts="both-type-only"),
    }


def _lq(seed: int = 0, size: tuple[int, int] = (12, 10)) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (*size, 3), dtype=np.uint8)


def test_restore_returns_out_size_uint8(checkpoints):
    restorer = TIPRestorer(checkpoints["tip"], steps=2)
    assert isinstance(restorer, Restorer)
    assert restorer.uses_semantic_prompt and restorer.uses_restoration_prompt
    out = restorer.restore(_lq(), semantic_prompt="a dog", restoration_prompt="Upsample to 4.0x",
                           out_size=(48, 40), seed=5)
    assert out.shape == (48, 40, 3) and out.dtype == np.uint8
    again = restorer.restore(_lq(), semantic_prompt="a dog", restoration_prompt="Upsample to 4.0x",
                             out_size=(48, 40), seed=5)
    assert np.array_equal(out, again)
    settings = restorer.settings()
    assert settings["weights"] == "random" and settings["steps"] == 2 and settings["guidance_scale"] == 5.0
    assert settings["sampler"] == "ddim" and settings["eta"] == 0.0 and settings["fusion"] == "modulation"


def test_restore_batch_matches_single_items(checkpoints):
    restorer = TIPRestorer(checkpoints["tip"], steps=2, batch_size=3)
    items = [dict(lq=_lq(i), semantic_prompt=["a cat", "", "a boat"][i], restoration_prompt="Deblur with sigma 1.0",
                  out_size=(32, 32), seed=i) for i in range(3)]
    items.append(dict(lq=_lq(3), out_size=(16, 24), seed=3))  # another size: its own group
    batch = restorer.restore_batch(items)
    assert [b.shape for b in batch] == [(32, 32, 3)] * 3 + [(16, 24, 3)]
    for item, result in zip(items, batch):
        single = restorer.restore(**item)
        assert np.abs(single.astype(int) - result.astype(int)).max() <= 1


def test_prompt_switches_follow_the_checkpoint(checkpoints, caplog):
    plain = ReferenceModelRestorer(checkpoints["none"], name="controlnet-sr", steps=1)
    assert not plain.uses_semantic_prompt and not plain.uses_restoration_prompt
    with caplog.at_level("WARNING"):
        plain.restore(_lq(), semantic_prompt="a cat", restoration_prompt="Deblur", out_size=(16, 16))
    assert plain.ignored_prompts == ["restoration_prompt", "semantic_prompt"]
    assert plain._prompts("a cat", "Deblur") == ("", "")
    clip = ControlNetSRCLIPRestorer(checkpoints["none"], steps=1)
    assert clip.uses_semantic_prompt and not clip.uses_restoration_prompt
    assert clip._prompts("a cat", "Deblur") == ("a cat", "")
    typed = TIPRestorer(checkpoints["type-only"], steps=1)
    assert typed._prompts("a", "Deblur with sigma 2.0; Dejpeg with quality 40") == ("a", "Deblur; Dejpeg")


def test_bad_inputs_and_missing_checkpoints(checkpoints, tmp_path, monkeypatch):
    restorer = TIPRestorer(checkpoints["tip"], steps=1)
    with pytest.raises(RestorerError, match="uint8"):
        restorer.restore(np.zeros((8, 8, 3), np.float32))
    with pytest.raises(RestorerError):
        TIPRestorer(tmp_path / "nowhere")
    adapter_only = tmp_path / "adapter-only"
    restorer.pipeline.adapter.save_pretrained(adapter_only)
    monkeypatch.setenv("TIPBENCH_WEIGHTS", str(tmp_path / "empty-weights"))
    with pytest.raises(MissingWeightsError, match="sd15"):
        TIPRestorer(adapter_only)


def test_adapter_only_checkpoint_with_explicit_base(checkpoints, tmp_path):
    adapter_only = tmp_path / "adapter-only"
    TIPRestorer(checkpoints["tip"], steps=1).pipeline.adapter.save_pretrained(adapter_only)
    restorer = TIPRestorer(adapter_only, base=checkpoints["tip"], steps=1)
    full = TIPRestorer(checkpoints["tip"], steps=1)
    lq = _lq()
    assert restorer.weights == "unknown"  # no tipbench.json: nothing vouches for the adapter's provenance
    assert np.array_equal(restorer.restore(lq, out_size=(16, 16)), full.restore(lq, out_size=(16, 16)))
