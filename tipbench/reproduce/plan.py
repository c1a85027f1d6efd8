"""What a paper table needs, and where each piece stands: its splits, and every (split, method, prompts, variant) run.

Rows and columns come from the leaderboard's table spec (`leaderboard.tables.TABLES`), never from a second list:
each row's runs are the ones its `RunMatch`es accept (an existing run of any accepted policy counts; a new run uses
the first), on every split of the table's columns; `adherence` columns add adherence scoring of that run and `walk`
columns a prompt walk of the method. Each step is

* `done`: its scores file exists (summary.json, adherence.json or walk.json);
* `ready`: the method can run here (`tipbench.methods.readiness`) and its split is built or can be built;
* `missing`: with the reason — the registry's (weights, clone, checkpoint) or the split's source.

A cost estimate is given where a run of the same method (and variant) already measured its images per second.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from tipbench import paths
from tipbench.contracts.prompt_policy import NONE
from tipbench.contracts.run_folder import RUN_JSON, RunKey, method_label, walk_dir
from tipbench.contracts.split_folder import SPLIT_JSON
from tipbench.errors import ConfigError, ManifestError
from tipbench.io import read_json
from tipbench.reproduce.config import ReproduceConfig

logger = logging.getLogger(__name__)

StepKind = Literal["run", "adherence", "walk"]
Status = Literal["done", "ready", "missing"]


@dataclass(frozen=True)
class SplitState:
    """A split a table reads: `built`, `to build` (its source is configured, or the bundled sample) or `missing`."""

    name: str
    state: str
    note: str
    n: int | None


@dataclass(frozen=True)
class Step:
    """One run (or its adherence scoring, or a prompt walk) a table needs."""

    kind: StepKind
    key: RunKey
    rows: tuple[str, ...]
    status: Status
    reason: str = ""  # one line (missing: why; ready: what will happen)
    detail: str = ""  # the registry's full message (every file, where it goes, where it comes from)
    estimate_s: float | None = None
    rate_from: str = ""

    @property
    def label(self) -> str:
        return method_label(self.key.method, self.key.variant)

    @property
    def folder(self) -> str:
        if self.kind == "walk":
            return walk_dir("", self.key.split, self.key.method, self.key.variant).as_posix()
        return self.key.path("").as_posix()


@dataclass(frozen=True)
class Plan:
    table: Any  # leaderboard.spec.TableSpec
    splits: dict[str, SplitState]
    steps: tuple[Step, ...]
    runs_dir: Path
    splits_dir: Path

    def count(self, status: Status) -> int:
        return sum(1 for step in self.steps if step.status == status)


def table_spec(key: str) -> Any:
    from leaderboard.tables import TABLES

    if key not in TABLES:
        raise ConfigError(f"unknown table `{key}`; available: {', '.join(TABLES.names())}")
    return TABLES.get(key)


def split_state(name: str, splits_root: Path, limit: int | None) -> SplitState:
    """Whether split `name` is built, buildable (from which source) or not."""
    from tipbench.sources import SOURCE_ENV
    from tipbench.splits import SPLITS

    folder = splits_root / name
    if (folder / SPLIT_JSON).is_file():
        try:
            info = read_json(folder / SPLIT_JSON)
        except ManifestError as exc:
            return SplitState(name, "missing", f"unreadable split.json: {exc}", None)
        n = info.get("n_built")
        return SplitState(name, "built", f"source {info.get('source', 'unknown')}, {n} items", n)
    if name not in SPLITS:
        return SplitState(name, "missing", f"`{name}` is not a registered split (tipbench.splits)", None)
    spec = SPLITS.get(name)
    n = min(limit, spec.n) if limit else spec.n
    env = SOURCE_ENV[spec.source_kind]
    root = paths.env_path(env)
    if root is None:
        return SplitState(name, "to build", f"from the bundled sample (a smoke test; set ${env} for the benchmark)", n)
    if not root.exists():
        return SplitState(name, "missing", f"source root `{root}` (from ${env}) does not exist", None)
    return SplitState(name, "to build", f"from ${env} ({root})", n)


def _measured_rates(runs_root: Path) -> dict[tuple[str, str | None], tuple[float, str]]:
    """(method, variant) → (images per second, run folder) of the most recent run that measured one."""
    found: dict[tuple[str, str | None], tuple[float, str, float]] = {}
    for path in runs_root.glob(f"*/*/*/{RUN_JSON}") if runs_root.is_dir() else []:
        try:
            record = read_json(path)
        except ManifestError:
            continue
        rate = record.get("images_per_second") if isinstance(record, dict) else None
        if not isinstance(rate, (int, float)) or rate <= 0:
            continue
        key = (str(record.get("method")), record.get("variant"))
        when = path.stat().st_mtime
        if key not in found or when > found[key][2]:
            found[key] = (float(rate), path.parent.relative_to(runs_root).as_posix(), when)
    return {key: (rate, where) for key, (rate, where, _) in found.items()}


def _sources_by_split(table: Any) -> dict[str, set[str]]:
    sources: dict[str, set[str]] = {}
    for column in table.columns:
        if not column.paper_only:
            sources.setdefault(column.split, set()).add(column.source)
    return sources


def _chosen_key(row: Any, split: str, records: dict) -> RunKey:
    """The run of `row` on `split`: an existing one of any accepted policy, else the first match's first policy."""
    for match in row.matches:
        for prompts in match.prompts:
            if (split, match.method, match.variant, prompts) in records:
                return RunKey(split, match.method, prompts, match.variant)
    first = row.matches[0]
    return RunKey(split, first.method, first.prompts[0], first.variant)


