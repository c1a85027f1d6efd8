"""Fixtures for the baseline adapters: fake clones holding the stand-in program, weight folders, tiny inputs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tipbench.methods import DIFFBIR_CLONE, STABLESR_CLONE, SPECS
from tipbench.weights import get_spec

STANDIN = Path(__file__).parent / "standins" / "standin_program.py"


def make_clone(root: Path, clone, weight_names: tuple[str, ...] = ()) -> Path:
    """A folder laid out like the clone, with the stand-in as its entry script (and weight files if asked)."""
    entry = root / clone.entry
    entry.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(STANDIN, entry)
    for name in weight_names:
        path = root / str(clone.weights_subdir) / get_spec(name).file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"stand-in weights " + name.encode())
    return root


@pytest.fixture
def weights_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "weights"
    folder.mkdir()
    monkeypatch.setenv("TIPBENCH_WEIGHTS", str(folder))
    return folder


@pytest.fixture
def stablesr_clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, weights_dir: Path) -> Path:
    clone = make_clone(tmp_path / "StableSR", STABLESR_CLONE)
    for name in ("stablesr", "stablesr-cfw"):
        (weights_dir / get_spec(name).file_name).write_bytes(b"stand-in " + name.encode())
    monkeypatch.setenv(STABLESR_CLONE.repo_env, str(clone))
    monkeypatch.setenv(STABLESR_CLONE.python_env, shutil.which("python") or "python")
    return clone


@pytest.fixture
def diffbir_clone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, weights_dir: Path) -> Path:
    names = tuple(n for n in SPECS["diffbir"].weights_for("v1") if get_spec(n).kind == "file")
    clone = make_clone(tmp_path / "DiffBIR", DIFFBIR_CLONE, names)
    monkeypatch.setenv(DIFFBIR_CLONE.repo_env, str(clone))
    monkeypatch.setenv(DIFFBIR_CLONE.python_env, shutil.which("python") or "python")
    return clone
