"""Why a run's numbers are not the benchmark: each reason is a visible mark beside every number it produced.

A cell is presented as the benchmark only when it carries no mark. The marks are conservative: a missing field
counts against the run (an unknown source or weight kind is not assumed to be real).
"""

from __future__ import annotations

from dataclasses import dataclass

from leaderboard.collect import BENCHMARK_N, RunRecord


@dataclass(frozen=True)
class Mark:
    code: str  # stable machine code (CSV column)
    symbol: str  # shown beside the number (md / html / csv)
    tex: str  # the same symbol in LaTeX
    meaning: str


SAMPLE = Mark("sample", "†", r"\dag", "sample-sourced (or unknown source): not the benchmark data")
RANDOM_WEIGHTS = Mark("random-weights", "‡", r"\ddag", "random (untrained) weights in the method or the metrics")
SMALL_N = Mark("small-n", "§", r"\S", f"fewer than {BENCHMARK_N} images")
NOT_COMPARABLE = Mark("not-comparable", "¶", r"\P", "summary says not comparable to the paper (protocol deviation)")

#: Split sources that can hold the benchmark data (split.json `source`, contracts §1).
BENCHMARK_SOURCES = frozenset({"coco", "div2k", "stablesr-zip", "folder"})

MARKS: tuple[Mark, ...] = (SAMPLE, RANDOM_WEIGHTS, SMALL_N, NOT_COMPARABLE)


def run_marks(record: RunRecord) -> tuple[Mark, ...]:
    """Every mark that applies to `record` (empty tuple only for a run that is the benchmark)."""
    summary = record.summary or {}
    marks: list[Mark] = []
    source = summary.get("source", record.run.get("source"))
    if source not in BENCHMARK_SOURCES:  # "sample", or missing/unknown: cannot vouch for the data
        marks.append(SAMPLE)
    weights = {summary.get("weights"), record.run.get("weights")}
    if "real" not in weights or weights - {"real", None}:  # random, missing on both sides, or unknown
        marks.append(RANDOM_WEIGHTS)
    n = summary.get("n")
    if not isinstance(n, int) or n < BENCHMARK_N:
        marks.append(SMALL_N)
    if not marks and summary.get("comparable_to_paper") is not True:
        marks.append(NOT_COMPARABLE)
    return tuple(marks)
