"""Training data for text-driven restoration: declarative recipes (Algorithm 1 mixtures), shard writer and reader.

`python -m data_recipes.shards RECIPE --out DIR` writes WebDataset-style shards; `data_recipes.reader` reads them
(paired, or clean with y synthesised per batch). See docs/data_recipes.md.
"""

from data_recipes.config import CropConfig, MixtureConfig, RecipeConfig, SourceConfig, shard_ranges
from data_recipes.recipes import RECIPES, load_recipe, parse_recipe_yaml
from tipbench.registry import lazy_attributes

__all__ = [
    "RECIPES",
    "CropConfig",
    "MixtureConfig",
    "OnTheFlyDegrader",
    "RecipeConfig",
    "ShardIterableDataset",
    "SourceConfig",
    "load_recipe",
    "parse_recipe_yaml",
    "shard_ranges",
]

# The torch-importing readers load on first use.
__getattr__ = lazy_attributes(__name__, {"ShardIterableDataset": "data_recipes.loader",
                                         "OnTheFlyDegrader": "data_recipes.onthefly"})
