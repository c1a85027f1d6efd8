"""`PublishConfig`: the options of one export of a built split (`python -m tipbench.publish`)."""

from __future__ import annotations

from dataclasses import dataclass

from tipbench.config import FrozenConfig
from tipbench.errors import ConfigError


@dataclass(frozen=True)
class PublishConfig(FrozenConfig):
    """Options of one export (the CLI's arguments)."""

    split: str
    splits_dir: str | None = None
    out: str | None = None
    repo_id: str | None = None
    push: bool = False
    rows_per_shard: int = 500
    save_to_disk: bool = True
    progress: bool = True

    def __post_init__(self) -> None:
        if self.rows_per_shard < 1:
            raise ConfigError(f"`rows_per_shard` must be >= 1, got {self.rows_per_shard}")
        if self.push and not self.repo_id:
            raise ConfigError("`--push` needs `--repo-id ORG/NAME`")
        if self.repo_id is not None and self.repo_id.count("/") != 1:
            raise ConfigError(f"`--repo-id` must look like ORG/NAME, got `{self.repo_id}`")
