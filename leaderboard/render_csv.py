"""CSV rendering: one tidy row per (table, row, column) with full-precision numbers, for further analysis."""

from __future__ import annotations

import io

from leaderboard.fill import FilledTable

CSV_COLUMNS = (
    "table", "row", "method", "variant", "prompts", "split", "metric", "status", "ours", "paper", "diff", "marks",
    "benchmark", "best", "paper_best", "note", "run_dir",
)


def csv_records(tables: list[FilledTable]) -> list[dict]:
    records = []
    for table in tables:
        for row in table.rows:
            for cell in row.cells:
                record = row.runs.get(cell.column.split)
                records.append({
                    "table": table.spec.key,
                    "row": row.spec.label,
                    "method": record.method if record else row.spec.matches[0].method,
                    "variant": (record.variant if record else row.spec.matches[0].variant) or "",
                    "prompts": record.prompts if record else row.spec.matches[0].prompts[0],
                    "split": cell.column.split,
                    "metric": cell.column.metric,
                    "status": cell.status,
                    "ours": cell.value,
                    "paper": cell.paper,
                    "diff": cell.diff,
                    "marks": ";".join(m.code for m in cell.marks),
                    "benchmark": cell.is_benchmark,
                    "best": cell.best,
                    "paper_best": cell.paper_best,
                    "note": table.notes[cell.note - 1] if cell.note else "",
                    # a paper-only column (Table 6's parameter ratio) is never read from a run
                    "run_dir": str(record.path) if record and not cell.column.paper_only else "",
                })
    return records


def render_csv(tables: list[FilledTable]) -> str:
    import pandas as pd

    frame = pd.DataFrame(csv_records(tables), columns=list(CSV_COLUMNS))
    buffer = io.StringIO()
    # `paper` stays a string so "0.300" round-trips as printed; `ours` keeps full float precision.
    frame.to_csv(buffer, index=False, float_format="%.17g")
    return buffer.getvalue()
