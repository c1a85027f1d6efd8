"""A small seeded selective split for the adherence tests: the bundled sample photos at a small size, degraded by
the real selective pipeline (`tipbench.degradations.selective`), written as the builder lays a split out."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tiny_splits import make_selective_split, sample_photos  # noqa: F401


@pytest.fixture(scope="session")
def selective_split(tmp_path_factory) -> Path:
    return make_selective_split(tmp_path_factory.mktemp("adherence-splits"), n=9, size=128)
