"""Score files inside a run folder (contracts §3): their names, the scores.parquet columns and the table writers.

`tipbench.score` writes `scores.parquet` + `summary.json` (or the `_target` pair when scoring against coco-selective's
targets), `tipbench.adherence` writes `adherence.parquet` + `adherence.json`, its walk `walk.parquet` + `walk.json`;
the leaderboard reads them by these names.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from tipbench.io import atomic_write_bytes, read_json
from tipbench.metrics.specs import IMAGE_SCORES

#: scores.parquet columns, in order.
SCORE_COLUMNS: tuple[str, ...] = ("id", *IMAGE_SCORES)
SUMMARY_JSON = "summary.json"
ADHERENCE_JSON = "adherence.json"
ADHERENCE_PARQUET = "adherence.parquet"
WALK_JSON = "walk.json"
WALK_PARQUET = "walk.parquet"
#: The score files a table column can read: summary (tipbench.score), adherence and walk (tipbench.adherence).
SCORE_FILES: dict[str, str] = {"summary": SUMMARY_JSON, "adherence": ADHERENCE_JSON, "walk": WALK_JSON}
Reference = Literal["gt", "target"]


def output_names(reference: Reference) -> tuple[str, str]:
    """(scores file, summary file) of a scoring reference: gt → scores.parquet, target → scores_target.parquet.

    >>> output_names("target")
    ('scores_target.parquet', 'summary_target.json')
    """
    return ("scores.parquet", SUMMARY_JSON) if reference == "gt" else (f"scores_{reference}.parquet",
                                                                       f"summary_{reference}.json")


def _parquet_bytes(table: Any, compression: str | None) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    buffer = pa.BufferOutputStream()
    if compression is None:
        pq.write_table(table, buffer)
    else:
        pq.write_table(table, buffer, compression=compression)
    return buffer.getvalue().to_pybytes()


def write_scores(path: str | os.PathLike, ids: Sequence[str], columns: dict[str, np.ndarray]) -> None:
    """scores.parquet: one row per id, every `SCORE_COLUMNS` metric as float64 (NaN and absent → null)."""
    import pyarrow as pa

    data: dict[str, Any] = {"id": pa.array(ids, pa.string())}
    for name in SCORE_COLUMNS[1:]:
        values = columns.get(name)
        data[name] = pa.array([None] * len(ids) if values is None else
                              [None if np.isnan(v) else float(v) for v in values], pa.float64())
    atomic_write_bytes(path, _parquet_bytes(pa.table(data), None))


def read_scores(run_dir: str | os.PathLike, reference: Reference = "gt") -> tuple[list[str], dict[str, list]]:
    """(ids, column → per-item values with None for null) of a run's scores file for `reference`."""
    import pyarrow.parquet as pq

    table = pq.read_table(Path(run_dir) / output_names(reference)[0])
    values = table.to_pydict()
    return [str(item) for item in values.pop("id")], values


def write_rows(path: str | os.PathLike, rows: Sequence[dict[str, Any]]) -> None:
    """A per-item table (adherence.parquet) from row dicts, atomically; non-finite floats become null."""
    import pyarrow as pa

    def clean(value: Any) -> Any:
        return None if isinstance(value, float) and not math.isfinite(value) else value

    table = pa.Table.from_pylist([{key: clean(value) for key, value in row.items()} for row in rows])
    atomic_write_bytes(path, _parquet_bytes(table, "zstd"))


def read_score_file(run_dir: str | os.PathLike, source: str) -> dict[str, Any] | None:
    """The `source` score file (`summary`, `adherence`, `walk`) of a run or walk folder, None when not written."""
    path = Path(run_dir) / SCORE_FILES[source]
    return read_json(path) if path.is_file() else None
