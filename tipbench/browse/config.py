"""`BrowseConfig`: everything `build_site` needs, as one frozen, JSON-round-trippable dataclass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tipbench.config import FrozenConfig
from tipbench.errors import ConfigError

#: The longest thumbnail side allowed: thumbnails are for the index, the item view shows the full images.
MAX_THUMB_SIDE = 256


@dataclass(frozen=True)
class BrowseConfig(FrozenConfig):
    """Options of one results-browser build (`python -m tipbench.browse`).

    Attributes:
        split: the split to show (a folder under `splits_dir`).
        out: the site folder (`index.html` and its assets; contracts §6).
        methods: show only these methods (`method` or `method@variant`); empty: every scored run of the split.
        splits_dir, runs_dir: override `$TIPBENCH_HOME/splits` and `$TIPBENCH_HOME/runs`.
        thumb_size: longest thumbnail side in pixels (at most 256); thumb_format: `jpeg` or `webp`.
        page_size: cards per index page (the page can change it).
        workers: processes making thumbnails (0: in this process); the bytes do not depend on it.
        progress: progress bar on stderr (only when it is a terminal).
    """

    split: str
    out: str
    methods: tuple[str, ...] = ()
    splits_dir: str | None = None
    runs_dir: str | None = None
    thumb_size: int = MAX_THUMB_SIDE
    thumb_format: Literal["jpeg", "webp"] = "jpeg"
    page_size: int = 60
    workers: int = 0
    progress: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "methods", tuple(self.methods))
        if not self.split or "/" in self.split or "\\" in self.split or self.split in (".", ".."):
            raise ConfigError(f"split name `{self.split}` cannot be a folder name (one folder, no `/`)")
        if not 16 <= self.thumb_size <= MAX_THUMB_SIDE:
            raise ConfigError(f"thumbnail size must be 16–{MAX_THUMB_SIDE} px, got {self.thumb_size}")
        if self.thumb_format not in ("jpeg", "webp"):
            raise ConfigError(f"thumbnail format `{self.thumb_format}` invalid; valid: jpeg, webp")
        if self.page_size < 1:
            raise ConfigError(f"page size must be at least 1, got {self.page_size}")
        if self.workers < 0:
            raise ConfigError(f"workers must be 0 or more, got {self.workers}")
