"""Write one shard: a deterministic WebDataset-style tar plus a done marker, atomically.

Why tar (WebDataset layout) rather than parquet: training reads samples sequentially, and a tar streams one sample
at a time from any byte source (local disk, object store, `curl | `) with no footer to seek to; each sample's PNGs
are stored as the exact bytes that were encoded (no re-encoding, so sha256s survive), and the format is read by
webdataset, torchdata, Ray Data and plain `tar`. Parquet is kept for the published benchmark splits
(`tipbench.publish`), where column queries and the Hugging Face viewer matter more than streaming.

Shard files: `shard-000007.tar` (members `<key>.x.png`, `<key>.y.png`, `<key>.json`, keys = zero-padded global
index, in index order), `shard-000007.skipped.jsonl` (one line per skipped sample: index, id, source path, reason)
and `shard-000007.json` (the done marker: sample count, skips, sha256). Tar headers are fixed (mtime 0, uid/gid 0,
empty user/group names, mode 0644, USTAR) so equal samples give equal bytes.
"""

from __future__ import annotations

import hashlib
import io
import logging
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from data_recipes.config import RecipeConfig, shard_ranges
from data_recipes.samples import SkipSample, build_sample
from data_recipes.sources import SeededOrder, open_source
from tipbench.contracts.split_folder import write_skipped
from tipbench.io import atomic_writer, json_dumps, read_json, write_json

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


def candidate_indices(job: ShardJob) -> Iterator[int]:
    """The global indices shard k tries, in order: its own block, then its replacement stream.

    A skipped sample (missing, unreadable or unusable source file) is replaced by the next index of the stream
    `N + k, N + k + K, N + k + 2K, …` (N samples, K shards): indices past N that no other shard uses, each drawn
    from (seed, index) like any sample. So shard k's bytes depend on nothing but the recipe, k and its own source
    files; at most as many replacements as the block has samples are tried.
    """
    block = shard_ranges(job.num_samples, job.num_shards)[job.shard_index]
    yield from block
    for extra in range(len(block)):
        yield job.num_samples + job.shard_index + extra * job.num_shards


def skipped_name(index: int) -> str:
    """The shard's list of skipped samples, beside its tar."""
    return f"{shard_name(index)}.skipped.jsonl"


def build_shard(job: ShardJob) -> dict[str, Any]:
    """Build one shard (skipping it when its done marker is current); returns the marker contents."""
    from tipbench.cli import progress_bar

    fingerprint = recipe_fingerprint(job.recipe, job.num_shards, job.num_samples, job.source_root)
    out = Path(job.out_dir)
    marker_path = out / f"{shard_name(job.shard_index)}.json"
    for stale in out.glob(f".{shard_name(job.shard_index)}.tar.*.partial"):  # a write cut short (kill -9)
        stale.unlink(missing_ok=True)
    if marker_is_done(job, fingerprint):
        logger.info("shard %d already done, skipping", job.shard_index)
        return read_json(marker_path)
    block = shard_ranges(job.num_samples, job.num_shards)[job.shard_index]
    order = SeededOrder(open_source(job.recipe.source, job.source_root), job.recipe.seed)
    skipped: list[dict[str, Any]] = []
    count = 0
    bar = progress_bar(total=len(block), unit="sample", desc=shard_name(job.shard_index), enabled=job.progress,
                       leave=False)
    with atomic_writer(out / f"{shard_name(job.shard_index)}.tar", suffix=".partial") as handle:
        writer = _HashingWriter(handle)
        with tarfile.open(fileobj=writer, mode="w", format=tarfile.USTAR_FORMAT) as archive:
            for index in candidate_indices(job):
                if count == len(block):
                    break
                try:
                    sample = build_sample(job.recipe, order, index)
                except SkipSample as exc:
                    source_path = order.source.items[order.position(index)].source_path
                    skipped.append({"kind": "sample", "index": index, "id": f"{index:09d}",
                                    "source_path": source_path, "reason": str(exc)})
                    logger.warning("sample %d (%s) skipped: %s", index, source_path, exc)
                    continue
                for suffix in MEMBER_ORDER:
                    if suffix in sample.members:
                        data = sample.members[suffix]
                        archive.addfile(_tar_info(f"{sample.key}.{suffix}", len(data)), io.BytesIO(data))
                count += 1
                bar.update()
    bar.close()
    if count < len(block):
        logger.warning("shard %d: only %d of %d samples (%d skipped, replacements used up)", job.shard_index, count,
                       len(block), len(skipped))
    write_skipped(out, skipped, name=skipped_name(job.shard_index))
    done = {
        "shard_index": job.shard_index,
        "num_shards": job.num_shards,
        "first_index": block.start,
        "stop_index": block.stop,
        "num_written": count,
        "num_short": len(block) - count,
        "skipped": skipped,
        "sha256": writer.digest.hexdigest(),
        "size": writer.size,
        "recipe": job.recipe.name,
        "recipe_fingerprint": fingerprint,
        "mode": job.recipe.mode,
    }
    write_json(marker_path, done)  # last: its presence says the tar and the skip list are complete
    return done
