"""Stage files: the manifest schema, atomic writes, PNG bytes and JSON, for split and run folders (contracts §1–3)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from tipbench.errors import ManifestError

PROTOCOL = "tipbench-v1"

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
OPTIONAL_MANIFEST_COLUMNS: dict[str, str] = {"target_path": "string", "target_sha256": "string"}
SCORE_COLUMNS = ("id", "psnr", "ssim", "psnr_y", "ssim_y", "lpips", "clip_i", "clip_t")


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | os.PathLike, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write to a temporary file beside `path`, fsync, then `os.replace`: readers never see half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def json_dumps(obj: Any) -> str:
    """Canonical JSON: sorted keys, indent 2, final newline (so files diff and hash stably)."""
    return json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=False, allow_nan=False) + "\n"


def write_json(path: str | os.PathLike, obj: Any) -> None:
    atomic_write_bytes(path, json_dumps(obj).encode("utf-8"))


def read_json(path: str | os.PathLike) -> Any:
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ManifestError(f"missing file `{path}`") from exc
    except json.JSONDecodeError as exc:
        raise ManifestError(f"`{path}` is not valid JSON: {exc}") from exc


def encode_png(image: np.ndarray) -> bytes:
    """8-bit RGB PNG bytes with Pillow's default settings (protocol §1)."""
    from PIL import Image

    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected HxWx3 uint8 RGB, got {image.dtype} {image.shape}")
    buffer = io.BytesIO()
    Image.fromarray(image, mode="RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def decode_png(data_or_path: bytes | str | os.PathLike) -> np.ndarray:
    """Decode an image file (or bytes) to HxWx3 uint8 RGB."""
    from PIL import Image

    source = io.BytesIO(data_or_path) if isinstance(data_or_path, bytes) else data_or_path
    with Image.open(source) as img:
        return np.asarray(img.convert("RGB"), dtype=np.uint8).copy()


def write_png(path: str | os.PathLike, image: np.ndarray) -> str:
    """Atomically write a PNG; returns the sha256 of its bytes."""
    data = encode_png(image)
    atomic_write_bytes(path, data)
    return sha256_bytes(data)


def manifest_schema(with_target: bool = False):
    """The Arrow schema of manifest.parquet."""
    import pyarrow as pa

    columns = dict(MANIFEST_COLUMNS)
    if with_target:
        columns.update(OPTIONAL_MANIFEST_COLUMNS)
    return pa.schema([(name, getattr(pa, kind)()) for name, kind in columns.items()])


def write_manifest(path: str | os.PathLike, rows: list[dict[str, Any]]) -> str:
    """Write manifest.parquet atomically from row dicts (sorted by `index`); returns its sha256."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with_target = any(row.get("target_path") is not None for row in rows)
    schema = manifest_schema(with_target)
    rows = sorted(rows, key=lambda row: row["index"])
    missing = [name for name in schema.names if rows and any(name not in row for row in rows)]
    if missing and not set(missing) <= set(OPTIONAL_MANIFEST_COLUMNS):
        raise ManifestError(f"manifest rows lack columns: {', '.join(missing)}")
    table = pa.Table.from_pylist([{k: row.get(k) for k in schema.names} for row in rows], schema=schema)
    buffer = pa.BufferOutputStream()
    pq.write_table(table, buffer, compression="zstd")
    data = buffer.getvalue().to_pybytes()
    atomic_write_bytes(path, data)
    return sha256_bytes(data)


def read_manifest(split_dir: str | os.PathLike):
    """manifest.parquet of a split folder as a pandas DataFrame, with the required columns checked."""
    import pyarrow.parquet as pq

    path = Path(split_dir) / "manifest.parquet"
    if not path.is_file():
        raise ManifestError(f"`{split_dir}` is not a split folder: no manifest.parquet (build it with tipbench.build)")
    try:
        frame = pq.read_table(path).to_pandas()
    except (OSError, ValueError) as exc:  # pyarrow's ArrowInvalid is a ValueError; truncated files an OSError
        raise ManifestError(f"`{path}` is not a readable parquet file ({exc}); rebuild the split") from exc
    missing = [name for name in MANIFEST_COLUMNS if name not in frame.columns]
    if missing:
        raise ManifestError(f"`{path}` lacks columns: {', '.join(missing)}")
    return frame
