"""Table definitions as data: which runs fill which cells, and what the paper printed there.

A table is a `TableSpec`: descriptor headers (the paper's "Sem"/"Res" tick columns), metric columns (one metric on
one split), and rows. Each row names the runs that may fill it (`RunMatch`: method, variant, accepted prompt
policies in order of preference) and the paper's numbers exactly as printed, as strings, so "0.300" keeps its zeros
and per-table inconsistencies of the paper survive (the full model's CLIP-T is 0.306 in Tables 1 and 5, 0.305 in
Table 4). Adding a table is adding one of these definitions to `leaderboard.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tipbench.contracts.prompt_policy import PROMPT_KINDS, prompt_policy
from tipbench.contracts.run_folder import method_label
from tipbench.contracts.scores import SCORE_FILES
from tipbench.errors import ConfigError
from tipbench.metrics.specs import MetricSpec, metric_spec


def ticks_require(semantic: bool, restoration: bool) -> tuple[str, ...]:
    """The `requires` of a row from its Sem / Res ticks.

    >>> ticks_require(True, False)
    ('semantic',)
    """
    return tuple(kind for kind, used in zip(PROMPT_KINDS, (semantic, restoration)) if used)


@dataclass(frozen=True)
class ColumnSpec:
    """One metric on one split. `paper_only` columns (Table 6's parameter ratio) are filled by no run: ours, if
    any, is a property of the model that the row carries (`RowSpec.measured`)."""

    split: str
    metric: str
    group: str = ""
    paper_only: bool = False
    source: str = "summary"

    def __post_init__(self) -> None:
        if self.source not in SCORE_FILES:
            raise ConfigError(f"column source `{self.source}` invalid; valid: {', '.join(SCORE_FILES)}")

    @property
    def key(self) -> str:
        return f"{self.split}:{self.metric}"

    @property
    def info(self) -> MetricSpec:
        """The metric's label, direction and precision (the metrics table, protocol §6.7)."""
        return metric_spec(self.metric)


@dataclass(frozen=True)
class RunMatch:
    """Runs of `method` (and `variant`, None = no variant) fed one of `prompts`, first policy found wins."""

    method: str
    prompts: tuple[str, ...]
    variant: str | None = None

    def __post_init__(self) -> None:
        if not self.prompts:
            raise ConfigError(f"run match of `{self.method}` names no prompt policy")
        for name in self.prompts:
            prompt_policy(name)

    @property
    def label(self) -> str:
        return method_label(self.method, self.variant)


@dataclass(frozen=True)
class RowSpec:
    """One table row: its label, tick descriptors, candidate runs and the paper's printed numbers."""

    label: str
    matches: tuple[RunMatch, ...]
    paper: dict[str, str] = field(default_factory=dict)  # column key -> number exactly as printed
    descriptors: tuple[str, ...] = ()
    paper_label: str = ""  # the row's first cell in the paper, e.g. "SwinIR [25]"
    #: walk columns apply to this row (False for a blind policy of a method whose walk is measured with prompts)
    uses_walk: bool = True
    #: column key -> our value measured from the model rather than from a run's outputs (Table 6's parameter ratio)
    measured: dict[str, float] = field(default_factory=dict)
    #: prompt kinds (`semantic`, `restoration`) the row's method must have used: a run whose run.json
    #: `ignored_prompts` names one of them (or does not say) never fills the row (e.g. ControlNet-SR + CLIP).
    requires: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for kind in self.requires:
            if kind not in PROMPT_KINDS:
                raise ConfigError(f"row `{self.label}`: unknown prompt kind `{kind}`; valid: {', '.join(PROMPT_KINDS)}")
            for match in self.matches:
                for name in match.prompts:
                    if not getattr(prompt_policy(name), f"feeds_{kind}"):
                        raise ConfigError(f"row `{self.label}` requires the {kind} prompt but accepts runs fed "
                                          f"`{name}`, which does not feed it")

    @property
    def key(self) -> str:
        return self.matches[0].label + ":" + self.matches[0].prompts[0]

    def unused_required(self, run: dict) -> tuple[str, ...]:
        """Required prompt kinds the run's restorer did not use (all of them when run.json does not say)."""
        ignored = run.get("ignored_prompts")
        if not isinstance(ignored, list):
            return self.requires
        return tuple(kind for kind in self.requires if kind in ignored)


@dataclass(frozen=True)
class TableSpec:
    """A leaderboard table: metric columns over splits and rows of runs, with the paper's numbers."""

    key: str
    title: str  # without the "Table N:" prefix (see `heading`)
    caption: str
    columns: tuple[ColumnSpec, ...]
    rows: tuple[RowSpec, ...]
    descriptor_headers: tuple[str, ...] = ()
    has_paper: bool = True

    def __post_init__(self) -> None:
        keys = {c.key for c in self.columns}
        if len(keys) != len(self.columns):
            raise ConfigError(f"table {self.key}: duplicate columns")
        for column in self.columns:
            metric_spec(column.metric)
        for row in self.rows:
            if len(row.descriptors) != len(self.descriptor_headers):
                raise ConfigError(f"table {self.key}, row `{row.label}`: descriptors do not match the headers")
            extra = (set(row.paper) | set(row.measured)) - keys
            if extra:
                raise ConfigError(f"table {self.key}, row `{row.label}`: paper values for unknown columns {extra}")

    @property
    def splits(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.split for c in self.columns))

    @property
    def number(self) -> str:
        """The table's number as the paper prints it (`1`, `3`, …; `A` for the table the paper does not have)."""
        return self.key.upper()

    @property
    def heading(self) -> str:
        """`Table 1: <title>` (markdown and HTML headings; LaTeX numbers its caption itself)."""
        return f"Table {self.number}: {self.title}"

    @property
    def column_groups(self) -> tuple[tuple[str, tuple[ColumnSpec, ...]], ...]:
        """Consecutive columns sharing a group label (or split), e.g. Table 1's two degradations."""
        groups: list[tuple[str, list[ColumnSpec]]] = []
        for column in self.columns:
            label = column.group or column.split
            if groups and groups[-1][0] == label:
                groups[-1][1].append(column)
            else:
                groups.append((label, [column]))
        return tuple((label, tuple(columns)) for label, columns in groups)


def paper_row(columns: tuple[ColumnSpec, ...], printed: str) -> dict[str, str]:
    """Map whitespace-separated printed numbers onto `columns` in order (the way the paper lays a row out).

    >>> paper_row(metric_columns("coco-param", ("fid", "clip_t")), "11.34 0.300")
    {'coco-param:fid': '11.34', 'coco-param:clip_t': '0.300'}
    """
    values = printed.split()
    if len(values) != len(columns):
        raise ConfigError(f"{len(values)} printed values for {len(columns)} columns: {printed!r}")
    return {column.key: value for column, value in zip(columns, values)}


def metric_columns(split: str, metrics: tuple[str, ...], group: str = "") -> tuple[ColumnSpec, ...]:
    return tuple(ColumnSpec(split, metric, group) for metric in metrics)
