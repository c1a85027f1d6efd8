"""Contract over every registered method: lazy entries import, capabilities agree with the spec, keys are valid."""

from __future__ import annotations

import re

import pytest

from tipbench.contracts.restorer import Restorer
from tipbench.methods import METHODS, MethodSpec, RestorerOptions, method_spec


def test_one_registry_of_specs_with_valid_keys():
    assert all(isinstance(METHODS.get(key), MethodSpec) and METHODS.get(key).key == key for key in METHODS)
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", key) for key in METHODS)
    expected = {"bicubic", "classical-prompted", "swinir", "stablesr", "diffbir", "diffbir-clip", "diffbir-sdedit",
                "controlnet-sr", "controlnet-sr-clip", "tip"}
    assert set(METHODS.names()) == expected


@pytest.mark.parametrize("key", METHODS.names())
def test_each_entry_imports_and_declares_what_the_spec_says(key):
    restorer_class = METHODS.get(key).load_class()
    assert isinstance(restorer_class, type)
    assert callable(getattr(restorer_class, "restore", None))
    for flag in ("uses_semantic_prompt", "uses_restoration_prompt"):
        declared = restorer_class.__dict__.get(flag, getattr(restorer_class, flag, None))
        if isinstance(declared, bool):  # the reference family sets these per checkpoint, in __init__
            assert declared == getattr(METHODS.get(key), flag), (key, flag)


@pytest.mark.parametrize("key", ["bicubic", "classical-prompted"])
def test_weightless_methods_satisfy_the_restorer_protocol(key):
    restorer = METHODS.get(key).load_class()(RestorerOptions())
    assert isinstance(restorer, Restorer) and restorer.name == key


def test_unknown_method_lists_the_choices():
    from tipbench.errors import ConfigError

    with pytest.raises(ConfigError, match="available: bicubic, classical-prompted"):
        method_spec("swinr")


def test_unknown_options_are_refused():
    from tipbench.errors import ConfigError
    from tipbench.methods import load_restorer

    with pytest.raises(ConfigError, match="has no option"):
        load_restorer("classical-prompted", options=RestorerOptions(extra=(("strength", "1"),)))


def test_the_missing_count_matches_the_files_listed(tmp_path, monkeypatch):
    """Every method's readiness (what `run` raises and the leaderboard's notes print) counts what it lists."""
    import re

    from leaderboard.make import fill_tables
    from tipbench.methods import readiness

    monkeypatch.setenv("TIPBENCH_WEIGHTS", str(tmp_path / "empty"))
    for key in METHODS.names():
        for variant in (None, *METHODS.get(key).variants):
            for problem in readiness(key, variant):
                if problem.kind == "weights":
                    (count,) = re.findall(r"(\d+) weight file\(s\)", problem.detail)
                    assert int(count) == len(problem.missing) == problem.detail.count(" - ") > 0, (key, variant)
    for table in fill_tables(tmp_path / "no-runs", ("1", "3", "4", "5", "6", "a")):
        for note in table.notes:
            parts = re.split(r"(\d+) weight file\(s\) missing or corrupt:", note)
            for count, listed in zip(parts[1::2], parts[2::2]):
                assert int(count) == len(re.findall(r" - [a-z0-9-]+: (?:missing|corrupt)", listed)) > 0, note
