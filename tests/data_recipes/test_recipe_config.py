"""Recipe configs: YAML parsing into frozen dataclasses, validation, the registry and the paper's values."""

from __future__ import annotations

import dataclasses

import pytest

from data_recipes import RECIPES, MixtureConfig, RecipeConfig, load_recipe, parse_recipe_yaml, shard_ranges
from tipbench.errors import ConfigError


def test_every_registered_recipe_parses_and_round_trips():
    assert {"tip-train", "tip-train-clean", "ablation-type-only", "ablation-no-semantic", "ablation-param-only",
            "ablation-realesrgan-only", "sample-train"} <= set(RECIPES.names())
    for name in RECIPES.names():
        recipe = load_recipe(name)
        assert recipe.name == name
        assert RecipeConfig.from_dict(recipe.to_dict()) == recipe


def test_tip_train_is_the_paper_mixture():
    mix = load_recipe("tip-train").mixture
    assert (mix.realesrgan_probability, mix.type_only_probability, mix.semantic_dropout) == (0.5, 0.5, 0.1)
    assert mix.restoration_dropout == 0.0
    assert load_recipe("tip-train").resolution == 512
    assert load_recipe("tip-train-clean").mode == "clean"
    assert load_recipe("tip-train-clean").mixture == mix


def test_configs_are_frozen():
    recipe = load_recipe("tip-train")
    with pytest.raises(dataclasses.FrozenInstanceError):
        recipe.seed = 3  # type: ignore[misc]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("name: x\nmixtur: {}", "mixtur"),
        ("name: x\nmixture: {semantic_dropout: 1.5}", "semantic_dropout"),
        ("name: x\nmixture: {semantic_drop: 0.1}", "semantic_drop"),
        ("name: x\nsource: {kind: flickr}", "flickr"),
        ("name: x\ncrop: {mode: smart}", "smart"),
        ("name: Bad_Name", "name"),
        ("name: x\nmode: lazy", "lazy"),
        ("name: x\nresolution: -1", "resolution"),
        ("- a list", "mapping"),
        ("name: x\nnum_samples: 0", "num_samples"),
        ("description: no name", "name"),
    ],
)
def test_bad_recipes_raise_config_error_naming_the_problem(text, fragment):
    with pytest.raises(ConfigError, match=fragment):
        parse_recipe_yaml(text)


def test_unknown_recipe_lists_the_available_ones():
    with pytest.raises(ConfigError, match="tip-train"):
        load_recipe("no-such-recipe")


def test_replace_revalidates():
    recipe = load_recipe("tip-train").replace(seed=7)
    assert recipe.seed == 7
    with pytest.raises(ConfigError):
        load_recipe("tip-train").replace(seed=-1)
    assert MixtureConfig.from_dict({"realesrgan_probability": 1}).realesrgan_probability == 1


def test_shard_ranges_cover_every_index_once():
    for total, shards in [(10, 3), (7, 7), (5, 8), (100, 1)]:
        ranges = shard_ranges(total, shards)
        assert len(ranges) == shards
        assert [i for r in ranges for i in r] == list(range(total))
