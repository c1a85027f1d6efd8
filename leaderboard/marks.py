"""Why a run's numbers are not the benchmark: each reason is a visible mark beside every number it produced.

A cell is presented as the benchmark only when it carries no mark. The marks are conservative: a missing field
counts against the run (an unknown source, data verdict or weight provenance is not assumed to be real).
"""

from __future__ import annotations

from dataclasses import dataclass

from leaderboard.collect import RunRecord
from tipbench.paper_data import PAPER_SOURCES
from tipbench.splits import BENCHMARK_N


@dataclass(frozen=True)
class Mark:
    code: str  # stable machine code (CSV column)
    symbol: str  # shown beside the number (md / html / csv)
    tex: str  # the same symbol in LaTeX
    meaning: str


NOT_PAPER_DATA = Mark("not-paper-data", "†", r"\dag",
                      "not the paper's test data (bundled sample, a user folder, another selection, or unverified)")
RANDOM_WEIGHTS = Mark("random-weights", "‡", r"\ddag",
                      "random (untrained) or unknown-provenance weights in the method or the metrics")
SMALL_N = Mark("small-n", "§", r"\S", f"fewer than {BENCHMARK_N} images")
NOT_COMPARABLE = Mark("not-comparable", "¶", r"\P", "summary says not comparable to the paper (protocol deviation)")

#: Weight provenances that vouch for the numbers: trained weights, or no network at all (a classical method,
#: PSNR/SSIM only). `random`, `unknown` and anything unrecorded are marked.
VOUCHED_WEIGHTS = frozenset({"real", "none"})

MARKS: tuple[Mark, ...] = (NOT_PAPER_DATA, RANDOM_WEIGHTS, SMALL_N, NOT_COMPARABLE)


def data_marks(data: dict, run: dict, benchmark_n: int = BENCHMARK_N,
               comparable_key: str | None = "comparable_to_paper") -> tuple[Mark, ...]:
    """Every mark that applies to a scores file `data` of a run `run` (empty only for a benchmark number).

    Args:
        data: summary.json, adherence.json or walk.json contents (`source`, `paper_data`, `n`, `weights`,
            comparability key).
        run: the run.json of the run that produced the outputs ({} when unknown).
        benchmark_n: the N the benchmark uses for this kind of score.
        comparable_key: the key that must be true for the scores to count (None: no such key).
    """
    marks: list[Mark] = []
    source = data.get("source", run.get("source"))
    # Both the scorer's verdict (tipbench.paper_data) and the source kind must say so: a missing verdict, a
    # sample or a user folder is never the paper's data.
    if data.get("paper_data") is not True or source not in PAPER_SOURCES:
        marks.append(NOT_PAPER_DATA)
    weights = {data.get("weights"), run.get("weights")} - {None}
    if not weights or weights - VOUCHED_WEIGHTS:  # random, unknown, or unrecorded on both sides
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
