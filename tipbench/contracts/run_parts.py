"""The parts of a run written by several processes (contracts §2.6): `<run>/.parts/`.

Each part (an accelerate rank or a `--shard I/N` task) writes its own files, never another's:

```
<run>/.parts/
  part-<i>-of-<n>.json       its last attempt: status (running | done | interrupted), items restored and failed,
                             seconds, subprocess command lines, host and pid
  failures-<i>-of-<n>.jsonl  its failures of that attempt (one line per item, as failures.jsonl)
  finalize-<digest>          claim of the process finalising the run from one set of part records
```

When every part of `n` is done, one process merges them into `failures.jsonl` and `run.json` (`processes: n`).
Independent shards agree on who that is through `claim_finalization`: an exclusive create (`O_EXCL`) of a file
named by the digest of the part records, so exactly one shard finalises a given set of records, and a part that
runs again (new record, new digest) can finalise after a finaliser that died.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Any

from tipbench.errors import ManifestError
from tipbench.io import json_dumps, read_json, write_json

PARTS_DIR = ".parts"
_RECORD = re.compile(r"^part-(\d+)-of-(\d+)\.json$")
DONE, RUNNING, INTERRUPTED = "done", "running", "interrupted"


def parts_dir(run_dir: str | os.PathLike) -> Path:
    return Path(run_dir) / PARTS_DIR


def part_record_path(run_dir: str | os.PathLike, index: int, count: int) -> Path:
    return parts_dir(run_dir) / f"part-{index}-of-{count}.json"


def part_failures_name(index: int, count: int) -> str:
    """The failures file of one part, relative to the run folder."""
    return f"{PARTS_DIR}/failures-{index}-of-{count}.jsonl"


def write_part_record(run_dir: str | os.PathLike, record: dict[str, Any]) -> None:
    """Write (atomically) the record of part `record["part"]` of `record["parts"]`."""
    write_json(part_record_path(run_dir, int(record["part"]), int(record["parts"])), record)


def read_part_records(run_dir: str | os.PathLike, count: int) -> dict[int, dict[str, Any]]:
    """index → record of every part of `count` present (unreadable records count as absent)."""
    records: dict[int, dict[str, Any]] = {}
    folder = parts_dir(run_dir)
    for path in sorted(folder.glob("part-*-of-*.json")) if folder.is_dir() else []:
        match = _RECORD.match(path.name)
        if not match or int(match.group(2)) != count:
            continue
        try:
            data = read_json(path)
        except ManifestError:
            continue
        if isinstance(data, dict):
            records[int(match.group(1))] = data
    return records


def part_counts(run_dir: str | os.PathLike) -> list[int]:
    """The part counts `n` with at least one record, ascending."""
    folder = parts_dir(run_dir)
    found = {int(m.group(2)) for p in (folder.glob("part-*.json") if folder.is_dir() else [])
             if (m := _RECORD.match(p.name))}
    return sorted(found)


def unfinished_parts(records: dict[int, dict[str, Any]], count: int) -> list[int]:
    """Parts of `count` whose last attempt is not done (no record, running, interrupted)."""
    return [index for index in range(count) if (records.get(index) or {}).get("status") != DONE]


def records_digest(records: dict[int, dict[str, Any]]) -> str:
    """sha256 of the records in part order: names one set of finished parts."""
    digest = hashlib.sha256()
    for index in sorted(records):
        digest.update(json_dumps(records[index]).encode("utf-8"))
    return digest.hexdigest()


def claim_finalization(run_dir: str | os.PathLike, digest: str) -> bool:
    """True for exactly one caller per `digest` (exclusive create); False when another process claimed it."""
    folder = parts_dir(run_dir)
    folder.mkdir(parents=True, exist_ok=True)
    try:
        handle = os.open(folder / f"finalize-{digest[:32]}", os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    except FileExistsError:
        return False
    with os.fdopen(handle, "w", encoding="utf-8") as claim:
        claim.write(f"{os.uname().nodename} {os.getpid()}\n")
    return True


def clear_parts(run_dir: str | os.PathLike, keep_count: int | None = None, keep_digest: str | None = None) -> None:
    """Remove part files of every other count (all of them when `keep_count` is None) and stale claims."""
    folder = parts_dir(run_dir)
    if not folder.is_dir():
        return
    suffix = None if keep_count is None else f"-of-{keep_count}"
    for path in folder.iterdir():
        if path.name.startswith("finalize-"):
            if keep_digest is None or path.name != f"finalize-{keep_digest[:32]}":
                path.unlink(missing_ok=True)
        elif suffix is None or not path.stem.endswith(suffix):
            path.unlink(missing_ok=True)
    if keep_count is None:
        try:
            folder.rmdir()
        except OSError:
            pass
