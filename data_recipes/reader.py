"""Read training shards: plain iteration, a torch `IterableDataset`, and on-the-fly y synthesis for clean shards.

`ShardIterableDataset` (torch; `data_recipes.loader`) and `OnTheFlyDegrader` (`data_recipes.onthefly`) are
importable from the package (`from data_recipes import ShardIterableDataset`). Each sample is a dict (the format
`reference_model.train` consumes):
`id` (str), `index` (int), `gt` (HxWx3 uint8), `lq` (hxwx3 uint8, or None for a clean shard not yet synthesised),
`semantic_prompt`, `restoration_prompt` (the c_r to train with, after the type-only choice and dropout),
`restoration_prompt_type`, `params` (JSON str), `pipeline` (`param` | `realesrgan`), `usm` (the target is the
USM-sharpened GT: a paired shard's x already is; for a clean one the loader sharpens x when it makes y) and
`no_degradation` (y is the target itself).

Why Python's tarfile rather than the `webdataset` package: the shards are plain tars read front to back, which
tarfile's stream mode does in a few lines with no extra dependency; we also need our own seeded shuffling
(protocol §2: no global RNG) and our own shard-to-worker split, which would replace most of what webdataset adds.
The shards stay WebDataset-compatible (a test reads them with `webdataset` when it is installed).
"""

from __future__ import annotations

import json
import logging
import os
import tarfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tipbench.errors import ManifestError
from tipbench.io import decode_png

logger = logging.getLogger(__name__)

SAMPLE_KEYS = ("id", "index", "gt", "lq", "semantic_prompt", "restoration_prompt", "restoration_prompt_type",
               "params", "pipeline", "usm", "no_degradation")


def shard_paths(folder_or_paths: str | os.PathLike | Sequence[str | os.PathLike]) -> list[Path]:
    """The shard tars of a folder (sorted), or the given paths."""
    if isinstance(folder_or_paths, (str, os.PathLike)) and Path(folder_or_paths).is_dir():
        paths = sorted(Path(folder_or_paths).glob("shard-*.tar"))
        if not paths:
            raise ManifestError(f"`{folder_or_paths}` holds no shard-*.tar files")
        return paths
    if isinstance(folder_or_paths, (str, os.PathLike)):
        return [Path(folder_or_paths)]
    return [Path(p) for p in folder_or_paths]


def _grouped_members(path: Path) -> Iterator[tuple[str, dict[str, bytes]]]:
    """(key, {suffix: bytes}) per sample, reading the tar front to back (members of a key are adjacent)."""
    key, members = None, {}
    try:
        with tarfile.open(path, "r|") as archive:
            for member in archive:
                if not member.isfile():
                    continue
                name = os.path.basename(member.name)
                this_key, _, suffix = name.partition(".")
                if this_key != key and members:
                    yield key, members
                    members = {}
                key = this_key
                members[suffix] = archive.extractfile(member).read()
    except (tarfile.TarError, OSError) as exc:
        raise ManifestError(f"cannot read shard `{path}`: {exc}") from exc
    if members:
        yield key, members


def decode_sample(key: str, members: dict[str, bytes], *, path: Path | None = None) -> dict[str, Any]:
    """One sample dict from its tar members."""
    if "x.png" not in members or "json" not in members:
        raise ManifestError(f"shard `{path}`: sample `{key}` lacks x.png or json (has {', '.join(sorted(members))})")
    meta = json.loads(members["json"].decode("utf-8"))
    return {
        "id": key,
        "index": int(meta["index"]),
        "gt": decode_png(members["x.png"]),
        "lq": decode_png(members["y.png"]) if "y.png" in members else None,
        "semantic_prompt": meta["semantic_prompt"],
        "restoration_prompt": meta["restoration_prompt"],
        "restoration_prompt_type": meta["restoration_prompt_type"],
        "params": json.dumps(meta["params"], sort_keys=True),
        "pipeline": meta["pipeline"],
        "usm": bool(meta.get("usm", False)),  # shards written before the option lack both keys
        "no_degradation": bool(meta.get("no_degradation", False)),
    }


def _buffer_shuffle(items: Iterable[Any], rng: np.random.Generator, size: int) -> Iterator[Any]:
    """Reservoir-style shuffle buffer: yields a random element once the buffer is full (like WebDataset's)."""
    buffer: list[Any] = []
    for item in items:
        buffer.append(item)
        if len(buffer) >= size:
            yield buffer.pop(int(rng.integers(len(buffer))))
    while buffer:
        yield buffer.pop(int(rng.integers(len(buffer))))


def iter_shard_samples(
    paths: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    shuffle_seed: int | None = None,
    epoch: int = 0,
    buffer_size: int = 64,
) -> Iterator[dict[str, Any]]:
    """Yield the samples of `paths` (a shard folder, one tar or a list of tars).

    Args:
        paths: shard folder or tar path(s).
        shuffle_seed: None keeps storage order; otherwise shard order and a `buffer_size` shuffle buffer are drawn
            from SeedSequence([shuffle_seed, epoch]) — a new order every epoch, the same one every run.
        epoch: mixed into the shuffle seed.
        buffer_size: shuffle buffer length (samples held in memory, undecoded).
    """
    files = shard_paths(paths)
    rng = None
    if shuffle_seed is not None:
        rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([int(shuffle_seed), int(epoch)])))
        files = [files[i] for i in rng.permutation(len(files))]
    raw = ((path, key, members) for path in files for key, members in _grouped_members(path))
    if rng is not None and buffer_size > 1:
        raw = _buffer_shuffle(raw, rng, buffer_size)
    for path, key, members in raw:
        yield decode_sample(key, members, path=path)


def split_for_worker(paths: Sequence[Path], rank: int, world_size: int, worker: int, num_workers: int) -> list[Path]:
    """The shards one data-loader worker of one rank reads (round robin over rank × worker).

    >>> [p.name for p in split_for_worker([Path(f"s{i}") for i in range(5)], 0, 1, 1, 2)]
    ['s1', 's3']
    """
    slot, slots = rank * num_workers + worker, world_size * num_workers
    return list(paths[slot::slots])


def collate_samples(samples: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Batch as a dict of lists (no stacking: LQ sizes differ between param samples)."""
    return {key: [sample[key] for sample in samples] for key in SAMPLE_KEYS}
