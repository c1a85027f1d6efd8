"""Fixtures for the run tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny_splits import make_param_split


@pytest.fixture
def param_split(tmp_path: Path) -> Path:
    return make_param_split(tmp_path / "splits")
