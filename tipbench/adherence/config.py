"""Configs of `python -m tipbench.adherence RUN_DIR` (`AdherenceConfig`) and of its `walk` (`WalkConfig`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tipbench.config import FrozenConfig
from tipbench.errors import ConfigError


@dataclass(frozen=True)
class AdherenceConfig(FrozenConfig):
    """Options of `python -m tipbench.adherence RUN_DIR`."""

    run_dir: str
    splits_dir: str | None = None
    metric_weights: Literal["real", "random"] = "real"
    strict_metrics: bool = False
    lpips: bool = True
    device: str = "cpu"
    workers: int = 0
    progress: bool = True

    def __post_init__(self) -> None:
        if self.metric_weights not in ("real", "random"):
            raise ConfigError(f"`metric_weights` must be `real` or `random`, got {self.metric_weights!r}")
        if self.workers < 0:
            raise ConfigError(f"`workers` must be ≥ 0, got {self.workers}")


#: Rows a prompt walk restores by default (its benchmark subset: the first 16 rows of the seeded order).
WALK_N = 16


@dataclass(frozen=True)
class WalkConfig(FrozenConfig):
    """Options of `python -m tipbench.adherence walk`."""

    method: str
    split: str = "coco-selective"
    n: int = WALK_N
    variant: str | None = None
    checkpoint: str | None = None
    device: str = "cpu"
    splits_dir: str | None = None
    runs_dir: str | None = None
    save_images: bool = False
    progress: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.n, bool) or not isinstance(self.n, int) or self.n < 1:
            raise ConfigError(f"`n` must be a positive integer, got {self.n!r}")
