"""Tiny seeded TIP components and a small captioned image folder for the reference-model tests (CPU, offline)."""

from __future__ import annotations

import csv
import os
from contextlib import contextmanager

import numpy as np
import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def make_image_folder(root, count: int = 6, size: int = 40) -> str:
    """`count` smooth random RGB PNGs of `size` px plus captions.csv (the generic folder source layout)."""
    from tipbench.io import write_png

    root.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(0)
    with open(root / "captions.csv", "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["file_name", "caption"])
        for index in range(count):
            y, x = np.mgrid[0:size, 0:size] / size
            phase = rng.uniform(0, 6, 3)
            image = 0.5 + 0.4 * np.stack([np.sin(5 * x + phase[0]), np.cos(4 * y + phase[1]),
                                          np.sin(3 * (x + y) + phase[2])], -1)
            write_png(root / f"img{index}.png", np.rint(image * 255).astype(np.uint8))
            writer.writerow([f"img{index}.png", f"a pattern number {index}"])
    return str(root)


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


def tiny_train_overrides(output_dir, image_folder, **extra) -> dict:
    """Overrides that point reference_model/configs/tiny.yaml at a tmp folder and output dir."""
    data = {"recipe": {"name": "tiny-test", "source": {"kind": "folder", "root": image_folder},
                       "crop": {"mode": "random", "min_short_side": 16},
                       "mixture": {"realesrgan_probability": 0.0}}}
    data.update(extra.pop("data", {}))
    return {"output_dir": str(output_dir), "data": data, "num_validation_images": 0, **extra}
