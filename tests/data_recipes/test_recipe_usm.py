"""The USM and no-degradation recipe options (protocol §4.7): StableSR's training data as a recipe — the sharpened
GT is what is degraded and what training sees, paired and on-the-fly agree, and the DIV2K fine-tune uses both."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from recipe_helpers import within_binomial_loose

from data_recipes.config import CropConfig, MixtureConfig, RecipeConfig, SourceConfig
from data_recipes.mixture import draw_decisions, training_target
from data_recipes.onthefly import OnTheFlyDegrader, synthesize_cpu
from data_recipes.reader import decode_sample
from data_recipes.samples import SkipSample, build_sample
from data_recipes.sources import SeededOrder, open_source
from tipbench.errors import ConfigError
from tipbench.seeding import Stage, item_rng

ROOT = Path(__file__).resolve().parents[2]


def _recipe(folder: Path, **mixture) -> RecipeConfig:
    return RecipeConfig(name="usm-test", source=SourceConfig(kind="folder", root=str(folder)), resolution=96,
                        crop=CropConfig(min_short_side=100),
                        mixture=MixtureConfig(realesrgan_param_set="stablesr", **mixture))


def _samples(recipe: RecipeConfig, count: int) -> list[tuple[dict, dict]]:
    """(paired sample, clean sample) for the first `count` usable indices, decoded like the reader does."""
    order = SeededOrder(open_source(recipe.source), recipe.seed)
    out, index = [], 0
    while len(out) < count:
        try:
            paired = build_sample(replace(recipe, mode="paired"), order, index)
        except SkipSample:  # the folder's too-small and broken files
            index += 1
            continue
        clean = build_sample(replace(recipe, mode="clean"), order, index)
        out.append((decode_sample(paired.key, paired.members), decode_sample(clean.key, clean.members)))
        index += 1
    return out


def test_div2k_finetune_recipe_follows_stablesr_training_data():
    from reference_model.train.config import load_config
    from reference_model.train.data import load_recipe_config

    config = load_config(ROOT / "reference_model/configs/tip-div2k-ft.yaml")
    mixture = load_recipe_config(config.data.recipe, config.data.resolution).mixture
    # StableSR 398ee93 configs/stableSRNew/v2-finetune_text_T_512.yaml: use_usm True, no_degradation_prob 0.01
    assert mixture.usm is True and mixture.no_degradation_probability == 0.01
    assert mixture.realesrgan_param_set == "stablesr" and mixture.realesrgan_probability == 1.0


def test_the_new_decision_keeps_every_earlier_one():
    mixture = MixtureConfig(no_degradation_probability=0.3)
    for index in range(200):
        first_four = item_rng(0, Stage.TRAIN_MIX, index).random(4)
        decision = draw_decisions(mixture, 0, index)
        assert decision.pipeline == ("realesrgan" if first_four[0] < 0.5 else "param")
        assert decision.drop_semantic == bool(first_four[2] < 0.1)
    shares = [draw_decisions(mixture, 0, i).no_degradation for i in range(4000)]
    assert within_binomial_loose(sum(shares), 4000, 0.3)
    with pytest.raises(ConfigError, match="mixture.usm"):
        MixtureConfig(usm="yes")


def test_usm_target_is_degraded_and_trained_towards_paired_and_on_the_fly_alike(captioned_folder):
    recipe = _recipe(captioned_folder, usm=True, realesrgan_probability=0.5)
    pairs = _samples(recipe, 6)
    assert {paired["pipeline"] for paired, _ in pairs} == {"param", "realesrgan"}
    for paired, clean in pairs:
        assert paired["usm"] and clean["usm"]
        assert np.array_equal(paired["gt"], training_target(clean["gt"], True))  # x.png is the sharpened crop
        assert not np.array_equal(paired["gt"], clean["gt"])
        made = synthesize_cpu(clean)  # the loader's CPU path sharpens, then degrades the target
        assert np.array_equal(made["gt"], paired["gt"]) and np.array_equal(made["lq"], paired["lq"])
    torch_made = OnTheFlyDegrader(backend="torch")({key: [c[key] for _, c in pairs] for key in pairs[0][1]})
    for (paired, _), gt, lq in zip(pairs, torch_made["gt"], torch_made["lq"]):
        # the torch backend's usm_sharpen: the same target up to one 8-bit level
        assert np.abs(gt.astype(int) - paired["gt"].astype(int)).max() <= 1 and lq.shape == paired["lq"].shape


def test_an_undegraded_sample_is_its_target_with_an_empty_restoration_prompt(captioned_folder):
    recipe = _recipe(captioned_folder, usm=True, realesrgan_probability=1.0, no_degradation_probability=1.0)
    (paired, clean), = _samples(recipe, 1)
    assert np.array_equal(paired["lq"], paired["gt"]) and paired["restoration_prompt"] == ""
    assert paired["no_degradation"] and clean["no_degradation"] and clean["restoration_prompt_type"] == ""
    made = OnTheFlyDegrader(backend="torch")({key: [clean[key]] for key in clean})
    assert np.array_equal(made["lq"][0], paired["gt"]) and np.array_equal(made["gt"][0], paired["gt"])
