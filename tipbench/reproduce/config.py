"""`ReproduceConfig`: one table to reproduce, where the data lives, and how to run what is ready."""

from __future__ import annotations

from dataclasses import dataclass

from tipbench.config import FrozenConfig
from tipbench.errors import ConfigError
from tipbench.parallel import parse_shard


@dataclass(frozen=True)
class ReproduceConfig(FrozenConfig):
    """Options of `python -m tipbench.reproduce` (contracts §6).

    Attributes:
        table: a leaderboard table key (`1`, `3`, `4`, `5`, `6`, `a`).
        plan: only list what the table needs and its state; build and run nothing.
        device: where the methods (and scoring) run (`cpu`, `cuda`); under a launcher each rank takes its GPU.
        splits_dir, runs_dir: override `$TIPBENCH_HOME/splits` and `$TIPBENCH_HOME/runs`.
        out: where the rendered table goes (default `$TIPBENCH_HOME/leaderboard/table-<key>`).
        limit: build missing splits with only their first N items (a smoke test; never the benchmark).
        checkpoints: `(method[@variant], directory)` pairs for reference-family methods (else the weights table).
        workers: processes for split builds and the CPU methods.
        shard: `I/N`: do shard I of every ready run (a job-array task); the splits must be built already.
        progress: progress bars on stderr (only when it is a terminal).
    """

    table: str
    plan: bool = False
    device: str = "cpu"
    splits_dir: str | None = None
    runs_dir: str | None = None
    out: str | None = None
    limit: int | None = None
    checkpoints: tuple[tuple[str, str], ...] = ()
    workers: int = 1
    shard: str | None = None
    progress: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "checkpoints", tuple(tuple(pair) for pair in self.checkpoints))
        if self.limit is not None and (not isinstance(self.limit, int) or self.limit < 1):
            raise ConfigError(f"`limit` must be a positive integer, got {self.limit!r}")
        if self.shard is not None:
            parse_shard(self.shard)
        if not isinstance(self.workers, int) or self.workers < 1:
            raise ConfigError(f"`workers` must be a positive integer, got {self.workers!r}")

    def checkpoint_for(self, label: str) -> str | None:
        """The `--checkpoint` given for `method[@variant]` (None: the weights table's)."""
        return dict(self.checkpoints).get(label)
