"""`RunConfig`: everything `run_method` needs, as one frozen, JSON-round-trippable dataclass."""

from __future__ import annotations

from dataclasses import dataclass

from tipbench.config import FrozenConfig
from tipbench.contracts.prompt_policy import DEFAULT_POLICY, prompt_policy
from tipbench.errors import ConfigError
from tipbench.methods import DEFAULT_DTYPE, DTYPES
from tipbench.parallel import parse_shard
from tipbench.run.overlap import DEFAULT_IO_THREADS


@dataclass(frozen=True)
class RunConfig(FrozenConfig):
    """One run (contracts §6 `python -m tipbench.run`).

    Attributes:
        method, split, prompts, variant: what to run — the run folder's key (contracts §2.1).
        checkpoint: checkpoint directory of a reference-family method (else the weights table).
        limit: restore only the first `limit` items of the seeded order (scored on those, and flagged).
        device: `cpu` or `cuda[:i]`.
        batch_size: items per restorer call (None: the method's default).
        splits_dir, runs_dir: override `$TIPBENCH_HOME/splits` and `$TIPBENCH_HOME/runs`.
        repo, python, timeout_s: a subprocess baseline's clone, interpreter and per-call limit.
        options: method-specific `(key, value)` options (`--option key=value`).
        workers: processes for the CPU methods (outputs do not depend on it).
        score: score the run when it finishes.
        progress: progress bar on stderr (only when it is a terminal).
        shard: `I/N`: restore only shard I of N (an independent array task; contracts §2.6).
        finalize: only merge the finished shards' records into run.json (and score), restoring nothing.
        dtype: `fp32` (default, the comparable setting), `fp16` or `bf16` for the in-process torch methods.
        io_threads: threads decoding inputs and writing outputs beside the restorer (0: in line).
    """

    method: str
    split: str
    prompts: str = DEFAULT_POLICY
    variant: str | None = None
    checkpoint: str | None = None
    limit: int | None = None
    device: str = "cpu"
    batch_size: int | None = None
    splits_dir: str | None = None
    runs_dir: str | None = None
    repo: str | None = None
    python: str | None = None
    timeout_s: float | None = None
    options: tuple[tuple[str, str], ...] = ()
    workers: int = 1
    score: bool = True
    progress: bool = True
    shard: str | None = None
    finalize: bool = False
    dtype: str = DEFAULT_DTYPE
    io_threads: int = DEFAULT_IO_THREADS

    def __post_init__(self) -> None:
        object.__setattr__(self, "options", tuple(tuple(pair) for pair in self.options))
        prompt_policy(self.prompts)
        if not isinstance(self.workers, int) or self.workers < 1:
            raise ConfigError(f"`workers` must be a positive integer, got {self.workers!r}")
        for name in ("limit", "batch_size"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ConfigError(f"`{name}` must be a positive integer, got {value!r}")
        if not (self.device == "cpu" or self.device.startswith("cuda")):
            raise ConfigError(f"`device` must be cpu or cuda[:i], got `{self.device}`")
        if self.shard is not None:
            parse_shard(self.shard)
        if self.dtype not in DTYPES:
            raise ConfigError(f"`dtype` must be one of {', '.join(DTYPES)}, got `{self.dtype}`")
        if not isinstance(self.io_threads, int) or self.io_threads < 0:
            raise ConfigError(f"`io_threads` must be a non-negative integer, got {self.io_threads!r}")
        if self.timeout_s is not None and self.timeout_s <= 0:
            raise ConfigError(f"`timeout_s` must be positive, got {self.timeout_s}")
