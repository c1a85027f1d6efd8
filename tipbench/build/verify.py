"""`python -m tipbench.build --verify --split S`: re-hash every file of a built split against its manifest.

Reports each file that is missing or whose bytes differ from the manifest's sha256, and a manifest that is not the
one split.json recorded; the verification cache (`tipbench.contracts.integrity`) is refreshed, never trusted here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from tipbench.errors import ConfigError


@dataclass(frozen=True)
class Verification:
    """What `--verify` found: the split folder, how many files it checked, and one line per problem."""

    split_dir: Path
    checked: int
    problems: tuple[str, ...]


def verify_built_split(split: str, out: str | None = None, *, progress: bool = False) -> Verification:
    """Verify `<out>/<split>/` (default `$TIPBENCH_HOME/splits/<split>`).

    Raises:
        ConfigError: `split` is not one folder name.
        ManifestError: not a readable split folder (bad manifest rows are named as `read_split_folder` does).
    """
    from tipbench import paths
    from tipbench.contracts.integrity import verify_split
    from tipbench.contracts.safe_paths import folder_name_problem
    from tipbench.contracts.split_folder import read_split_folder

    problem = folder_name_problem(split)
    if problem:
        raise ConfigError(f"--split `{split}` {problem}")
    folder = read_split_folder(paths.splits_dir(out) / split)
    checked, problems = verify_split(folder, progress=progress)
    return Verification(folder.path, checked, tuple(problems))
