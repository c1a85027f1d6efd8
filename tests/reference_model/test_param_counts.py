"""Table 6's measured parameter ratios: the recorded counts agree with themselves and with the docs, and (slow) a
fresh count of every variant at SD 1.5 size without weights gives the recorded file."""

from __future__ import annotations

import pytest

from reference_model.param_counts import BASELINE, VARIANT_CONFIGS, measure, read_param_counts


def test_recorded_ratios_are_the_counts_over_the_additive_controlnet():
    recorded = read_param_counts()
    assert set(recorded["variants"]) == set(VARIANT_CONFIGS) and recorded["baseline"] == BASELINE
    base = recorded["variants"][BASELINE]["trainable_parameters"]
    for entry in recorded["variants"].values():
        assert entry["relative_params"] == round(entry["trainable_parameters"] / base, 5)
    # docs/protocol.md §9.1: stock ControlNet 361,279,120; TIP adapter 372,758,800
    assert base == 361_279_120 and recorded["variants"]["tip"]["trainable_parameters"] == 372_758_800
    assert round(recorded["variants"]["tip@modulate-up"]["relative_params"], 3) == 1.047


@pytest.mark.slow
def test_a_fresh_count_at_sd15_size_gives_the_recorded_file():
    assert measure() == read_param_counts()
