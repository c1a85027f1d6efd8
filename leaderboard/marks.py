"""Why a run's numbers are not the benchmark: each reason is a visible mark beside every number it produced.

A cell is presented as the benchmark only when it carries no mark. The marks are conservative: a missing field
counts against the run (an unknown source or weight kind is not assumed to be real).
"""

from __future__ import annotations

from dataclasses import dataclass

from leaderboard.collect import RunRecord
from tipbench.splits import BENCHMARK_N


@dataclass(frozen=True)
class Mark:
    code: str  # stable machine code (CSV column)
    symbol: str  # shown beside the number (md / html / csv)
    tex: str  # the same symbol in LaTeX
    meaning: str


SAMPLE = Mark("sample", "†", r"\dag", "sample-sourced (or unknown source): not the benchmark data")
RANDOM_WEIGHTS = Mark("random-weights", "‡", r"\ddag", "random (untrained) or unrecorded weights in the method or the metrics")
SMALL_N = Mark("small-n", "§", r"\S", f"fewer than {BENCHMARK_N} images")
NOT_COMPARABLE = Mark("not-comparable", "¶", r"\P", "summary says not comparable to the paper (protocol deviation)")

#: Split sources that can hold the benchmark data (split.json `source`, contracts §1; `stablesr` is the extracted
#: DIV2K_V2_val folder, `stablesr-zip` the checksum-verified zip — both the published pairs).
BENCHMARK_SOURCES = frozenset({"coco", "div2k", "stablesr", "stablesr-zip", "folder"})

MARKS: tuple[Mark, ...] = (SAMPLE, RANDOM_WEIGHTS, SMALL_N, NOT_COMPARABLE)


def data_marks(data: dict, run: dict, benchmark_n: int = BENCHMARK_N,
               comparable_key: str | None = "comparable_to_paper") -> tuple[Mark, ...]:
    """Every mark that applies to a scores file `data` of a run `run` (empty only for a benchmark number).

    Args:
        data: summary.json, adherence.json or walk.json contents (`source`, `n`, `weights`, comparability key).
        run: the run.json of the run that produced the outputs ({} when unknown).
        benchmark_n: the N the benchmark uses for this kind of score.
        comparable_key: the key that must be true for the scores to count (None: no such key).
    """
    marks: list[Mark] = []
    source = data.get("source", run.get("source"))
    if source not in BENCHMARK_SOURCES:  # "sample", or missing/unknown: cannot vouch for the data
        marks.append(SAMPLE)
    weights = {data.get("weights"), run.get("weights")}
    if "real" not in weights or weights - {"real", None}:  # random, unrecorded on both sides, or unknown
        marks.append(RANDOM_WEIGHTS)
    n = data.get("n")
    if not isinstance(n, int) or n < benchmark_n:
        marks.append(SMALL_N)
    if not marks and comparable_key and data.get(comparable_key) is not True:
        marks.append(NOT_COMPARABLE)
    return tuple(marks)


def run_marks(record: RunRecord) -> tuple[Mark, ...]:
    """Marks of a run's summary.json numbers (an unscored run is marked too: nothing vouches for it)."""
    return data_marks(record.summary or {}, record.run)
