"""A run written by several processes (contracts §2.6): each part's record, and the one run.json made from them.

* Launched group (accelerate / torchrun): every rank writes its part record, they meet at a barrier, the main rank
  merges the records into `failures.jsonl` and `run.json` (`processes: N`), and they meet again before scoring.
* Independent shards (`--shard I/N`): each shard writes its record when it ends; the shard that finds every part
  done claims the finalisation (`claim_finalization`) and merges; a later `--finalize` does the same on demand
  (after a finaliser died, or when shards ran with `--no-score` and a dependent job finalises).

The merge is the same in both: outputs present are counted in `out/`, failures are the union of the parts' last
attempts (in item order, minus items whose output now exists), `seconds` is the longest part (they run side by
side), `process_seconds` their sum, `images_per_second` = items restored / `seconds`.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path
from typing import Any

from tipbench.contracts.run_folder import (
    output_path,
    read_failures,
    read_run_json,
    write_failures,
    write_run_json,
)
from tipbench.contracts.run_parts import (
    claim_finalization,
    clear_parts,
    part_counts,
    part_failures_name,
    read_part_records,
    records_digest,
    unfinished_parts,
    write_part_record,
)
from tipbench.contracts.split_folder import SplitRow
from tipbench.errors import ConfigError
from tipbench.parallel import Part

logger = logging.getLogger(__name__)


def record_part(run_dir: Path, part: Part, status: str, *, processed: int = 0, failed: int = 0,
                seconds: float | None = None, described: dict | None = None) -> None:
    """Write this part's record (its last attempt)."""
    described = described or {}
    write_part_record(run_dir, {
        "part": part.index, "parts": part.count, "status": status, "processed": processed, "failed": failed,
        "seconds": None if seconds is None else round(seconds, 3), "command": described.get("command"),
        "ignored_prompts": sorted(described.get("ignored_prompts") or []), "host": socket.gethostname(),
        "pid": os.getpid()})


def merge_parts(run_dir: Path, record: dict[str, Any], items: list[SplitRow], count: int) -> dict[str, Any]:
    """run.json of a run whose `count` parts are all done (see the module docstring); writes nothing."""
    records = read_part_records(run_dir, count)
    order = {item.id: position for position, item in enumerate(items)}
    failures: dict[str, dict[str, str]] = {}
    for index in range(count):
        for entry in read_failures(run_dir, part_failures_name(index, count)):
            if entry.get("id") in order and not output_path(run_dir, entry["id"]).is_file():
                failures[entry["id"]] = entry
    merged_failures = sorted(failures.values(), key=lambda entry: order[entry["id"]])
    done = sum(1 for item in items if output_path(run_dir, item.id).is_file())
    seconds = [float(r["seconds"]) for r in records.values() if r.get("seconds") is not None]
    processed = sum(int(r.get("processed") or 0) for r in records.values())
    longest = max(seconds, default=0.0)
    commands = [c for index in sorted(records) for c in (records[index].get("command") or [])]
    ignored = set(record.get("ignored_prompts") or [])
    for part_record in records.values():
        ignored.update(part_record.get("ignored_prompts") or [])
    config = {**(record.get("config") or {}), "shard": None}
    return {**record, "processes": count, "n_done": done, "n_failed": len(merged_failures),
            "seconds": round(longest, 3), "process_seconds": round(sum(seconds), 3),
            "images_per_second": round(processed / longest, 4) if processed and longest > 0 else None,
            "command": commands or record.get("command"), "ignored_prompts": sorted(ignored),
            "status": "complete" if not merged_failures and done == len(items) else "incomplete",
            "config": config, "failures": merged_failures}


def _write(run_dir: Path, merged: dict[str, Any]) -> dict[str, Any]:
    record = dict(merged)
    write_failures(run_dir, record.pop("failures"))
    write_run_json(run_dir, record)
    return record


def finish_parts(run_dir: Path, record: dict[str, Any], items: list[SplitRow], part: Part) -> dict[str, Any] | None:
    """After this part wrote its record: the finalised run.json, or None when another process finalises."""
    if part.communicates:
        part.barrier()  # every rank's record is written
        merged = merge_parts(run_dir, record, items, part.count)
        if part.is_main:
            _write(run_dir, merged)
            clear_parts(run_dir, keep_count=part.count)
        part.barrier()  # run.json is final before anyone scores
        merged.pop("failures")
        return merged
    records = read_part_records(run_dir, part.count)
    waiting = unfinished_parts(records, part.count)
    if waiting:
        logger.info("shard %s done; waiting for shard(s) %s of %d: the last one finalises and scores the run",
                    part.label, ", ".join(str(i) for i in waiting), part.count)
        return None
    digest = records_digest(records)
    if not claim_finalization(run_dir, digest):
        logger.info("shard %s done; another shard is finalising %s", part.label, run_dir)
        return None
    logger.info("shard %s is the last of %d: finalising %s", part.label, part.count, run_dir)
    final = _write(run_dir, merge_parts(run_dir, record, items, part.count))
    clear_parts(run_dir, keep_count=part.count, keep_digest=digest)
    return final


def finalize_now(run_dir: Path, items: list[SplitRow]) -> dict[str, Any]:
    """`--finalize`: merge the one complete set of part records under `run_dir` into run.json, whoever wrote them.

    Raises:
        ConfigError: no run.json, no part records, or parts not done (named).
    """
    record = read_run_json(run_dir)
    counts = part_counts(run_dir)
    if not counts:
        raise ConfigError(f"`{run_dir}` has no part records to finalise (it was not run with --shard or a launcher)")
    complete = [count for count in counts if not unfinished_parts(read_part_records(run_dir, count), count)]
    if not complete:
        details = "; ".join(f"of {count}: " + ", ".join(f"{i}/{count}" for i in
                                                        unfinished_parts(read_part_records(run_dir, count), count))
                            for count in counts)
        raise ConfigError(f"cannot finalise `{run_dir}`: shard(s) not done ({details}); run them again first")
    count = complete[-1]
    final = _write(run_dir, merge_parts(run_dir, record, items, count))
    clear_parts(run_dir, keep_count=count)
    logger.info("finalised %s from %d part(s)", run_dir, count)
    return final