def _method_problem(key: RunKey, config: ReproduceConfig, cache: dict) -> tuple[str, str] | None:
    """(short, full) reason the method cannot run here, from the method registry; None when ready."""
    from tipbench.methods import METHODS, readiness

    label = method_label(key.method, key.variant)
    if label not in cache:
        if key.method not in METHODS:
            cache[label] = (f"method `{key.method}` is not registered",) * 2
        else:
            try:
                problems = readiness(key.method, key.variant, checkpoint=config.checkpoint_for(label))
            except ConfigError as exc:
                problems, cache[label] = (), (str(exc), str(exc))
            else:
                cache[label] = (("; ".join(f"{p.kind}: {p.short}" for p in problems),
                                 "; ".join(p.detail for p in problems)) if problems else None)
    return cache[label]


def make_plan(config: ReproduceConfig) -> Plan:
    """Every step of table `config.table` with its status (reads files and the registries; runs nothing)."""
    from leaderboard.collect import collect_runs, collect_walks

    table = table_spec(config.table)
    runs_root, splits_root = paths.runs_dir(config.runs_dir), paths.splits_dir(config.splits_dir)
    records = collect_runs(runs_root) if runs_root.is_dir() else {}
    sources = _sources_by_split(table)
    walks = collect_walks(runs_root) if any("walk" in s for s in sources.values()) and runs_root.is_dir() else {}
    splits = {name: split_state(name, splits_root, config.limit) for name in table.splits}
    rates = _measured_rates(runs_root)
    problems: dict[str, Any] = {}
    steps: dict[tuple[str, RunKey], dict[str, Any]] = {}
    for row in table.rows:
        for split, kinds in sources.items():
            key = _chosen_key(row, split, records)
            wanted: list[StepKind] = []
            if kinds & {"summary", "adherence"}:
                wanted.append("run")
            if "adherence" in kinds:
                wanted.append("adherence")
            if "walk" in kinds and row.uses_walk:
                wanted.append("walk")
            for kind in wanted:
                step_key = RunKey(split, key.method, NONE, key.variant) if kind == "walk" else key
                entry = steps.setdefault((kind, step_key), {"rows": []})
                entry["rows"].append(row.label)
    built: list[Step] = []
    for (kind, key), entry in steps.items():
        built.append(_step(kind, key, tuple(entry["rows"]), records, walks, splits[key.split], rates, config,
                           problems, runs_root))
    return Plan(table, splits, tuple(built), runs_root, splits_root)


def _step(kind: StepKind, key: RunKey, rows: tuple[str, ...], records: dict, walks: dict, split: SplitState,
          rates: dict, config: ReproduceConfig, problems: dict, runs_root: Path) -> Step:
    record = records.get((key.split, key.method, key.variant, key.prompts))
    if kind == "walk" and (key.split, key.method, key.variant) in walks:
        return Step(kind, key, rows, "done", "walk.json")
    if kind == "run" and record is not None and record.summary is not None:
        return Step(kind, key, rows, "done", "scored")
    if kind == "adherence" and record is not None and record.adherence is not None:
        return Step(kind, key, rows, "done", "adherence.json")
    problem = _method_problem(key, config, problems)
    if problem is not None:
        return Step(kind, key, rows, "missing", problem[0], problem[1])
    if split.state == "missing":
        return Step(kind, key, rows, "missing", f"source: {split.note}", split.note)
    reason = "" if split.state == "built" else f"builds {split.name} {split.note}"
    if kind == "run" and record is not None:
        present = record.run.get("n_done")
        reason = f"resumes ({present} outputs present)" if present else "resumes"
    elif kind == "adherence":
        reason = "after its run" if record is None else "scores the run's adherence"
    estimate, rate_from = None, ""
    measured = rates.get((key.method, key.variant))
    if kind == "run" and measured is not None and split.n:
        estimate, rate_from = split.n / measured[0], f"{measured[0]:.3g} img/s measured in {measured[1]}"
    return Step(kind, key, rows, "ready", reason, "", estimate, rate_from)
