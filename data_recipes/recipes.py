"""The RECIPES registry: one YAML file per recipe in `data_recipes/recipes/`, parsed into `RecipeConfig` at once.

Registry entries are the YAML paths (listing imports and parses nothing); `load_recipe` accepts a registered name
or a path to any recipe YAML, so users keep their own recipes outside the package.
"""

from __future__ import annotations

import os
from pathlib import Path

from data_recipes.config import RecipeConfig
from tipbench.errors import ConfigError
from tipbench.registry import Registry

RECIPE_DIR = Path(__file__).resolve().parent / "recipes"

#: Recipe name → path of its YAML file.
RECIPES: Registry[Path] = Registry("recipe")
for _path in sorted(RECIPE_DIR.glob("*.yaml")):
    RECIPES.register(_path.stem, _path)


def parse_recipe_yaml(text: str, *, where: str = "<recipe>") -> RecipeConfig:
    """Parse recipe YAML text into a `RecipeConfig` (unknown keys and bad values raise `ConfigError`).

    >>> parse_recipe_yaml("name: demo\\nmixture: {semantic_dropout: 0.2}").mixture.semantic_dropout
    0.2
    """
    import yaml

    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ConfigError(f"`{where}` is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"`{where}` must hold a mapping of recipe keys, got {type(data).__name__}")
    try:
        return RecipeConfig.from_dict(data)
    except TypeError as exc:  # a wrongly typed nested value the dataclass constructor rejected
        raise ConfigError(f"`{where}`: {exc}") from exc


def load_recipe(name_or_path: str | os.PathLike) -> RecipeConfig:
    """A registered recipe by name, or a recipe YAML file by path."""
    text_name = str(name_or_path)
    if text_name in RECIPES:
        path = RECIPES.get(text_name)
    else:
        path = Path(name_or_path)
        if not path.is_file():
            raise ConfigError(
                f"unknown recipe `{text_name}` (not a registered name nor a YAML file); "
                f"available: {', '.join(RECIPES.names())}"
            )
    recipe = parse_recipe_yaml(Path(path).read_text(encoding="utf-8"), where=str(path))
    return recipe
