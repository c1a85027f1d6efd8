"""The runs a results browser shows: every scored run of one split, with its per-item scores and the leaderboard's
marks (`leaderboard.marks.run_marks`: the same not-paper-data / random-or-unknown-weights / N < 3000 / not-comparable marks)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipbench.browse.site import run_site_key
from tipbench.contracts.prompt_policy import POLICY_NAMES
from tipbench.contracts.run_folder import RunKey, method_label, output_path
from tipbench.contracts.split_folder import SplitFolder
from tipbench.errors import ConfigError, TipbenchError
from tipbench.metrics.specs import IMAGE_SCORES

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class SiteMark:
    """One leaderboard mark as the page shows it."""

    code: str
    symbol: str
    meaning: str


@dataclass(frozen=True)
class SiteRun:
    """One scored run of the split: where it is, its run.json and summary.json, its marks, and per split position
    its scores (None where not scored) and whether an output exists (a `--limit` run restores the first N only)."""

    key: RunKey
    path: Path
    run: dict[str, Any]
    summary: dict[str, Any]
    marks: tuple[SiteMark, ...]
    scores: dict[str, tuple[float | None, ...]]
    outputs: tuple[Path, ...]
    present: tuple[bool, ...]

    @property
    def site_key(self) -> str:
        """How the page names the run (`<method>/<prompts>[@<variant>]`)."""
        return run_site_key(self.key)

    @property
    def label(self) -> str:
        """`method[@variant] · prompts`: a method can be run under several prompt policies."""
        return f"{method_label(self.key.method, self.key.variant)} · {self.key.prompts}"

    @property
    def ignored_prompts(self) -> tuple[str, ...]:
        """Prompt kinds the method was fed but cannot use (run.json `ignored_prompts`)."""
        return tuple(str(kind) for kind in self.run.get("ignored_prompts") or ())


def _order(record: Any) -> tuple:
    policy = POLICY_NAMES.index(record.prompts) if record.prompts in POLICY_NAMES else len(POLICY_NAMES)
    return (record.method, record.variant or "", policy, record.prompts)


def _chosen(records: list[Any], methods: tuple[str, ...]) -> list[Any]:
    """The records `methods` asks for (each entry a method or `method@variant` label); every entry must match."""
    if not methods:
        return records

    def matches(entry: str, record: Any) -> bool:
        return entry in (record.method, method_label(record.method, record.variant))

    unmatched = [entry for entry in methods if not any(matches(entry, r) for r in records)]
    if unmatched:
        available = sorted({method_label(r.method, r.variant) for r in records}) or ["none"]
        raise ConfigError(f"no run of {', '.join(unmatched)} for this split; runs there: {', '.join(available)}")
    return [r for r in records if any(matches(entry, r) for entry in methods)]


def _per_item_scores(run_dir: Path, split: SplitFolder) -> dict[str, tuple[float | None, ...]]:
    """Every per-image score column of scores.parquet, aligned to the split's order (None where absent)."""
    from tipbench.contracts.scores import read_scores

    ids, columns = read_scores(run_dir)
    position = {item_id: i for i, item_id in enumerate(split.ids)}
    aligned = {}
    for name in IMAGE_SCORES:
        values: list[float | None] = [None] * len(split.ids)
        for item_id, value in zip(ids, columns.get(name) or ()):
            if item_id in position and value is not None:
                values[position[item_id]] = float(value)
        aligned[name] = tuple(values)
    return aligned


def _site_run(record: Any, split: SplitFolder) -> SiteRun | None:
    """The run as the site shows it, or None (with the reason logged) when it cannot be shown."""
    from leaderboard.marks import run_marks

    if record.summary is None:
        logger.info("run %s is not scored yet, not shown (score it: python -m tipbench.score %s)", record.path,
                    record.path)
        return None
    recorded = record.run.get("split_manifest_sha256")
    if recorded and recorded != split.manifest_sha256:
        logger.warning("run %s was made from another build of split `%s` (manifest sha256 %s…, the split's %s…); "
                       "not shown", record.path, split.name, str(recorded)[:12], split.manifest_sha256[:12])
        return None
    try:
        key = RunKey(split.name, record.method, record.prompts, record.variant)
        scores = _per_item_scores(record.path, split)
    except (TipbenchError, OSError, ValueError) as exc:  # a bad key, or scores.parquet missing / unreadable
        logger.warning("run %s cannot be shown: %s", record.path, exc)
        return None
    marks = tuple(SiteMark(m.code, m.symbol, m.meaning) for m in run_marks(record))
    outputs = tuple(output_path(record.path, item_id) for item_id in split.ids)
    return SiteRun(key, record.path, record.run, record.summary, marks, scores, outputs, _existing(outputs))


def _existing(paths: tuple[Path, ...]) -> tuple[bool, ...]:
    """Which of `paths` are files, one directory listing per folder instead of a stat per file."""
    split = [os.path.split(path) for path in paths]
    listed: dict[str, set[str]] = {}
    for folder in {folder for folder, _ in split}:
        try:
            listed[folder] = {entry.name for entry in os.scandir(folder) if entry.is_file()}
        except OSError:
            listed[folder] = set()
    return tuple(name in listed[folder] for folder, name in split)


def collect_site_runs(split: SplitFolder, runs_root: Path, methods: tuple[str, ...] = ()) -> list[SiteRun]:
    """Every scored run of `split` under `runs_root` (all, or those of `methods`), in method / policy order."""
    from leaderboard.collect import collect_runs

    records = sorted((r for r in collect_runs(runs_root).values() if r.split == split.name), key=_order)
    runs = [run for run in (_site_run(r, split) for r in _chosen(records, methods)) if run is not None]
    if methods and not runs:
        raise ConfigError(f"none of the runs of {', '.join(methods)} under `{runs_root}` can be shown (see above)")
    if not runs:
        logger.warning("no scored run of split `%s` under %s: the site shows the split's LQ and GT only",
                       split.name, runs_root)
    return runs
