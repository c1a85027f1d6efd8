"""Fixtures for the baseline adapters: fake clones, weight folders."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from baseline_helpers import make_clone

from tipbench.methods import DIFFBIR_CLONE, METHODS, STABLESR_CLONE
from tipbench.weights import get_spec


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
    spec = METHODS.get("diffbir")
    every = dict.fromkeys(n for variant in (None, *spec.variants) for n in spec.weights_for(variant))
    names = tuple(n for n in every if get_spec(n).kind == "file")
    clone = make_clone(tmp_path / "DiffBIR", DIFFBIR_CLONE, names)
    monkeypatch.setenv(DIFFBIR_CLONE.repo_env, str(clone))
    monkeypatch.setenv(DIFFBIR_CLONE.python_env, shutil.which("python") or "python")
    return clone


@pytest.fixture
def tiny_sd15(weights_dir, tmp_path):
    from reference_model.tiny import save_tiny_pipeline

    source = save_tiny_pipeline(tmp_path / "tiny")
    target = weights_dir / "sd15" / get_spec("sd15").file_name
    shutil.copytree(source, target)
    (target / "model_index.json").write_text("{}")  # the entry's marker file
    return target
