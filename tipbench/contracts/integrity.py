"""Integrity on use: the files a stage reads from a split folder still have the sha256 its manifest records, and the
manifest is still the one split.json recorded at build time (contracts §1).

`verify_on_use` runs before `run`, `score`, `adherence`, `figures` and `publish` read images, so a split modified
after its build is an error instead of a silently different benchmark; `verify_split` is `python -m tipbench.build
--verify`, which re-hashes every file and reports each mismatch.

Each file is hashed once: a small JSON per split folder in the user's cache dir (`tipbench.paths.cache_dir()`,
`verified/`) maps each verified file to (size, mtime_ns, ctime_ns, inode, sha256); a file whose stat still matches
is not read again. Size and mtime catch ordinary edits; ctime, which every write updates and no program can set
back, also catches a copy that restores the old mtime. The cache is not kept in the split folder on purpose: a
split may be read-only or shared, and one we were handed could carry a forged cache along with forged files.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import stat
from collections.abc import Iterable, Sequence
from pathlib import Path

from tipbench.contracts.split_folder import ImageKind, SplitFolder, SplitRow, list_ids
from tipbench.errors import ManifestError

logger = logging.getLogger(__name__)

#: Files hashed and files trusted from the cache by this process (what the cache saves, for tests and -v logs).
STATS = {"hashed": 0, "cached": 0}
_CACHE_VERSION = 1


def _stat_key(status: os.stat_result) -> list[int]:
    return [status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino]


class _VerifiedFiles:
    """The cache of one split folder: relative path → [size, mtime_ns, ctime_ns, inode, sha256]."""

    def __init__(self, root: Path) -> None:
        from tipbench.paths import cache_dir

        self.root = root
        self.path = cache_dir() / "verified" / f"{hashlib.sha256(str(root).encode()).hexdigest()[:32]}.json"
        self.entries: dict[str, list] = {}
        self.changed = False
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            if data.get("version") == _CACHE_VERSION and data.get("root") == str(root):
                self.entries = {k: v for k, v in data["files"].items() if isinstance(v, list) and len(v) == 5}
        except (OSError, ValueError, AttributeError, KeyError, TypeError):
            self.entries = {}

    def known(self, relative: str, key: list[int], digest: str) -> bool:
        return self.entries.get(relative) == [*key, digest]

    def record(self, relative: str, key: list[int] | None, digest: str | None) -> None:
        if key is None or digest is None:
            self.changed |= self.entries.pop(relative, None) is not None
        elif self.entries.get(relative) != [*key, digest]:
            self.entries[relative] = [*key, digest]
            self.changed = True

    def save(self) -> None:
        if not self.changed:
            return
        from tipbench.io import write_json

        try:
            write_json(self.path, {"version": _CACHE_VERSION, "root": str(self.root), "files": self.entries})
            self.changed = False
        except OSError as exc:  # a read-only home only costs re-hashing next time
            logger.debug("cannot write the verification cache %s: %s", self.path, exc)


_OPEN: dict[Path, _VerifiedFiles] = {}


def _cache_for(root: Path) -> _VerifiedFiles:
    if root not in _OPEN:
        _OPEN[root] = _VerifiedFiles(root)
    return _OPEN[root]


def manifest_problem(split: SplitFolder) -> str | None:
    """Why the manifest is not the one split.json recorded at build time (None when it is or none was recorded)."""
    recorded = split.info.get("manifest_sha256")
    if recorded and recorded != split.manifest_sha256:
        return (f"manifest.parquet: sha256 {split.manifest_sha256[:12]}… ≠ {recorded[:12]}… recorded in split.json "
                "(the manifest was changed after the build)")
    return None


def _files(split: SplitFolder, rows: Iterable[SplitRow], kinds: Sequence[ImageKind]) -> list[tuple[str, str]]:
    """(relative path, expected sha256) of every file of `kinds` the rows name."""
    files = []
    for row in rows:
        for kind in kinds:
            relative, digest = getattr(row, f"{kind}_path"), getattr(row, f"{kind}_sha256")
            if relative is not None:
                files.append((relative, digest))
    return files


def file_problems(split: SplitFolder, files: list[tuple[str, str]], *, use_cache: bool = True,
                  progress: bool = False) -> list[str]:
    """`<relative path>: <problem>` for every file that is missing or whose bytes differ from its sha256."""
    from tipbench.cli import progress_bar
    from tipbench.contracts.safe_paths import Inside, resolved_root
    from tipbench.io import sha256_file

    root = resolved_root(split.path)
    cache, inside = _cache_for(root), Inside(root)
    problems = []
    for relative, expected in progress_bar(files, desc="verify", unit="file", enabled=progress, leave=False):
        try:
            path = inside(relative)
        except ValueError as exc:
            problems.append(f"{relative}: {exc}")
            continue
        try:
            before = path.stat()
        except OSError:
            problems.append(f"{relative}: missing")
            continue
        if not stat.S_ISREG(before.st_mode):
            problems.append(f"{relative}: not a regular file")
            continue
        key = _stat_key(before)
        if use_cache and cache.known(relative, key, expected):
            STATS["cached"] += 1
            continue
        digest = sha256_file(path)
        STATS["hashed"] += 1
        if digest != expected:
            problems.append(f"{relative}: sha256 {digest[:12]}… ≠ manifest {expected[:12]}…")
            cache.record(relative, None, None)
        else:
            cache.record(relative, key if _stat_key(path.stat()) == key else None, digest)
    cache.save()
    return problems


def verify_on_use(split: SplitFolder, rows: Iterable[SplitRow], kinds: Sequence[ImageKind], *,
                  progress: bool = False) -> None:
    """Check the manifest and every file of `kinds` of `rows` before a stage reads them (cached per file).

    Raises:
        ManifestError: the manifest or any of those files changed after the build (every file named, up to 20).
    """
    problem = manifest_problem(split)
    files = _files(split, rows, kinds)
    problems = ([problem] if problem else []) + file_problems(split, files, progress=progress)
    if problems:
        raise ManifestError(
            f"split `{split.path}` changed after its build: {len(problems)} problem(s): {list_ids(problems)}; "
            f"check every file with `python -m tipbench.build --verify --split {split.path.name} --out "
            f"{split.path.parent}` and rebuild the split")


def verify_split(split: SplitFolder, *, progress: bool = False) -> tuple[int, list[str]]:
    """(files checked, problems) for every file of every row, re-hashed (the cache is refreshed, not trusted)."""
    files = _files(split, split.rows, ("gt", "lq", "target"))
    problem = manifest_problem(split)
    return len(files) + 1, ([problem] if problem else []) + file_problems(split, files, use_cache=False,
                                                                          progress=progress)
