"""The split folder (contracts §1): manifest schema, the typed row, the one reader and the one writer.

Every stage that reads a split (`run`, `score`, `adherence`, `figures`, `publish`) goes through
`read_split_folder`; the builder, the tests' tiny splits and the benchmarks write one through this module. A new
manifest column is a new `SplitRow` field and a new `MANIFEST_COLUMNS` entry, here and nowhere else.

Example:
    >>> import numpy as np, tempfile
    >>> from pathlib import Path
    >>> folder = Path(tempfile.mkdtemp()) / "tiny"
    >>> image = np.zeros((8, 8, 3), np.uint8)
    >>> split = write_split_folder(folder, [new_item("a", 0, gt=image, lq=image[::2, ::2])], {"split": "tiny"})
    >>> split.name, split.ids, split.rows[0].lq_path, split.rows[0].width_lq
    ('tiny', ('a',), 'lq/a.png', 4)
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any, Literal

import numpy as np

from tipbench.contracts import PROTOCOL
from tipbench.contracts.manifest_checks import (
    describe_bad_rows,
    row_problems,
    schema_problems,
    split_info_problems,
)
from tipbench.contracts.safe_paths import Inside, id_problem, inside, resolved_root
from tipbench.errors import ManifestError
from tipbench.io import atomic_write_bytes, encode_png, read_json, sha256_bytes, sha256_file, write_json

MANIFEST = "manifest.parquet"
SPLIT_JSON = "split.json"
SKIPPED = "skipped.jsonl"
#: Image folders of a split: ground truth, degraded input, and coco-selective's selective target.
ImageKind = Literal["gt", "lq", "target"]
IMAGE_KINDS: tuple[ImageKind, ...] = ("gt", "lq", "target")

#: manifest.parquet columns (contracts §1), in order, with their Arrow type names.
MANIFEST_COLUMNS: dict[str, str] = {
    "id": "string",
    "index": "int64",
    "source_path": "string",
    "gt_path": "string",
    "lq_path": "string",
    "gt_sha256": "string",
    "lq_sha256": "string",
    "width_lq": "int32",
    "height_lq": "int32",
    "semantic_prompt": "string",
    "restoration_prompt": "string",
    "restoration_prompt_type": "string",
    "pipeline": "string",
    "params": "string",
    "seed": "int64",
}
#: Columns only coco-selective has (null elsewhere; absent from manifests without any target).
OPTIONAL_MANIFEST_COLUMNS: dict[str, str] = {"target_path": "string", "target_sha256": "string"}
#: Text columns where null means "" (no caption, no prompt, no params recorded).
_TEXT_COLUMNS = ("semantic_prompt", "restoration_prompt", "restoration_prompt_type", "params", "source_path")
#: Columns every row must fill: a null here is a broken manifest, never a default.
_REQUIRED_TEXT = ("id", "gt_path", "lq_path", "gt_sha256", "lq_sha256", "pipeline")
_MAX_LISTED = 20


@dataclass(frozen=True)
class SplitRow:
    """One manifest row; paths are relative to the split folder (`SplitFolder.file` resolves them)."""

    id: str
    index: int
    source_path: str
    gt_path: str
    lq_path: str
    gt_sha256: str
    lq_sha256: str
    width_lq: int
    height_lq: int
    semantic_prompt: str
    restoration_prompt: str
    restoration_prompt_type: str
    pipeline: str
    params: str
    seed: int
    target_path: str | None = None
    target_sha256: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SplitRow:
        """A row from a manifest record: null prompt/params columns become "", integers are made `int`.

        Raises:
            ValueError: a required column (id, paths, hashes, pipeline, the integers) is null or of the wrong type.
        """
        values = {f.name: data.get(f.name) for f in fields(cls)}
        for name in _TEXT_COLUMNS:
            value = values[name]
            values[name] = "" if value is None or (isinstance(value, float) and value != value) else str(value)
        for name in _REQUIRED_TEXT:
            if not isinstance(values[name], str) or not values[name]:
                raise ValueError(f"row {values.get('id')!r} has no `{name}` (got {values[name]!r})")
        for name in ("index", "width_lq", "height_lq", "seed"):
            value = values[name]
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
                raise ValueError(f"row {values['id']!r}: `{name}` must be an integer, got {value!r}")
            values[name] = int(value)
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def params_dict(self) -> dict[str, Any]:
        """The `params` column decoded: every sampled value of the row's degradation."""
        return json.loads(self.params) if self.params else {}


