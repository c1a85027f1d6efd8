"""Tiny split and run folders for the metrics tests, written directly with `tipbench.io` (no builder needed)."""

from __future__ import annotations

import pytest
from metrics_helpers import gt_images, make_run, noisy  # noqa: F401

from tests.tiny_splits import make_noise_split  # noqa: F401


@pytest.fixture
def no_weights(tmp_path, monkeypatch):
    """An empty weights folder and torch hub / HF caches, as on a fresh clone (clean-fid's /tmp stays as is)."""
    monkeypatch.setenv("TIPBENCH_WEIGHTS", str(tmp_path / "weights"))
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))
    monkeypatch.setenv("HF_HUB_CACHE", str(tmp_path / "hf"))
    from tipbench import weights

    library_paths = weights._library_cache_paths
    # Machine isolation: ignore clean-fid's hard-coded /tmp and the HF cache of this machine.
    monkeypatch.setattr(weights, "_library_cache_paths",
                        lambda spec: [] if spec.cache in ("clean-fid", "hf-hub") else library_paths(spec))
    return tmp_path / "weights"
