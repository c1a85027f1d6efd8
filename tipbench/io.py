"""Bytes on disk: atomic writes, sha256, PNG encoding and decoding, canonical JSON.

The formats built on these (split folders, run folders, score files) live in `tipbench.contracts`.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO

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


def create_beside(path: str | os.PathLike, suffix: str = ".tmp") -> tuple[int, Path]:
    """A new, empty temporary file beside `path` (hidden name, never an existing file): (fd, its path).

    Why not `tempfile.mkstemp`: it creates the file with mode 0600 whatever the umask, and the final file keeps the
    mode of its temporary one, so a dataset built on a shared machine could be read by nobody else. `os.open` with
    0o666 lets the kernel apply the process umask (and any default ACL) exactly as a plain `open(path, "w")` would,
    without reading or changing the umask (which is process-wide and racy with threads).
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
    while True:
        tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}{suffix}"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:  # pragma: no cover - 48 random bits
            continue


@contextmanager
def atomic_writer(path: str | os.PathLike, suffix: str = ".tmp") -> Iterator[BinaryIO]:
    """Write through a binary handle to a temporary file beside `path`; on success fsync it and `os.replace` it onto
    `path` (readers never see half a file), on any exception (Ctrl-C included) remove it.

    The final file has the mode a plain `open(path, "w")` gives under the umask (0644 under 022, 0600 under 077).
    """
    fd, tmp = create_beside(path, suffix)
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write `data` to `path` atomically (`atomic_writer`): temporary file beside it, fsync, then `os.replace`."""
    with atomic_writer(path) as handle:
        handle.write(data)


def png_bit_depth(data_or_path: bytes | str | os.PathLike) -> int | None:
    """Bits per sample from a PNG's IHDR chunk (byte 24), or None when it is not a PNG.

    Needed because Pillow opens a 16-bit RGB PNG as mode "RGB" (keeping the high byte of each sample), so the mode
    alone cannot tell an 8-bit RGB PNG from a 16-bit one.
    """
    if isinstance(data_or_path, bytes):
        head = data_or_path[:26]
    else:
        with open(data_or_path, "rb") as handle:
            head = handle.read(26)
    if len(head) < 26 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        return None
    return head[24]


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