def encode_params(params: dict[str, Any]) -> str:
    """The `params` column: compact, sorted JSON (numpy scalars become Python numbers).

    >>> encode_params({"b": np.float32(0.5), "a": 1})
    '{"a":1,"b":0.5}'
    """

    def convert(value: Any) -> Any:
        if isinstance(value, np.generic):
            return value.item()
        if isinstance(value, np.ndarray):
            return value.tolist()
        raise TypeError(f"cannot store {type(value).__name__} in params")

    return json.dumps(params, sort_keys=True, separators=(",", ":"), allow_nan=False, default=convert)


def list_ids(ids: Sequence[str]) -> str:
    """`a, b, c` (the first 20, then `… and N more`) for error messages."""
    shown = ", ".join(ids[:_MAX_LISTED])
    return shown + (f" … and {len(ids) - _MAX_LISTED} more" if len(ids) > _MAX_LISTED else "")


@dataclass(frozen=True)
class SplitFolder:
    """A split folder as read: its rows in `index` order, split.json and the manifest's sha256."""

    path: Path
    rows: tuple[SplitRow, ...]
    info: dict[str, Any]
    manifest_sha256: str
    #: set when cut to the first `subset` rows (what a `--limit subset` run restored).
    subset: int | None = None

    @property
    def name(self) -> str:
        return str(self.info.get("split", self.path.name))

    @property
    def source(self) -> str | None:
        return self.info.get("source")

    @property
    def protocol(self) -> str | None:
        return self.info.get("protocol")

    @property
    def seed(self) -> int:
        return int(self.info.get("seed", 0))

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(row.id for row in self.rows)

    @property
    def semantic_prompts(self) -> tuple[str, ...]:
        return tuple(row.semantic_prompt for row in self.rows)

    @property
    def has_targets(self) -> bool:
        return bool(self.rows) and all(row.target_path for row in self.rows)

    def file(self, relative: str) -> Path:
        """A path of the manifest joined to the split folder, refused (`ManifestError`) when it is not relative or
        leads out of the folder (the reader already checked every row; this guards rows built elsewhere)."""
        try:
            inside(resolved_root(self.path), relative)
        except ValueError as exc:
            raise ManifestError(f"split `{self.path}`: {exc}") from exc
        return self.path / relative

    def image(self, row: SplitRow, kind: ImageKind) -> Path:
        """The file of one of a row's images (`gt`, `lq` or `target`)."""
        relative = getattr(row, f"{kind}_path")
        if not relative:
            raise ManifestError(f"row `{row.id}` of `{self.path}` has no `{kind}_path`")
        return self.file(relative)

    def reference_images(self, reference: Literal["gt", "target"]) -> tuple[Path, ...]:
        """Every row's scoring reference: `gt/` or coco-selective's `target/`."""
        if reference == "target" and not self.has_targets:
            raise ManifestError(f"split `{self.path.name}` has no `target_path` for every row; reference `target` "
                                "needs it (only coco-selective has targets)")
        return tuple(self.image(row, reference) for row in self.rows)

    def first(self, n: int) -> SplitFolder:
        """The first `n` rows of the seeded order (what `--limit n` restores)."""
        if n >= len(self.rows):
            return self
        return replace(self, rows=self.rows[:n], subset=n)

    def select(self, ids: Sequence[str]) -> list[SplitRow]:
        """The rows of `ids`, in the order given; `ManifestError` naming any id the split does not have."""
        by_id = {row.id: row for row in self.rows}
        missing = [item_id for item_id in ids if item_id not in by_id]
        if missing:
            raise ManifestError(f"ids {missing} are not in split `{self.path}`; first ids there: {list(by_id)[:5]}")
        return [by_id[item_id] for item_id in ids]


