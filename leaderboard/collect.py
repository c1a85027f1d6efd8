"""Read every run folder under a runs dir (contracts §2–3) into `RunRecord`s keyed by what the tables match on."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tipbench.contracts.run_folder import RUN_JSON, RunKey, read_run_json, walk_variant
from tipbench.contracts.scores import SCORE_FILES, read_score_file
from tipbench.errors import ManifestError
from tipbench.splits import BENCHMARK_N

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scores:
    """One scores file (summary.json, adherence.json or walk.json) with the run.json it belongs to."""

    path: Path
    data: dict[str, Any]
    run: dict[str, Any]
    benchmark_n: int = BENCHMARK_N

    def metric(self, name: str) -> float | None:
        """The mean of `name` (flat key per contracts §3; a nested `metrics`/`means` dict also works)."""
        value = self.data.get(name)
        if value is None:
            for nest in ("metrics", "means"):
                nested = self.data.get(nest)
                if isinstance(nested, dict) and nested.get(name) is not None:
                    value = nested[name]
                    break
        if isinstance(value, dict):  # tolerate {"mean": x, ...}
            value = value.get("mean")
        return None if value is None else float(value)

    def null_reason(self, name: str) -> str:
        reasons = self.data.get("null_reasons") or {}
        return str(reasons[name]) if reasons.get(name) else f"`{name}` not computed"


@dataclass(frozen=True)
class RunRecord:
    """One run folder: its run.json, summary.json (None until scored), adherence.json (selective splits only)."""

    path: Path
    run: dict[str, Any]
    summary: dict[str, Any] | None = None
    problems: tuple[str, ...] = field(default=())
    adherence: dict[str, Any] | None = None

    @property
    def method(self) -> str:
        return str(self.run.get("method", ""))

    @property
    def variant(self) -> str | None:
        return self.run.get("variant") or None

    @property
    def split(self) -> str:
        return str(self.run.get("split", ""))

    @property
    def prompts(self) -> str:
        return str(self.run.get("prompts", ""))

    @property
    def key(self) -> tuple[str, str, str | None, str]:
        return (self.split, self.method, self.variant, self.prompts)

    @property
    def key_path(self) -> str:
        """`split/method/prompts[@variant]`, how notes name a run folder."""
        return RunKey(self.split, self.method, self.prompts, self.variant).path("").as_posix()

    def scores(self, source: str = "summary") -> Scores | None:
        """The scores file `source` (`summary` or `adherence`) of this run, None when it has not been written."""
        data = {"summary": self.summary, "adherence": self.adherence}[source]
        return None if data is None else Scores(self.path / SCORE_FILES[source], data, self.run)

    def missing_reason(self, source: str = "summary") -> str:
        if source == "adherence":
            return f"not scored for adherence yet (run `python -m tipbench.adherence {self.path}`)"
        return "run not scored yet (no summary.json)"

    def metric(self, name: str) -> float | None:
        scores = self.scores()
        return None if scores is None else scores.metric(name)

    def null_reason(self, name: str) -> str:
        scores = self.scores()
        return self.missing_reason() if scores is None else scores.null_reason(name)


def _identity_from_path(run_dir: Path, runs_dir: Path) -> dict[str, Any]:
    if len(run_dir.relative_to(runs_dir).parts) != 3:
        return {}
    return RunKey.fields_from_path(run_dir)


def read_run(run_dir: Path, runs_dir: Path | None = None) -> RunRecord:
    """Read one run folder; identity comes from run.json, falling back to the folder layout where a key is absent."""
    run = read_run_json(run_dir)
    if runs_dir is not None:
        for key, value in _identity_from_path(run_dir, runs_dir).items():
            run.setdefault(key, value)
    summary = read_score_file(run_dir, "summary")
    adherence = read_score_file(run_dir, "adherence")
    problems = []
    if summary is not None:
        for key in ("method", "split", "prompts"):
            if key in summary and summary[key] != run.get(key):
                problems.append(f"summary.json `{key}` = {summary[key]!r} but run.json says {run.get(key)!r}")
    return RunRecord(run_dir, run, summary, tuple(problems), adherence)


def collect_runs(runs_dir: str | Path) -> dict[tuple[str, str, str | None, str], RunRecord]:
    """Every run under `runs_dir` (layout `<split>/<method>/<prompts>[@<variant>]/run.json`), by identity.

    Unreadable folders are logged and skipped (a table then says "not run" with the log telling why).
    """
    runs_dir = Path(runs_dir)
    records: dict[tuple[str, str, str | None, str], RunRecord] = {}
    if not runs_dir.is_dir():
        logger.warning("runs dir %s does not exist; every cell will be `not run`", runs_dir)
        return records
    for run_json in sorted(runs_dir.glob(f"*/*/*/{RUN_JSON}")):
        try:
            record = read_run(run_json.parent, runs_dir)
        except ManifestError as exc:
            logger.warning("skipping run %s: %s", run_json.parent, exc)
            continue
        for problem in record.problems:
            logger.warning("run %s: %s", record.path, problem)
        if record.key in records:
            logger.warning("two runs claim %s: %s and %s; using the first", record.key, records[record.key].path,
                           record.path)
            continue
        records[record.key] = record
    return records


def collect_walks(runs_dir: str | Path) -> dict[tuple[str, str, str | None], Scores]:
    """Every prompt-walk result (`<split>/<method>/walk[@<variant>]/walk.json`, tipbench.adherence) by identity."""
    from tipbench.adherence.config import WALK_N
    from tipbench.contracts.run_folder import WALK_LEAF

    runs_dir = Path(runs_dir)
    walks: dict[tuple[str, str, str | None], Scores] = {}
    pattern = f"*/*/{WALK_LEAF}*/{SCORE_FILES['walk']}"
    for path in sorted(runs_dir.glob(pattern)) if runs_dir.is_dir() else []:
        try:
            data = read_score_file(path.parent, "walk")
        except ManifestError as exc:
            logger.warning("skipping walk %s: %s", path.parent, exc)
            continue
        split, method = path.parent.parent.parent.name, path.parent.parent.name
        variant = data.get("variant") or walk_variant(path.parent)
        walks[(data.get("split", split), data.get("method", method), variant)] = Scores(path, data, {}, WALK_N)
    return walks
