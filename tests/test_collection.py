"""Every test file runs: the README's test command collects each `tests/**/test_*.py` (pytest's default
`norecursedirs` holds `build`, which once hid all of tests/tipbench/build/ from CI)."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

import pytest

from tests.conftest import COLLECTED_FILES

TESTS = Path(__file__).resolve().parent
TEST_FILES = sorted(path.resolve() for path in TESTS.rglob("test_*.py"))


def test_no_test_folder_matches_norecursedirs(request):
    patterns = request.config.getini("norecursedirs")
    assert "build" not in patterns
    hidden = [str(path.relative_to(TESTS)) for path in TEST_FILES
              if any(fnmatch(part, pattern) for part in path.relative_to(TESTS).parts[:-1] for pattern in patterns)]
    assert hidden == []
    assert TESTS / "tipbench" / "build" / "test_build_coco.py" in TEST_FILES  # the folder that was once skipped


def test_the_whole_run_collected_every_test_file(request):
    """In a run over the whole tree (the README's command) every test file yielded at least one item."""
    whole_tree = any(Path(arg.split("::")[0]).resolve() == TESTS for arg in request.config.args)
    if not whole_tree:
        pytest.skip("this session collected a subset; the README's command (`python -m pytest`) checks this")
    collected = request.config.stash.get(COLLECTED_FILES, set())
    missing = [str(path.relative_to(TESTS)) for path in TEST_FILES if path not in collected]
    assert missing == []
