"""The checks `read_split_folder` runs on a split folder it did not necessarily write (contracts §1).

A split folder may come from anywhere, so before any stage joins a manifest value to a path it is checked here:
column types against the schema, each row's id and paths (`tipbench.contracts.safe_paths`), hash and integer
fields, and the split.json keys a reader uses. The reader turns the problems into one `ManifestError` naming the
first bad row. This module works on rows by attribute so that it never imports the reader (no import circle).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from tipbench.contracts.safe_paths import Inside, folder_name_problem, id_problem

SHA256_HEX = re.compile(r"^[0-9a-f]{64}$")
#: Largest LQ side a manifest may claim (the decoder's pixel limit refuses far smaller images anyway).
MAX_SIDE = 1 << 16
_IMAGE_KINDS = ("gt", "lq", "target")


def _arrow_kind(arrow_type: Any) -> str:
    import pyarrow as pa

    if pa.types.is_integer(arrow_type):
        return "integer"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_null(arrow_type):
        return "null"
    return str(arrow_type)


def schema_problems(schema: Any, columns: dict[str, str]) -> list[str]:
    """`column: expected T, found U` for every present column of `columns` whose Arrow type does not fit.

    Integers may have any width, strings may be large; an all-null column (Arrow `null`) fits any type here and
    is judged row by row (a required column that is null is a bad row).
    """
    problems = []
    for name, expected in columns.items():
        if name not in schema.names:
            continue
        found = _arrow_kind(schema.field(name).type)
        wanted = "integer" if expected.startswith("int") else expected
        if found not in (wanted, "null"):
            problems.append(f"`{name}` is {schema.field(name).type}, expected {expected}")
    return problems


def row_problems(row: Any, inside: Inside) -> list[str]:
    """Everything wrong with one typed row (`SplitRow`) of the split folder `inside` checks paths against."""
    problems = []
    problem = id_problem(row.id)
    if problem:
        problems.append(f"id {problem}")
    for kind in _IMAGE_KINDS:
        relative, digest = getattr(row, f"{kind}_path"), getattr(row, f"{kind}_sha256")
        if kind == "target" and relative is None and digest is None:
            continue
        if relative is None or digest is None:
            problems.append("`target_path` and `target_sha256` must both be set or both be null")
            continue
        try:
            inside(relative)
        except ValueError as exc:
            problems.append(f"`{kind}_path`: {exc}")
        if not SHA256_HEX.match(digest):
            problems.append(f"`{kind}_sha256` is not 64 lowercase hex digits: {digest[:70]!r}")
    for name in ("index", "seed"):
        if getattr(row, name) < 0:
            problems.append(f"`{name}` {getattr(row, name)} is negative")
    for name in ("width_lq", "height_lq"):
        if not 0 < getattr(row, name) <= MAX_SIDE:
            problems.append(f"`{name}` {getattr(row, name)} is not in 1..{MAX_SIDE}")
    if row.params:
        try:
            params = json.loads(row.params)
        except ValueError:
            params = None
        if not isinstance(params, dict):
            problems.append("`params` is not a JSON object")
    return problems


def split_info_problems(info: Any) -> list[str]:
    """Problems with the split.json keys the stages read (`split`, `seed`, `source`, `protocol`,
    `manifest_sha256`); other keys are carried, not interpreted."""
    if not isinstance(info, dict):
        return [f"is a JSON {type(info).__name__}, not an object"]
    problems = []
    if "split" in info:
        problem = folder_name_problem(info["split"])
        if problem:
            problems.append(f"`split` {problem}")
    seed = info.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        problems.append(f"`seed` must be a non-negative integer, got {seed!r}")
    for name in ("source", "protocol"):
        if info.get(name) is not None and not isinstance(info[name], str):
            problems.append(f"`{name}` must be a string, got {info[name]!r}")
    digest = info.get("manifest_sha256")
    if digest is not None and not (isinstance(digest, str) and SHA256_HEX.match(digest)):
        problems.append(f"`manifest_sha256` is not 64 lowercase hex digits: {digest!r}")
    return problems


def describe_bad_rows(path: Path, bad: list[tuple[int, Any, str]]) -> str:
    """One line naming the first bad row (1-based position in the file, id) and how many others are bad."""
    number, item_id, reason = bad[0]
    more = f" (and {len(bad) - 1} more bad row(s))" if len(bad) > 1 else ""
    return f"`{path}` row {number} (id {item_id!r}): {reason}{more}; fix the manifest or rebuild the split"
