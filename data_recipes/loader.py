"""A torch `IterableDataset` over training shards that splits shards across ranks and DataLoader workers."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator, Sequence
from typing import Any

from torch.utils.data import IterableDataset, get_worker_info

from data_recipes.reader import iter_shard_samples, shard_paths, split_for_worker

logger = logging.getLogger(__name__)


class ShardIterableDataset(IterableDataset):
    """Samples of the shards (dicts, see `data_recipes.reader`); each worker of each rank reads its own shards.

    Clean shards: with `synthesize_param=True`, param-branch samples get their y on CPU inside the worker (the same
    code, hence the same bytes, as a paired shard); Real-ESRGAN samples keep `lq=None` for `OnTheFlyDegrader`,
    which synthesises them per batch on the device. Use `collate_fn=collate_samples` (images of a batch can
    differ in LQ size).

    Args:
        paths: shard folder or tar paths.
        shuffle_seed: None for storage order; else a per-(rank, worker, epoch) seeded shuffle.
        buffer_size: shuffle buffer length.
        rank, world_size: this process's place in distributed training.
        synthesize_param: fill y of clean param samples in the worker.
    """

    def __init__(self, paths: str | os.PathLike | Sequence[str | os.PathLike], *, shuffle_seed: int | None = None,
                 buffer_size: int = 64, rank: int = 0, world_size: int = 1, synthesize_param: bool = True) -> None:
        super().__init__()
        self.paths = shard_paths(paths)
        self.shuffle_seed = shuffle_seed
        self.buffer_size = buffer_size
        self.rank, self.world_size = rank, world_size
        self.synthesize_param = synthesize_param
        self.epoch = 0

    def set_epoch(self, epoch: int) -> None:
        """A new shuffle order for the next pass (call before each epoch, as with DistributedSampler)."""
        self.epoch = int(epoch)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        info = get_worker_info()
        worker, num_workers = (info.id, info.num_workers) if info is not None else (0, 1)
        mine = split_for_worker(self.paths, self.rank, self.world_size, worker, num_workers)
        if not mine:
            logger.warning("worker %d of rank %d has no shard (%d shards for %d slots)",
                           worker, self.rank, len(self.paths), self.world_size * num_workers)
            return
        seed = None
        if self.shuffle_seed is not None:
            seed = self.shuffle_seed * 1_000_003 + self.rank * num_workers + worker
        for sample in iter_shard_samples(mine, shuffle_seed=seed, epoch=self.epoch, buffer_size=self.buffer_size):
            if sample["lq"] is None and self.synthesize_param and sample["pipeline"] == "param":
                from data_recipes.onthefly import synthesize_cpu

                sample = synthesize_cpu(sample)
            yield sample