def read_split_folder(split_dir: str | os.PathLike) -> SplitFolder:
    """Read a split folder: manifest rows (checked columns, unique ids, `index` order) and split.json.

    Nothing read from the folder is trusted (docs/reliability.md): column types must fit the schema, ids must be
    safe file stems, and every path must be relative and stay inside the folder once symlinks are followed
    (`tipbench.contracts.manifest_checks`). File contents are checked against their sha256 where a stage reads them
    (`tipbench.contracts.integrity`).

    Raises:
        ManifestError: no such folder, no or unreadable manifest, missing or mistyped columns, a bad row (named),
            duplicate ids or indices, a split.json that is not an object of the documented types.
    """
    import pyarrow.parquet as pq

    split_dir = Path(split_dir)
    if not split_dir.is_dir():
        raise ManifestError(f"split folder `{split_dir}` does not exist; build it with `python -m tipbench.build "
                            f"--split {split_dir.name}` or pass --splits-dir")
    root = resolved_root(split_dir)
    path = _own_file(split_dir, root, MANIFEST)
    if not path.is_file():
        raise ManifestError(f"`{split_dir}` is not a split folder: no {MANIFEST} (build it with tipbench.build)")
    try:
        table = pq.read_table(path)
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError; truncated files an OSError
        raise ManifestError(f"`{path}` is not a readable parquet file ({exc}); rebuild the split") from exc
    missing = [name for name in MANIFEST_COLUMNS if name not in table.column_names]
    if missing:
        raise ManifestError(f"`{path}` lacks columns: {', '.join(missing)}")
    mistyped = schema_problems(table.schema, {**MANIFEST_COLUMNS, **OPTIONAL_MANIFEST_COLUMNS})
    if mistyped:
        raise ManifestError(f"`{path}` has columns of the wrong type: {'; '.join(mistyped)}; rebuild the split")
    rows, bad, paths_inside = [], [], Inside(root)
    for number, record in enumerate(table.to_pylist(), 1):
        try:
            row = SplitRow.from_dict(record)
        except (TypeError, ValueError) as exc:
            bad.append((number, record.get("id"), str(exc)))
            continue
        problems = row_problems(row, paths_inside)
        if problems:
            bad.append((number, row.id, "; ".join(problems)))
        rows.append(row)
    if bad:
        raise ManifestError(describe_bad_rows(path, bad))
    rows.sort(key=lambda row: row.index)
    for column, plural in (("id", "ids"), ("index", "index values")):
        seen: set[Any] = set()
        duplicates = sorted({str(getattr(row, column)) for row in rows
                             if getattr(row, column) in seen or seen.add(getattr(row, column))})
        if duplicates:
            raise ManifestError(f"`{path}` has duplicate {plural}: {list_ids(duplicates)}")
    info_path = _own_file(split_dir, root, SPLIT_JSON)
    info = read_json(info_path) if info_path.is_file() else {}
    problems = split_info_problems(info)
    if problems:
        raise ManifestError(f"`{info_path}`: {'; '.join(problems)}; rebuild the split")
    return SplitFolder(split_dir, tuple(rows), info, sha256_file(path))


def _own_file(split_dir: Path, root: Path, name: str) -> Path:
    """`split_dir/name`, refused when a symlink takes it out of the split folder."""
    try:
        inside(root, name)
    except ValueError as exc:
        raise ManifestError(f"`{split_dir}`: {exc}") from exc
    return split_dir / name


# -------------------------------------------------------------------------------------------------- the writer
def write_item_file(split_dir: str | os.PathLike, kind: ImageKind, item_id: str, png: bytes) -> tuple[str, str]:
    """Write one item's PNG into `<kind>/<id>.png` atomically; returns (relative path, sha256)."""
    relative = f"{kind}/{item_id}.png"
    atomic_write_bytes(Path(split_dir) / relative, png)
    return relative, sha256_bytes(png)


