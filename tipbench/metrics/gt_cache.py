"""GT feature cache per split (protocol §6.6): Inception features + μ/Σ scatter, CLIP image and caption embeddings.

Stored as `<split>/.cache/metrics/<family>-<key>.npz`; the key hashes the manifest sha256, the reference folder
(gt/target), the metric settings, the weight id and library versions, so any change makes a new file and a stale
one is never read. Safe to delete.

A split folder may come from someone else, and with it a `.cache/` whose key anyone can compute: a forged file
would silently change FID or CLIP scores. So a cache file is read only when its sha256 is one this user's tipbench
wrote (listed in `$TIPBENCH_CACHE/gt-cache-written.json`); any other is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
from pathlib import Path

import numpy as np

from tipbench.io import atomic_write_bytes

logger = logging.getLogger(__name__)


def cache_key(**parts) -> str:
    """sha256 (first 24 hex) of the canonical JSON of `parts`."""
    blob = json.dumps(parts, sort_keys=True, default=str).encode()
    return hashlib.sha256(blob).hexdigest()[:24]


def cache_path(split_dir: Path, family: str, key: str) -> Path:
    return split_dir / ".cache" / "metrics" / f"{family}-{key}.npz"


def _stays_in_split(path: Path) -> bool:
    """Whether `<split>/.cache/metrics/<file>` stays inside its split folder with symlinks followed (a received
    split whose `.cache` links elsewhere is neither read nor written: the cache is skipped)."""
    split_dir = path.parents[2]
    if path.resolve().is_relative_to(split_dir.resolve()):
        return True
    logger.warning("not using the GT cache: `%s` leads out of the split folder `%s`", path, split_dir)
    return False


def _written_list() -> Path:
    from tipbench.paths import cache_dir

    return cache_dir() / "gt-cache-written.json"


def _written() -> set[str]:
    """sha256 of every GT cache file this user's tipbench wrote."""
    try:
        return set(json.loads(_written_list().read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError):
        return set()


def _remember(data: bytes) -> None:
    try:
        atomic_write_bytes(_written_list(), json.dumps(sorted(_written() | {hashlib.sha256(data).hexdigest()}))
                           .encode("utf-8"))
    except OSError as exc:  # a read-only home only costs recomputing the GT side next time
        logger.debug("cannot record the GT cache file: %s", exc)


def load(path: Path, ids: tuple[str, ...]) -> dict[str, np.ndarray] | None:
    """The cached arrays, or None when absent, unreadable, made for other ids, leading out of the split, or not
    written by this user's tipbench (see the module docstring)."""
    if not path.is_file() or not _stays_in_split(path):
        return None
    try:
        data = path.read_bytes()
    except OSError as exc:
        logger.warning("ignoring unreadable GT cache %s (%s)", path, exc)
        return None
    if hashlib.sha256(data).hexdigest() not in _written():
        logger.warning("ignoring GT cache %s: not written by tipbench for this user (it came with the split?)", path)
        return None
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (OSError, ValueError) as exc:
        logger.warning("ignoring unreadable GT cache %s (%s)", path, exc)
        return None
    if tuple(str(i) for i in arrays.get("ids", [])) != ids:
        logger.warning("ignoring GT cache %s: its ids differ from the manifest", path)
        return None
    logger.info("GT cache hit: %s", path.name)
    return arrays


def save(path: Path, ids: tuple[str, ...], meta: dict, **arrays: np.ndarray) -> None:
    if not _stays_in_split(path):
        return
    buffer = io.BytesIO()
    np.savez(buffer, ids=np.asarray(ids, dtype=str), meta=np.asarray(json.dumps(meta, sort_keys=True)), **arrays)
    atomic_write_bytes(path, buffer.getvalue())
    _remember(buffer.getvalue())
    logger.info("GT cache written: %s", path)
