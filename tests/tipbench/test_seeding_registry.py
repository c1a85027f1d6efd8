"""Seeding helpers (protocol §2) and the generic registry."""

from __future__ import annotations

import numpy as np
import pytest

from tipbench.registry import Registry
from tipbench.seeding import Stage, item_rng, restorer_seed


def test_item_rng_follows_protocol_definition():
    expected = np.random.Generator(np.random.PCG64(np.random.SeedSequence([7, 2, 11]))).random(4)
    assert np.array_equal(item_rng(7, Stage.DEGRADATION, 11).random(4), expected)


def test_streams_differ_by_stage_and_index():
    draws = {(s, i): item_rng(0, s, i).random() for s in Stage for i in range(3)}
    assert len(set(draws.values())) == len(draws)


def test_restorer_seed_matches_protocol():
    assert restorer_seed(3, 9) == int(np.random.SeedSequence([3, 4, 9]).generate_state(1)[0])


@pytest.mark.parametrize("bad", [-1, 1.5, "3", True])
def test_bad_seed_values_rejected(bad):
    with pytest.raises(ValueError):
        item_rng(bad, 0, 0)


def test_registry_rules():
    registry: Registry = Registry("thing")
    registry.register("a-one", 1)
    registry.register("lazy", "json:dumps")
    assert registry.get("a-one") == 1
    assert registry.get("lazy")([1]) == "[1]"
    with pytest.raises(ValueError, match="already registered"):
        registry.register("a-one", 2)
    with pytest.raises(KeyError, match="available: a-one, lazy"):
        registry.get("nope")
    with pytest.raises(ValueError, match="must match"):
        registry.register("Bad_Name", 3)
    registry.freeze()
    with pytest.raises(RuntimeError):
        registry.register("b", 4)
