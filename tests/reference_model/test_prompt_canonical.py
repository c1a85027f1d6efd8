"""What reaches the reference model's text encoder: c_r in the canonical spelling training used (an unparsable c_r
is refused), and `blind` as a test-time policy that no checkpoint is trained with."""

from __future__ import annotations

import numpy as np
import pytest

from reference_model.prompting import adapter_prompt_options
from reference_model.restorer import TIPRestorer
from reference_model.tiny import save_tiny_pipeline
from tipbench.contracts.prompt_policy import BLIND
from tipbench.errors import ConfigError, PromptError


@pytest.fixture(scope="module")
def tip(tmp_path_factory):
    return TIPRestorer(save_tiny_pipeline(tmp_path_factory.mktemp("tip") / "tip"), steps=2)


def test_restoration_prompt_is_canonicalised_before_encoding(tip):
    assert tip._prompts("", "deblur with sigma 3.0;") == ("", "Deblur with sigma 3.0")
    assert tip._prompts("a cat", "denoise with sigma 0.1;  upsample to 2x") == (
        "a cat", "Upsample to 2.0x; Denoise with sigma 0.10")
    assert tip._prompts("", "remove all degradations") == ("", "Remove all degradation")
    lq = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    spelled = tip.restore(lq, restoration_prompt="deblur with sigma 3.0;", out_size=(32, 32), seed=1)
    canonical = tip.restore(lq, restoration_prompt="Deblur with sigma 3.0", out_size=(32, 32), seed=1)
    other = tip.restore(lq, restoration_prompt="Deblur with sigma 3.0; Dejpeg with quality 40", out_size=(32, 32),
                        seed=1)
    assert np.array_equal(spelled, canonical) and not np.array_equal(canonical, other)


def test_an_unparsable_restoration_prompt_is_a_prompt_error(tip):
    lq = np.zeros((16, 16, 3), np.uint8)
    with pytest.raises(PromptError, match="unknown operation `make it pretty`"):
        tip.restore(lq, restoration_prompt="make it pretty", out_size=(32, 32))


def test_blind_is_a_test_time_policy_not_a_training_one():
    from reference_model.train.config import ModelConfig

    with pytest.raises(ConfigError, match="test-time use"):
        adapter_prompt_options(BLIND)
    with pytest.raises(ConfigError, match="model.prompts"):
        ModelConfig(prompts=BLIND)
