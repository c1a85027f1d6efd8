"""Thumbnails of the results browser: made once (≤ 256 px, JPEG or WebP), reused while their source is unchanged.

Whether a thumbnail is up to date is decided by what it was made from — the source's path, size and mtime and the
thumbnail settings — recorded in `thumbs/cache.json` with the thumbnail's own byte count; a thumbnail whose record
matches is not opened again. The cache is saved every few thousand thumbnails, so an interrupted build keeps most
of its work. Encoding is plain Pillow (deterministic for a given image and settings), in worker processes when
asked.

Thumbnails are written to a temporary name and renamed into place, but not fsync'ed one by one as
`tipbench.io.atomic_write_bytes` does: they are a cache, the fsync cost more than making the thumbnail (≈ 8 ms
against ≈ 7 ms on the shared dev box), and a thumbnail lost to a crash shows up as a byte count that no longer
matches its record, so it is simply made again.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipbench.browse.site import THUMB_CACHE, THUMBS_DIR
from tipbench.io import atomic_write_bytes, read_json

logger = logging.getLogger(__name__)

FORMATS = {"jpeg": ("JPEG", {"quality": 85}), "webp": ("WEBP", {"quality": 80, "method": 4})}
MAX_SIDE = 256
_SAVE_EVERY = 2000


@dataclass(frozen=True)
class ThumbJob:
    """One thumbnail: the image it shows and where it goes (relative to the site folder)."""

    source: Path
    thumb: str


@dataclass(frozen=True)
class ThumbResult:
    """The source sizes (width, height) of every thumbnail, and how many were made, reused or failed."""

    sizes: dict[str, tuple[int, int]]
    made: int
    reused: int
    failed: tuple[str, ...]


def thumb_suffix(fmt: str) -> str:
    return ".webp" if fmt == "webp" else ".jpg"


def render_thumbnail(source: Path, max_side: int, fmt: str) -> tuple[bytes, tuple[int, int]]:
    """The encoded thumbnail of `source` (longest side `max_side` at most, never enlarged) and the source's size."""
    import io

    from PIL import Image

    with Image.open(source) as image:
        size = image.size
        rgb = image.convert("RGB")
    rgb.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    name, options = FORMATS[fmt]
    rgb.save(buffer, format=name, **options)
    return buffer.getvalue(), size


def write_thumbnail(path: Path, data: bytes) -> None:
    """Temporary file beside `path`, then rename: never half a file under the name (no fsync, see above). Created
    with mode 0o666 so the file ends with what the umask allows, like a plain open()."""
    import secrets

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _make(task: tuple[str, str, int, str]) -> tuple[str, tuple[int, int] | None, int, str | None]:
    """Worker: write one thumbnail; (thumb, source size or None, thumbnail bytes, error text or None)."""
    from PIL import Image

    source, dest, max_side, fmt = task
    try:
        data, size = render_thumbnail(Path(source), max_side, fmt)
    except (OSError, ValueError, Image.DecompressionBombError) as exc:  # unreadable, truncated or huge image
        return dest, None, 0, f"{source}: {exc}"
    write_thumbnail(Path(dest), data)
    return dest, size, len(data), None


def _signature(source: Path, max_side: int, fmt: str) -> list[Any] | None:
    """What a thumbnail is made from; the path made absolute without resolving links (a stat is all it costs)."""
    path = os.path.abspath(source)
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return [path, stat.st_size, stat.st_mtime_ns, max_side, fmt]


def _bytes(path: str) -> int | None:
    try:
        return os.stat(path).st_size
    except OSError:
        return None


def _read_cache(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = read_json(path)
    except Exception as exc:  # noqa: BLE001 - a broken cache only costs a rebuild
        logger.warning("thumbnail cache %s unreadable (%s); remaking every thumbnail", path, exc)
        return {}
    return data if isinstance(data, dict) else {}


def make_thumbnails(site_dir: Path, jobs: Iterable[ThumbJob], *, max_side: int = MAX_SIDE, fmt: str = "jpeg",
                    workers: int = 0, progress: bool = True) -> ThumbResult:
    """Make every missing or outdated thumbnail of `jobs` under `site_dir`; delete those no job names any more."""
    from tipbench.cli import progress_bar

    cache_path = site_dir / THUMBS_DIR / THUMB_CACHE
    old = _read_cache(cache_path)
    cache: dict[str, Any] = {}
    sizes: dict[str, tuple[int, int]] = {}
    todo: list[tuple[str, str, int, str]] = []
    signatures: dict[str, list[Any]] = {}
    failed: list[str] = []
    for job in jobs:
        signature = _signature(job.source, max_side, fmt)
        if signature is None:
            failed.append(f"{job.source}: missing")
            continue
        record = old.get(job.thumb)
        if isinstance(record, dict) and record.get("from") == signature and _bytes(os.path.join(site_dir, job.thumb)) == record.get(
                "bytes"):
            cache[job.thumb] = record
            sizes[job.thumb] = tuple(record["size"])
            continue
        signatures[job.thumb] = signature
        todo.append((str(job.source), str(site_dir / job.thumb), max_side, fmt))
    for stale in set(old) - set(cache) - set(signatures):
        (site_dir / stale).unlink(missing_ok=True)
    reused = len(cache)

    def save() -> None:  # compact: not a contract file, and the indented encoder is 10× slower for 36 000 entries
        text = json.dumps(cache, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        atomic_write_bytes(cache_path, text.encode("utf-8"))

    made = 0
    results = _run(todo, workers)
    bar = progress_bar(results, total=len(todo), desc="thumbnails", unit="img", enabled=progress)
    try:
        for done, (dest, size, n_bytes, error) in enumerate(bar, start=1):
            thumb = Path(dest).relative_to(site_dir).as_posix()
            if error is not None:
                failed.append(error)
            else:
                made += 1
                sizes[thumb] = size
                cache[thumb] = {"from": signatures[thumb], "size": list(size), "bytes": n_bytes}
            if done % _SAVE_EVERY == 0:
                save()
    finally:  # an interrupted build keeps what it made
        save()
    if failed:
        logger.warning("%d image(s) could not be thumbnailed (shown as missing): %s", len(failed),
                       "; ".join(failed[:5]) + (" …" if len(failed) > 5 else ""))
    return ThumbResult(sizes, made, reused, tuple(failed))


def _run(todo: list[tuple[str, str, int, str]], workers: int) -> Iterable[tuple[str, tuple[int, int] | None, int,
                                                                              str | None]]:
    """The thumbnails made inline (`workers` 0) or by spawned worker processes, in the order given."""
    if workers <= 0 or len(todo) < 2:
        yield from map(_make, todo)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))
    try:
        yield from pool.map(_make, todo, chunksize=max(1, min(64, len(todo) // (4 * workers))))
    finally:  # Ctrl-C or an error: drop the queued thumbnails instead of making them all first
        pool.shutdown(wait=True, cancel_futures=True)
