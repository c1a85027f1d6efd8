"""Seeded module initialisation: random init that never touches the caller's global RNG state (protocol §2)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch


@contextmanager
def seeded_init(seed: int) -> Iterator[None]:
    """Seed torch's default generator for module initialisation only, restoring the caller's RNG state after.

    Module constructors draw their random init from torch's default generator; `fork_rng` keeps that use local.
    """
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(seed)  # CPU only: torch.manual_seed would reseed CUDA for good
        yield
