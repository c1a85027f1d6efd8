"""Fake clones holding the stand-in program (laid out like StableSR / DiffBIR) and the recorded upstream flags."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tipbench.weights import get_spec

STANDIN = Path(__file__).parent / "standins" / "standin_program.py"
UPSTREAM_FLAGS = Path(__file__).parent / "upstream_flags"


def upstream_record(clone) -> dict:
    """The flags recorded from the clone's upstream scripts (`upstream_flags/<name>.json`)."""
    return json.loads((UPSTREAM_FLAGS / f"{clone.name.lower()}.json").read_text())


def make_clone(root: Path, clone, weight_names: tuple[str, ...] = ()) -> Path:
    """A folder laid out like the clone: the stand-in at every script the adapters may run, the upstream flag
    record the stand-in parses with, and weight files if asked."""
    for script in clone.scripts:
        entry = root / script
        entry.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(STANDIN, entry)
    (root / ".standin").mkdir(parents=True, exist_ok=True)
    shutil.copy(UPSTREAM_FLAGS / f"{clone.name.lower()}.json", root / ".standin" / "upstream_flags.json")
    for name in weight_names:
        path = root / str(clone.weights_subdir) / get_spec(name).file_name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"stand-in weights " + name.encode())
    return root


def argv_problems(record: dict, argv: list[str]) -> list[str]:
    """What in one command line (`python SCRIPT --flag value ...`) the recorded upstream script does not accept:
    an unknown script or flag, a value outside `choices` / `values_from_code`, a value of the wrong type."""
    script = argv[1]
    if script not in record["scripts"]:
        return [f"script `{script}` not recorded from {record['repo']}"]
    entry = record["scripts"][script]
    flags = {name: flag for flag in entry["flags"] for name in (flag["name"], *flag["aliases"])}
    problems, position = [], 2
    while position < len(argv):
        token = argv[position]
        flag = flags.get(token)
        if flag is None:
            problems.append(f"{script} has no flag `{token}`")
            position += 1 if position + 1 == len(argv) or argv[position + 1].startswith("--") else 2
            continue
        if flag.get("action") in ("store_true", "store_false"):
            position += 1
            continue
        value = argv[position + 1] if position + 1 < len(argv) else None
        allowed = flag.get("choices") or entry["values_from_code"].get(flag["name"], {}).get("values")
        if value is None:
            problems.append(f"{script} `{token}` has no value")
        elif allowed is not None and value not in allowed:
            problems.append(f"{script} `{token} {value}`: upstream accepts {allowed}")
        elif flag.get("type") in ("int", "float"):
            try:
                {"int": int, "float": float}[flag["type"]](value)
            except ValueError:
                problems.append(f"{script} `{token} {value}` is not {flag['type']}")
        position += 2
    return problems
