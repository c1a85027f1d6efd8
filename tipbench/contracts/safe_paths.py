"""What may name a file inside a folder we were handed: item ids, folder names and manifest paths.

Split and run folders arrive from elsewhere (a colleague, the Hub), so every name read from them that becomes a
path is checked here before it is joined to a folder: an item id is one file stem of safe characters, a manifest
path is relative and stays inside its folder once symlinks are followed. The sources build their ids with the same
character set (`tipbench.sources.base.folder_id`), so a built split always passes.

>>> id_problem("000000139077"), id_problem("../../pwned")
(None, "has characters outside [A-Za-z0-9._-] ('/')")
>>> relative_path_problem("lq/a.png"), relative_path_problem("/etc/passwd")
(None, 'is absolute')
"""

from __future__ import annotations

import os
import re
from pathlib import Path

#: Characters of an item id (a file stem in gt/, lq/, target/ and out/): the sources' folder ids use the same set.
ID_CHARACTERS = "A-Za-z0-9._-"
UNSAFE_ID_CHAR = re.compile(f"[^{ID_CHARACTERS}]")
#: Longest id: `<id>.png` plus the atomic writer's temporary prefix and suffix must fit a 255-byte file name.
MAX_ID_LENGTH = 200


def id_problem(value: object) -> str | None:
    """Why `value` cannot be an item id, or None when it can."""
    if not isinstance(value, str):
        return f"is a {type(value).__name__}, not a string"
    if not value:
        return "is empty"
    unsafe = sorted(set(UNSAFE_ID_CHAR.findall(value)))
    if unsafe:
        return f"has characters outside [{ID_CHARACTERS}] ({', '.join(repr(c) for c in unsafe[:5])})"
    if set(value) == {"."}:
        return "is only dots"
    if len(value) > MAX_ID_LENGTH:
        return f"is {len(value)} characters long (at most {MAX_ID_LENGTH})"
    return None


def folder_name_problem(value: object) -> str | None:
    """Why `value` cannot be one folder name (a split name under the splits or runs root), or None."""
    if not isinstance(value, str):
        return f"is a {type(value).__name__}, not a string"
    if not value or value in (".", ".."):
        return "is not a folder name"
    if any(c in value for c in "/\\\0"):
        return "contains `/`, `\\` or NUL"
    return None


def relative_path_problem(value: object) -> str | None:
    """Why `value` is not a plain relative POSIX path (no `..`, no drive, no NUL), or None."""
    if not isinstance(value, str):
        return f"is a {type(value).__name__}, not a string"
    if not value:
        return "is empty"
    if "\0" in value:
        return "contains NUL"
    if "\\" in value:
        return "contains `\\` (paths in a manifest use `/`)"
    if value.startswith("/") or re.match(r"^[A-Za-z]:", value):
        return "is absolute"
    if any(part in ("..", ".", "") for part in value.split("/")):
        return "contains `.`, `..` or an empty part"
    return None


def resolved_root(folder: str | os.PathLike) -> Path:
    """The folder with every symlink followed: what paths inside it are compared against."""
    return Path(folder).resolve()


class Inside:
    """`inside` for many paths of one folder: each parent folder is resolved once, and a file only when it is a
    symlink (a plain entry of a folder that is inside is inside), so checking a 3000-row manifest stays cheap."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: dict[str, bool] = {}

    def __call__(self, relative: str) -> Path:
        """`root / relative`; `ValueError` when it is not plain or leads out of `root` with symlinks followed."""
        problem = relative_path_problem(relative)
        if problem:
            raise ValueError(f"path {relative!r} {problem}")
        folder = relative.rpartition("/")[0]
        if folder not in self._folders:
            self._folders[folder] = (self.root / folder).resolve().is_relative_to(self.root)
        path = self.root / relative
        if not self._folders[folder] or (path.is_symlink() and not path.resolve().is_relative_to(self.root)):
            raise ValueError(f"path {relative!r} leads out of the folder (to `{path.resolve()}` once symlinks are "
                             "followed)")
        return path


def inside(root: Path, relative: str) -> Path:
    """`root / relative` after checking that it stays inside `root` with symlinks followed (`root` resolved).

    Raises:
        ValueError: the path is not plain (`relative_path_problem`) or leads out of `root`.
    """
    return Inside(root)(relative)
