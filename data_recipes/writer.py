"""Write one shard: a deterministic WebDataset-style tar plus a done marker, atomically.

Why tar (WebDataset layout) rather than parquet: training reads samples sequentially, and a tar streams one sample
at a time from any byte source (local disk, object store, `curl | `) with no footer to seek to; each sample's PNGs
are stored as the exact bytes that were encoded (no re-encoding, so sha256s survive), and the format is read by
webdataset, torchdata, Ray Data and plain `tar`. Parquet is kept for the published benchmark splits
(`tipbench.publish`), where column queries and the Hugging Face viewer matter more than streaming.

Shard files: `shard-000007.tar` (members `<key>.x.png`, `<key>.y.png`, `<key>.json`, keys = zero-padded global
index, in index order) and `shard-000007.json` (the done marker: sample count, skips, sha256). Tar headers are fixed
(mtime 0, uid/gid 0, empty user/group names, mode 0644, USTAR) so equal samples give equal bytes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import os
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from data_recipes.config import RecipeConfig, shard_ranges
from data_recipes.samples import SkipSample, build_sample
from data_recipes.sources import SeededOrder, open_source
from tipbench.io import json_dumps, read_json, write_json

logger = logging.getLogger(__name__)

MEMBER_ORDER = ("x.png", "y.png", "json")


def shard_name(index: int) -> str:
    return f"shard-{index:06d}"


@dataclass(frozen=True)
class ShardJob:
    """Everything a worker needs to build shard `shard_index` alone (picklable; no open handles)."""

    recipe: RecipeConfig
    out_dir: str
    shard_index: int
    num_shards: int
    num_samples: int
    source_root: str | None = None
    progress: bool = False


class _HashingWriter:
    """A write-only file wrapper that hashes what passes through (the tar is hashed while it streams)."""

    def __init__(self, handle: Any) -> None:
        self.handle = handle
        self.digest = hashlib.sha256()
        self.size = 0

    def write(self, data: bytes) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.handle.write(data)

    def tell(self) -> int:
        return self.size


def _tar_info(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size = size
    info.mtime = 0
    info.mode = 0o644
    info.uid = info.gid = 0
    info.uname = info.gname = ""
    info.type = tarfile.REGTYPE
    return info


def marker_is_done(job: ShardJob, fingerprint: str) -> bool:
    """True when the shard's done marker matches this recipe and the tar beside it has the recorded size."""
    out = Path(job.out_dir)
    marker, tar_path = out / f"{shard_name(job.shard_index)}.json", out / f"{shard_name(job.shard_index)}.tar"
    if not marker.is_file() or not tar_path.is_file():
        return False
    try:
        done = read_json(marker)
    except Exception:  # a corrupt marker means: rebuild
        return False
    return done.get("recipe_fingerprint") == fingerprint and done.get("size") == tar_path.stat().st_size


def recipe_fingerprint(recipe: RecipeConfig, num_shards: int, num_samples: int, source_root: str | None = None) -> str:
    """sha256 of what determines the shard bytes (recipe, shard count, sample count, source root override)."""
    root = str(Path(source_root).expanduser().resolve()) if source_root else None
    payload = json_dumps({"recipe": recipe.to_dict(), "num_shards": num_shards, "num_samples": num_samples,
                          "source_root": root})
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def build_shard(job: ShardJob) -> dict[str, Any]:
    """Build one shard (skipping it when its done marker is current); returns the marker contents."""
    fingerprint = recipe_fingerprint(job.recipe, job.num_shards, job.num_samples, job.source_root)
    out = Path(job.out_dir)
    marker_path = out / f"{shard_name(job.shard_index)}.json"
    if marker_is_done(job, fingerprint):
        logger.info("shard %d already done, skipping", job.shard_index)
        return read_json(marker_path)
    indices = shard_ranges(job.num_samples, job.num_shards)[job.shard_index]
    order = SeededOrder(open_source(job.recipe.source, job.source_root), job.recipe.seed)
    out.mkdir(parents=True, exist_ok=True)
    tar_path = out / f"{shard_name(job.shard_index)}.tar"
    fd, tmp = tempfile.mkstemp(prefix=f".{tar_path.name}.", suffix=".partial", dir=out)
    skipped: list[dict[str, Any]] = []
    count = 0
    try:
        with os.fdopen(fd, "wb") as handle:
            writer = _HashingWriter(handle)
            with tarfile.open(fileobj=writer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
                from tipbench.cli import progress_bar

                bar = progress_bar(indices, unit="sample", desc=shard_name(job.shard_index), enabled=job.progress,
                                   leave=False)
                for index in bar:
                    try:
                        sample = build_sample(job.recipe, order, index)
                    except SkipSample as exc:
                        position = order.position(index)
                        skipped.append({"index": index, "source_path": order.source.items[position].source_path,
                                        "reason": str(exc)})
                        logger.warning("sample %d skipped: %s", index, exc)
                        continue
                    for suffix in MEMBER_ORDER:
                        if suffix in sample.members:
                            data = sample.members[suffix]
                            archive.addfile(_tar_info(f"{sample.key}.{suffix}", len(data)), io.BytesIO(data))
                    count += 1
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; shards are read by other users / jobs
        os.replace(tmp, tar_path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    done = {
        "shard_index": job.shard_index,
        "num_shards": job.num_shards,
        "first_index": indices.start,
        "stop_index": indices.stop,
        "num_written": count,
        "skipped": skipped,
        "sha256": writer.digest.hexdigest(),
        "size": writer.size,
        "recipe": job.recipe.name,
        "recipe_fingerprint": fingerprint,
        "mode": job.recipe.mode,
    }
    write_json(marker_path, done)
    return done
