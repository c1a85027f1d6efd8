"""Fixtures for the reference-model tests: tiny seeded TIP components and a small captioned image folder (CPU)."""

from __future__ import annotations

import os
from contextlib import contextmanager

import pytest
from refmodel_helpers import make_image_folder

os.environ.setdefault("HF_HUB_OFFLINE", "1")


@contextmanager
def one_torch_thread():
    """One intra-op thread for these tiny models: on 2 shared cores, OpenMP spin-waits under contention made a
    2-step tiny pipeline call 30x slower (4.6 s vs 0.13 s measured). Restores the previous setting."""
    import torch

    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


@pytest.fixture(autouse=True, scope="module")
def single_torch_thread():
    with one_torch_thread():
        yield


@pytest.fixture(scope="session")
def image_folder(tmp_path_factory) -> str:
    return make_image_folder(tmp_path_factory.mktemp("tiny_images"))


@pytest.fixture(scope="session")
def tiny_components():
    """Frozen tiny base components (shared; tests must not modify them)."""
    from reference_model.tiny import tiny_base

    with one_torch_thread():
        base = tiny_base(seed=0)
    for name in ("unet", "vae", "text_encoder"):
        base[name].requires_grad_(False).eval()
    return base


@pytest.fixture
def tiny_pipe(tiny_components):
    """A tiny TIPPipeline with zero-initialised heads and its own adapter."""
    from reference_model.pipeline import TIPPipeline
    from reference_model.tiny import tiny_adapter

    adapter = tiny_adapter(tiny_components["unet"]).requires_grad_(False).eval()
    pipe = TIPPipeline(adapter=adapter, **tiny_components)
    pipe.set_progress_bar_config(disable=True)
    return pipe
