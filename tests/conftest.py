"""Shared test fixtures: small deterministic images (no downloads, no global RNG)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@pytest.fixture(scope="session", autouse=True)
def _user_cache_in_tmp(tmp_path_factory):
    """The package's user cache (verified split files, `TIPBENCH_CACHE`) lives in the session's tmp dir, so tests
    never write into the home folder and never see a developer's cache."""
    from tipbench.paths import ENV_CACHE

    previous = os.environ.get(ENV_CACHE)
    os.environ[ENV_CACHE] = str(tmp_path_factory.mktemp("tipbench-cache"))
    yield
    if previous is None:
        os.environ.pop(ENV_CACHE, None)
    else:
        os.environ[ENV_CACHE] = previous

#: Every file a test item was collected from in this session (before `-m` deselection): tests/test_collection.py.
COLLECTED_FILES = pytest.StashKey[set]()


def pytest_itemcollected(item: pytest.Item) -> None:
    item.config.stash.setdefault(COLLECTED_FILES, set()).add(Path(str(item.path)).resolve())


def textured_image(size: int = 512, seed: int = 0) -> np.ndarray:
    """A smooth-plus-edges RGB test image (uint8), deterministic in `seed`."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    base = np.stack([0.5 + 0.4 * np.sin(6 * x + 2 * y), 0.5 + 0.4 * np.cos(5 * y), 0.5 + 0.3 * np.sin(9 * x * y)], -1)
    blocks = ((x * 8).astype(int) + (y * 8).astype(int)) % 2
    image = 0.7 * base + 0.3 * blocks[..., None] + 0.02 * rng.standard_normal((size, size, 3))
    return np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)


@pytest.fixture
def image512() -> np.ndarray:
    return textured_image(512)


def error_text(err: str) -> str:
    """What a command printed from its `error: …` line on, after checking that everything before it on stderr is
    log records (`LEVEL logger: message`, the shared CLI format) and that no traceback was printed."""
    assert "Traceback" not in err, err
    lines = err.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("error: ")]
    assert len(starts) == 1, f"expected one `error:` line in stderr:\n{err}"
    for line in lines[:starts[0]]:
        assert line.split(" ", 1)[0] in ("DEBUG", "INFO", "WARNING") or line.startswith(" "), line
    return "".join(lines[starts[0]:])
