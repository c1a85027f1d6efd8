"""Table definitions as data: which runs fill which cells, and what the paper printed there.

A table is a `TableSpec`: descriptor headers (the paper's "Sem"/"Res" tick columns), metric columns (one metric on
one split), and rows. Each row names the runs that may fill it (`RunMatch`: method, variant, accepted prompt
policies in order of preference) and the paper's numbers exactly as printed, as strings, so "0.300" keeps its zeros
and per-table inconsistencies of the paper survive (the full model's CLIP-T is 0.306 in Tables 1 and 5, 0.305 in
Table 4). Adding a table is adding one of these definitions to `leaderboard.tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tipbench.errors import ConfigError

#: Every prompt policy of contracts §2, in the order used when any of them is acceptable.
ALL_POLICIES: tuple[str, ...] = ("none", "both", "semantic", "restoration", "both-type-only")


@dataclass(frozen=True)
class MetricInfo:
    """How a metric is shown and compared; `higher_is_better` decides which value is bold."""

    key: str
    label: str
    higher_is_better: bool
    decimals: int


# Directions and print precision follow metrics.md §1 ("FID 2 dp, LPIPS/SSIM/CLIP 3 dp, PSNR 2 dp"). The metric
# classes of tipbench.metrics carry the same `higher_is_better`, but importing them pulls in torch; the table
# renderer must stay light, so the few facts it needs are repeated here (and checked against them in tests when
# that package is importable).
METRIC_INFO: dict[str, MetricInfo] = {
    info.key: info
    for info in (
        MetricInfo("fid", "FID", False, 2),
        MetricInfo("lpips", "LPIPS", False, 3),
        MetricInfo("psnr", "PSNR", True, 2),
        MetricInfo("ssim", "SSIM", True, 3),
        MetricInfo("psnr_y", "PSNR-Y", True, 2),
        MetricInfo("ssim_y", "SSIM-Y", True, 3),
        MetricInfo("clip_i", "CLIP-I", True, 3),
        MetricInfo("clip_t", "CLIP-T", True, 3),
        MetricInfo("relative_params", "Relative Param", False, 2),
        # Instruction adherence (tipbench.adherence): fidelity to the selective target, 0–1 diagnostics, and the
        # prompt walk's rank correlation in [-1, 1].
        MetricInfo("target_psnr", "PSNR→target", True, 2),
        MetricInfo("target_ssim", "SSIM→target", True, 3),
        MetricInfo("target_lpips", "LPIPS→target", False, 3),
        MetricInfo("removal", "Removal", True, 2),
        MetricInfo("preservation", "Preservation", True, 2),
        MetricInfo("controllability_denoise", "Control (denoise)", True, 2),
        MetricInfo("controllability_deblur", "Control (deblur)", True, 2),
        MetricInfo("controllability", "Controllability", True, 2),
    )
}


def metric_info(key: str) -> MetricInfo:
    """Metadata of a metric key; unknown keys are a definition error."""
    try:
        return METRIC_INFO[key]
    except KeyError:
        raise ConfigError(f"unknown metric `{key}`; known: {', '.join(sorted(METRIC_INFO))}") from None


def register_metric(info: MetricInfo) -> None:
    """Add a metric (e.g. the adherence scores of Table A); re-registering the same info is a no-op."""
    existing = METRIC_INFO.get(info.key)
    if existing is not None and existing != info:
        raise ValueError(f"metric `{info.key}` already registered as {existing}; cannot also be {info}")
    METRIC_INFO[info.key] = info


#: Which file of a run a column reads: summary.json (`tipbench.score`), adherence.json (`tipbench.adherence RUN`) or
#: the method's walk.json (`tipbench.adherence walk`, one per method and variant, not per prompt policy).
SCORE_SOURCES = ("summary", "adherence", "walk")


@dataclass(frozen=True)
class ColumnSpec:
    """One metric on one split. `paper_only` columns (Table 6's parameter ratio) have no value of ours."""

    split: str
    metric: str
    group: str = ""
    paper_only: bool = False
    source: str = "summary"

    def __post_init__(self) -> None:
        if self.source not in SCORE_SOURCES:
            raise ConfigError(f"column source `{self.source}` invalid; valid: {', '.join(SCORE_SOURCES)}")

    @property
    def key(self) -> str:
        return f"{self.split}:{self.metric}"

    @property
    def info(self) -> MetricInfo:
        return metric_info(self.metric)


@dataclass(frozen=True)
class RunMatch:
    """Runs of `method` (and `variant`, None = no variant) fed one of `prompts`, first policy found wins."""

    method: str
    prompts: tuple[str, ...]
    variant: str | None = None

    def __post_init__(self) -> None:
        unknown = [p for p in self.prompts if p not in ALL_POLICIES]
        if unknown or not self.prompts:
            raise ConfigError(f"prompt policies {unknown or '()'} invalid; valid: {', '.join(ALL_POLICIES)}")

    @property
    def label(self) -> str:
        return self.method + (f"@{self.variant}" if self.variant else "")


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

    @property
    def key(self) -> str:
        return self.matches[0].label + ":" + self.matches[0].prompts[0]


@dataclass(frozen=True)
class TableSpec:
    """A leaderboard table: metric columns over splits and rows of runs, with the paper's numbers."""

    key: str
    title: str
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
            metric_info(column.metric)
        for row in self.rows:
            if len(row.descriptors) != len(self.descriptor_headers):
                raise ConfigError(f"table {self.key}, row `{row.label}`: descriptors do not match the headers")
            extra = set(row.paper) - keys
            if extra:
                raise ConfigError(f"table {self.key}, row `{row.label}`: paper values for unknown columns {extra}")

    @property
    def splits(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.split for c in self.columns))


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