def manifest_schema(with_target: bool = False):
    """The Arrow schema of manifest.parquet."""
    import pyarrow as pa

    columns = dict(MANIFEST_COLUMNS)
    if with_target:
        columns.update(OPTIONAL_MANIFEST_COLUMNS)
    return pa.schema([(name, getattr(pa, kind)()) for name, kind in columns.items()])


def write_manifest(split_dir: str | os.PathLike, rows: Sequence[SplitRow]) -> str:
    """Write manifest.parquet atomically (rows sorted by `index`); returns its sha256.

    Raises:
        ManifestError: an id the reader would refuse (a source that made one is named by it), so no split is
            written that cannot be read back.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    for row in rows:
        if id_problem(row.id):
            raise ManifestError(f"item id {row.id!r} {id_problem(row.id)}; it cannot name a file in a split folder")

    with_target = any(row.target_path is not None for row in rows)
    schema = manifest_schema(with_target)
    ordered = sorted(rows, key=lambda row: row.index)
    table = pa.Table.from_pylist([{name: getattr(row, name) for name in schema.names} for row in ordered],
                                 schema=schema)
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer, compression="zstd")
    data = buffer.getvalue().to_pybytes()
    atomic_write_bytes(Path(split_dir) / MANIFEST, data)
    return sha256_bytes(data)


def write_skipped(split_dir: str | os.PathLike, entries: Iterable[dict[str, Any]],
                  name: str = SKIPPED) -> None:
    """skipped.jsonl: one line per skipped input (kind, index, id, source_path, reason; contracts §1)."""
    lines = "".join(json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n" for entry in entries)
    atomic_write_bytes(Path(split_dir) / name, lines.encode("utf-8"))


def write_split_info(split_dir: str | os.PathLike, info: dict[str, Any]) -> None:
    """split.json (keys: docs/contracts.md §1)."""
    write_json(Path(split_dir) / SPLIT_JSON, info)


def new_item(item_id: str, index: int, *, gt: np.ndarray, lq: np.ndarray, target: np.ndarray | None = None,
             semantic_prompt: str = "", restoration_prompt: str = "", restoration_prompt_type: str | None = None,
             pipeline: str = "param", params: dict[str, Any] | None = None, seed: int = 0,
             source_path: str | None = None) -> dict[str, Any]:
    """One in-memory item for `write_split_folder` (tests, benchmarks): images plus the row's text fields."""
    return {"id": item_id, "index": index, "gt": gt, "lq": lq, "target": target,
            "semantic_prompt": semantic_prompt, "restoration_prompt": restoration_prompt,
            "restoration_prompt_type": restoration_prompt if restoration_prompt_type is None
            else restoration_prompt_type, "pipeline": pipeline, "params": params or {}, "seed": seed,
            "source_path": source_path or f"{item_id}.png"}


def write_split_folder(split_dir: str | os.PathLike, items: Iterable[dict[str, Any]],
                       info: dict[str, Any]) -> SplitFolder:
    """Write a whole split folder from in-memory items (`new_item`) and return it as read back.

    split.json gets `info` plus `protocol`, `n_built` and `manifest_sha256` unless `info` sets them.
    """
    split_dir = Path(split_dir)
    rows = []
    for item in items:
        files: dict[str, Any] = {}
        for kind in IMAGE_KINDS:
            if item.get(kind) is not None:
                files[f"{kind}_path"], files[f"{kind}_sha256"] = write_item_file(
                    split_dir, kind, item["id"], encode_png(item[kind]))
        text = {key: item[key] for key in ("id", "index", "source_path", "semantic_prompt", "restoration_prompt",
                                           "restoration_prompt_type", "pipeline", "seed")}
        params = item["params"]
        rows.append(SplitRow(**text, **files, width_lq=int(item["lq"].shape[1]), height_lq=int(item["lq"].shape[0]),
                             params=params if isinstance(params, str) else encode_params(params)))
    manifest_sha256 = write_manifest(split_dir, rows)
    write_split_info(split_dir, {"protocol": PROTOCOL, "n_built": len(rows), "manifest_sha256": manifest_sha256,
                                 **info})
    return read_split_folder(split_dir)
