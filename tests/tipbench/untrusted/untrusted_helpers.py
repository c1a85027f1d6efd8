"""Helpers for the untrusted-folder tests: hand-edited manifests (as a careless or hostile sender would write them,
straight with pyarrow, keeping split.json consistent), decompression-bomb PNGs, and folder snapshots."""

from __future__ import annotations

import hashlib
import json
import os
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

MANIFEST = "manifest.parquet"


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 30000, height: int = 30000) -> bytes:
    """A 100-byte file whose header claims a huge RGB image (decoding it would allocate width×height×3 bytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
            + png_chunk(b"IEND", b""))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def rewrite_manifest(split_dir: Path, edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]], *,
                     schema: Any = None) -> None:
    """Rewrite manifest.parquet with `edit` applied to its rows, written directly with pyarrow (any values, any
    `schema`), and record the new sha256 in split.json as a sender covering their tracks would."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = split_dir / MANIFEST
    table = pq.read_table(path)
    rows = edit(table.to_pylist())
    pq.write_table(pa.Table.from_pylist(rows, schema=schema or table.schema), path)
    info_path = split_dir / "split.json"
    info = json.loads(info_path.read_text(encoding="utf-8"))
    info["manifest_sha256"] = sha256(path.read_bytes())
    info_path.write_text(json.dumps(info), encoding="utf-8")


def set_field(split_dir: Path, number: int, **values: Any) -> None:
    """Set fields of manifest row `number` (0-based, file order)."""
    rewrite_manifest(split_dir, lambda rows: [{**row, **values} if i == number else row for i, row in enumerate(rows)])


def replace_image(split_dir: Path, number: int, kind: str, data: bytes) -> None:
    """Put `data` in row `number`'s `kind` file and its sha256 in the manifest (a consistent but hostile split)."""
    import pyarrow.parquet as pq

    relative = pq.read_table(split_dir / MANIFEST).to_pylist()[number][f"{kind}_path"]
    (split_dir / relative).write_bytes(data)
    set_field(split_dir, number, **{f"{kind}_sha256": sha256(data)})


def snapshot(folder: Path, *, skip: Path | None = None) -> dict[str, tuple[int, int]]:
    """(size, mtime_ns) of every entry under `folder` (symlinks not followed), except under `skip`."""
    found = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        if skip is not None and Path(dirpath).resolve().is_relative_to(skip.resolve()):
            continue
        for name in dirnames + filenames:
            path = Path(dirpath) / name
            if skip is not None and path.absolute().is_relative_to(skip.absolute()):
                continue
            status = path.lstat()
            found[str(path)] = (status.st_size, status.st_mtime_ns)
    return found
