"""Fixtures for the build tests: no source environment variables leak in from the machine."""

from __future__ import annotations

import pytest

from tipbench import paths


@pytest.fixture(autouse=True)
def _no_source_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (paths.ENV_COCO_ROOT, paths.ENV_DIV2K_ROOT, paths.ENV_STABLESR_TESTSETS, paths.ENV_FAULT_AFTER):
        monkeypatch.delenv(name, raising=False)
