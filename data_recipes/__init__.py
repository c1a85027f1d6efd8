"""Training data for text-driven restoration: declarative recipes (Algorithm 1 mixtures), shard writer and reader.

`python -m data_recipes.shards RECIPE --out DIR` writes WebDataset-style shards; `data_recipes.reader` reads them
(paired, or clean with y synthesised per batch). See docs/data_recipes.md.
"""

from data_recipes.config import CropConfig, MixtureConfig, RecipeConfig, SourceConfig, shard_ranges
from data_recipes.recipes import RECIPES, load_recipe, parse_recipe_yaml

__all__ = [
    "RECIPES",
    "CropConfig",
    "MixtureConfig",
    "RecipeConfig",
    "SourceConfig",
    "load_recipe",
    "parse_recipe_yaml",
    "shard_ranges",
]
