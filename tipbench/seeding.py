"""Seeds per protocol §2: every draw for item `i` comes from SeedSequence([global_seed, stage, i]).

Nothing in the package touches global RNG state; every consumer asks this module for its own generator.
"""

from __future__ import annotations

from enum import IntEnum
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import torch


class Stage(IntEnum):
    """Fixed stage numbers (protocol §2). Changing one is a new protocol version."""

    SELECTION = 0
    CAPTION = 1
    DEGRADATION = 2
    CROP = 3
    RESTORE = 4
    SELECTIVE = 5
    TRAIN_MIX = 6


def seed_sequence(global_seed: int, stage: int, index: int) -> np.random.SeedSequence:
    """The SeedSequence for (global seed, stage, item index)."""
    for name, value in (("global_seed", global_seed), ("stage", stage), ("index", index)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
            raise ValueError(f"`{name}` must be a non-negative integer, got {value!r}")
    return np.random.SeedSequence([int(global_seed), int(stage), int(index)])


def item_rng(global_seed: int, stage: int, index: int) -> np.random.Generator:
    """A fresh PCG64 generator for one item and stage.

    >>> a = item_rng(0, Stage.DEGRADATION, 5).random()
    >>> a == item_rng(0, Stage.DEGRADATION, 5).random()
    True
    """
    return np.random.Generator(np.random.PCG64(seed_sequence(global_seed, stage, index)))


def restorer_seed(global_seed: int, index: int) -> int:
    """The integer seed a restorer receives for an item (protocol §2).

    >>> isinstance(restorer_seed(0, 3), int)
    True
    """
    return int(seed_sequence(global_seed, Stage.RESTORE, index).generate_state(1)[0])


def derived_seed(rng: np.random.Generator) -> int:
    """Draw a 63-bit integer seed from `rng`, to be stored in parameters (e.g. a noise realisation seed)."""
    return int(rng.integers(0, 2**63 - 1, dtype=np.int64))


def rng_from_seed(seed: int) -> np.random.Generator:
    """A generator from a stored integer seed (the `noise_seed` of a parameter record)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(int(seed))))


def torch_generator(seed: int, device: Any = "cpu") -> torch.Generator:
    """A `torch.Generator` on `device` seeded from an integer produced by this module."""
    import torch

    generator = torch.Generator(device=device)
    generator.manual_seed(int(seed) & 0x7FFF_FFFF_FFFF_FFFF)
    return generator
