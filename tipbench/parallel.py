"""Processes that share one job: this process's part of it, and how the parts meet.

A run or a scoring pass may be split into parts, each done by its own process:

* one process (`SINGLE`): the whole job;
* a launched group (`accelerate launch` / `torchrun`, `WORLD_SIZE` > 1): the parts start together, meet at
  barriers and exchange objects (torch.distributed through accelerate's `PartialState`, gloo on CPU);
* independent shards (`--shard I/N`: Slurm array tasks, any job runner): the parts never talk; whatever they must
  agree on goes through files in the run folder (`tipbench.contracts.run_parts`).

A job is cut into the same units whatever the number of parts (batches of the one-process run), and unit `k` of the
list being shared belongs to part `k mod N`; so every output is computed exactly as one process computes it.

Example:
    >>> parse_shard("1/4")
    Shard(index=1, count=4)
    >>> Shard(1, 4).mine(list("abcdefg"))
    ['b', 'f']
"""

from __future__ import annotations

import atexit
import datetime
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from tipbench.errors import ConfigError

T = TypeVar("T")
#: How long a process waits at a barrier for the others (a slow rank is not an error; a dead one is the
#: launcher's to report, and it stops the whole group).
BARRIER_TIMEOUT = datetime.timedelta(days=7)
_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


@dataclass(frozen=True)
class Part:
    """Part `index` of `count` (0-based)."""

    index: int = 0
    count: int = 1

    #: the parts start together and can meet (barrier, gather); False for independent shards.
    communicates = True

    @property
    def is_main(self) -> bool:
        """The part that writes what is written once (run.json at the start, the scores)."""
        return self.index == 0

    @property
    def label(self) -> str:
        return f"{self.index}/{self.count}"

    def mine(self, units: Sequence[T]) -> list[T]:
        """This part's share of `units`: every unit `k` with `k mod count == index`, in order."""
        return [unit for position, unit in enumerate(units) if position % self.count == self.index]

    def barrier(self) -> None:
        """Wait until every part got here (nothing to wait for in one process)."""

    def gather(self, obj: Any) -> list[Any]:
        """Every part's `obj`, in part order, on every part."""
        return [obj]

    def device(self, device: str) -> str:
        """The device this part uses when the job names `device`."""
        return device


SINGLE = Part()


@dataclass(frozen=True)
class Shard(Part):
    """An independent shard (`--shard I/N`): it never waits for or talks to the others."""

    communicates = False

    def gather(self, obj: Any) -> list[Any]:  # pragma: no cover - a programming error, not a user one
        raise RuntimeError("independent shards exchange nothing; go through the run folder's files")


def parse_shard(text: str) -> Shard:
    """`I/N` (0 <= I < N) as a `Shard`; `ConfigError` otherwise."""
    match = _SHARD.match(str(text))
    if not match:
        raise ConfigError(f"--shard expects I/N (e.g. 0/4), got `{text}`")
    index, count = int(match.group(1)), int(match.group(2))
    if count < 1 or index >= count:
        raise ConfigError(f"--shard {text}: need 0 <= I < N")
    return Shard(index, count)


def launched_processes() -> int:
    """How many processes the launcher started (`WORLD_SIZE`, set by accelerate launch and torchrun; 1 if none)."""
    value = os.environ.get("WORLD_SIZE", "").strip()
    try:
        return max(1, int(value)) if value else 1
    except ValueError:
        return 1


def _accelerate_cpu_without_mpi() -> bool:
    """accelerate's `--cpu` launcher was asked for several processes (it sets MASTER_ADDR then) but started one."""
    return (os.environ.get("ACCELERATE_USE_CPU", "").lower() in ("1", "true", "yes")
            and bool(os.environ.get("MASTER_ADDR")) and "LOCAL_RANK" not in os.environ)


@dataclass(frozen=True)
class Launched(Part):
    """A part of a group started by `accelerate launch` or `torchrun`; meets through accelerate's `PartialState`."""

    local_index: int = 0

    def barrier(self) -> None:
        from accelerate import PartialState

        PartialState().wait_for_everyone()

    def gather(self, obj: Any) -> list[Any]:
        import torch.distributed as dist

        gathered: list[Any] = [None] * self.count
        dist.all_gather_object(gathered, obj)
        return gathered

    def device(self, device: str) -> str:
        if not device.startswith("cuda"):
            return device
        if device != "cuda":
            raise ConfigError(f"--device {device}: under a launcher every process takes its own GPU; pass "
                              "--device cuda")
        return f"cuda:{self.local_index}"


def launched_group(device: str = "cpu") -> Part:
    """This process's part of a launched group, or `SINGLE` when no launcher started several processes.

    On a machine without CUDA (or with `device` cpu) the group talks over gloo: accelerate's own `--cpu` flag starts
    one process unless MPI is installed, so CPU groups are launched like GPU ones (docs/methods.md).
    """
    if launched_processes() <= 1:
        if _accelerate_cpu_without_mpi():
            raise ConfigError("`accelerate launch --cpu --num_processes N` starts one process unless MPI is set up; "
                              "for N CPU processes use `accelerate launch --multi_gpu --num_processes N ... --device "
                              "cpu` or `torchrun --nproc_per_node N -m ...` (docs/methods.md)")
        return SINGLE
    import torch
    from accelerate import PartialState

    cpu = not device.startswith("cuda") or not torch.cuda.is_available()
    state = PartialState(cpu=cpu, timeout=BARRIER_TIMEOUT)
    if not _LEAVE_AT_EXIT:
        atexit.register(_leave_group)
        _LEAVE_AT_EXIT.append(True)
    return Launched(state.process_index, state.num_processes, local_index=state.local_process_index)


_LEAVE_AT_EXIT: list[bool] = []


def _leave_group() -> None:
    """Tear the process group down before the interpreter does: left to static destruction, gloo's threads can
    abort a rank that has finished ("terminate called without an active exception") while another still exits."""
    import torch.distributed as dist

    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()
