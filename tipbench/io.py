"""Bytes on disk: atomic writes, sha256, PNG encoding and decoding, canonical JSON.

The formats built on these (split folders, run folders, score files) live in `tipbench.contracts`.
"""

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
    """Decode an image file (or bytes) to HxWx3 uint8 RGB, refusing decompression bombs from the header
    (`tipbench.image_files`; `ImageFileError` for anything unreadable)."""
    from tipbench.image_files import decode_rgb

    return decode_rgb(data_or_path)


def write_png(path: str | os.PathLike, image: np.ndarray) -> str:
    """Atomically write a PNG; returns the sha256 of its bytes."""
    data = encode_png(image)
    atomic_write_bytes(path, data)
    return sha256_bytes(data)
