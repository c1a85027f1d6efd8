"""`BuildConfig`: everything `build_split` needs, as one frozen, JSON-round-trippable dataclass."""

from __future__ import annotations

import re
from dataclasses import dataclass

from tipbench.config import FrozenConfig
from tipbench.errors import ConfigError


@dataclass(frozen=True)
class BuildConfig(FrozenConfig):
    """Options of one split build (contracts §6 `python -m tipbench.build`).

    Attributes:
        split: a `tipbench.splits.SPLITS` name.
        source_root: source folder (or StableSR zip); None → the split's environment variable, else the sample.
        out: parent folder; the split is written to `out/<split>/` (None → `$TIPBENCH_HOME/splits`).
        limit: build the first `limit` items of the seeded order instead of the split's N.
        seed: global seed (protocol §2).
        workers: worker processes (1 = in this process); the bytes never depend on it.
        resume: continue an interrupted build, keeping items whose files match their recorded sha256.
        overwrite: delete a previous build in `out/<split>/` first.
        progress: show a progress bar (only when stderr is a terminal).
        stablesr_zip_sha256: expected sha256 of the StableSR zip (None → the published one).
        repo_id: build from the published dataset in this Hub repository (`ORG/NAME`, online) instead of a source;
            a published export folder is given as `source_root` instead.
    """

    split: str
    source_root: str | None = None
    out: str | None = None
    limit: int | None = None
    seed: int = 0
    workers: int = 1
    resume: bool = False
    overwrite: bool = False
    progress: bool = True
    stablesr_zip_sha256: str | None = None
    repo_id: str | None = None

    def __post_init__(self) -> None:
        for name in ("seed", "workers", "limit"):
            value = getattr(self, name)
            if value is None and name == "limit":
                continue
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"`{name}` must be an integer, got {value!r}")
        if self.seed < 0:
            raise ConfigError(f"`seed` must be >= 0, got {self.seed}")
        if self.workers < 1:
            raise ConfigError(f"`workers` must be >= 1, got {self.workers}")
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"`limit` must be >= 1, got {self.limit}")
        if self.resume and self.overwrite:
            raise ConfigError("`resume` and `overwrite` exclude each other; pick one")
        if self.repo_id is not None:
            if self.source_root:
                raise ConfigError("`repo_id` (a published dataset) and `source_root` exclude each other; pick one")
            if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*", self.repo_id):
                raise ConfigError(f"`repo_id` must look like ORG/NAME, got `{self.repo_id}`")


def build_command(build: dict, source_root: str | None = None, source_env: str | None = None) -> str:
    """The `python -m tipbench.build` command a split.json `build` block records (the options that change
    content; `--out`, `--workers`, `--resume` do not). A root that came from the environment is shown as such.

    >>> build_command({"split": "coco-param", "seed": 0, "limit": 100, "source_root": "/data/coco"})
    'python -m tipbench.build --split coco-param --source-root /data/coco --limit 100'
    >>> build_command({"split": "coco-param", "seed": 0, "limit": None, "source_root": None}, "/d", "TIPBENCH_COCO_ROOT")
    'TIPBENCH_COCO_ROOT=/d python -m tipbench.build --split coco-param'
    """
    import shlex

    words = ["python", "-m", "tipbench.build", "--split", str(build.get("split"))]
    if build.get("source_root"):
        words += ["--source-root", str(build["source_root"])]
    if build.get("repo_id"):
        words += ["--repo-id", str(build["repo_id"])]
    if build.get("limit") is not None:
        words += ["--limit", str(build["limit"])]
    if build.get("seed") not in (None, 0):
        words += ["--seed", str(build["seed"])]
    command = shlex.join(words)
    if not build.get("source_root") and source_root and source_env:
        command = f"{source_env}={shlex.quote(str(source_root))} {command}"
    return command
