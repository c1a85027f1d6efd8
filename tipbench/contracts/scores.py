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

from tipbench.errors import ManifestError
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
    """(ids, column → per-item values with None for null) of a run's scores file for `reference`.

    Raises:
        ManifestError: unreadable, leading out of the run folder, an `id` column that is not strings or a score
            column that is not numbers.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = _own_file(run_dir, output_names(reference)[0])
    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as exc:
        raise ManifestError(f"`{path}` is not a readable parquet file ({exc}); score the run again") from exc
    wrong = [name for name in table.column_names
             if not (pa.types.is_string(table.schema.field(name).type) if name == "id" else
                     pa.types.is_floating(table.schema.field(name).type)
                     or pa.types.is_integer(table.schema.field(name).type)
                     or pa.types.is_null(table.schema.field(name).type))]
    if "id" not in table.column_names or wrong:
        raise ManifestError(f"`{path}` does not have the scores columns of contracts §3 (string `id`, numeric "
                            f"scores){': wrong type of ' + ', '.join(wrong) if wrong else ''}")
    values = table.to_pydict()
    return [str(item) for item in values.pop("id")], values


def write_rows(path: str | os.PathLike, rows: Sequence[dict[str, Any]]) -> None:
    """A per-item table (adherence.parquet) from row dicts, atomically; non-finite floats become null."""
    import pyarrow as pa

    def clean(value: Any) -> Any:
        return None if isinstance(value, float) and not math.isfinite(value) else value

    table = pa.Table.from_pylist([{key: clean(value) for key, value in row.items()} for row in rows])
    atomic_write_bytes(path, _parquet_bytes(table, "zstd"))


def _own_file(run_dir: str | os.PathLike, name: str) -> Path:
    from tipbench.contracts.safe_paths import inside, resolved_root

    try:
        inside(resolved_root(run_dir), name)
    except ValueError as exc:
        raise ManifestError(f"run folder `{run_dir}`: {exc}") from exc
    return Path(run_dir) / name


#: Keys of a scores file that the leaderboard and the marks read, with the JSON type each has when not null.
_SCORE_FILE_TYPES: dict[str, type] = {
    "method": str, "variant": str, "split": str, "prompts": str, "source": str, "weights": str, "protocol": str,
    "split_manifest_sha256": str, "n": int, "fid_n": int, "comparable_to_paper": bool, "external": bool,
    "null_reasons": dict, "metric_weights": dict, "metric_settings": dict, "versions": dict, "notes": list,
    "missing_weights": list,
}


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def score_file_problems(data: Any) -> list[str]:
    """Why a summary/adherence/walk file read from disk cannot be tabulated: not an object, a documented key of the
    wrong type, a metric (`tipbench.metrics.specs.METRICS`) that is neither a finite number nor null."""
    from tipbench.metrics.specs import METRICS

    if not isinstance(data, dict):
        return [f"is a JSON {type(data).__name__}, not an object"]
    problems = []
    for name, kind in _SCORE_FILE_TYPES.items():
        value = data.get(name)
        if value is not None and (not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool)):
            problems.append(f"`{name}` is {type(value).__name__} {str(value)[:40]!r}, expected {kind.__name__}")
    for name in ("null_reasons", "metric_weights"):
        nested = data.get(name)
        if isinstance(nested, dict) and not all(isinstance(v, (str, type(None))) for v in nested.values()):
            problems.append(f"`{name}` must map names to strings")
    for name in METRICS.names():
        value = data.get(name)
        if isinstance(value, dict):
            value = value.get("mean")
        if value is not None and not _is_number(value):
            problems.append(f"metric `{name}` is {str(value)[:40]!r}, not a finite number or null")
    return problems


def read_score_file(run_dir: str | os.PathLike, source: str) -> dict[str, Any] | None:
    """The `source` score file (`summary`, `adherence`, `walk`) of a run or walk folder, None when not written.

    Raises:
        ManifestError: the file leads out of the folder, is not JSON, or fails `score_file_problems`.
    """
    path = _own_file(run_dir, SCORE_FILES[source])
    if not path.is_file():
        return None
    data = read_json(path)
    problems = score_file_problems(data)
    if problems:
        raise ManifestError(f"`{path}`: {'; '.join(problems)}")
    return data
