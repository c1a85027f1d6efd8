"""Fixtures for data_recipes tests (helpers live in recipe_helpers.py, a unique module name)."""

from __future__ import annotations

from pathlib import Path

import pytest
from recipe_helpers import make_captioned_folder, realesrgan_available


@pytest.fixture(scope="session")
def captioned_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_captioned_folder(tmp_path_factory.mktemp("captioned"))


@pytest.fixture(scope="session")
def mix_realesrgan() -> float:
    """The Real-ESRGAN share for built-shard tests: the paper's 0.5 once that pipeline exists, else 0."""
    return 0.5 if realesrgan_available() else 0.0
