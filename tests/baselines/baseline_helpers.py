"""Fake clones holding the stand-in program (laid out like StableSR / DiffBIR)."""

from __future__ import annotations

import shutil
from pathlib import Path

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

