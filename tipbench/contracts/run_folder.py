"""The run folder (contracts §2): where a run lives (`RunKey`), its run.json, failures.jsonl and outputs, and the
prompt-walk folder beside it (contracts §2.5).

`<runs>/<split>/<method>/<prompts>[@<variant>]/` is built by `RunKey.path` and parsed by `RunKey.from_path` only.

Example:
    >>> from pathlib import Path
    >>> key = RunKey("coco-param", "tip", "both", "no-param")
    >>> key.path(Path("runs")).as_posix()
    'runs/coco-param/tip/both@no-param'
    >>> RunKey.from_path(Path("runs/coco-param/tip/both@no-param")) == key
    True
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipbench.contracts.prompt_policy import prompt_policy
from tipbench.errors import ConfigError, ManifestError
from tipbench.io import atomic_write_bytes, read_json, write_json

RUN_JSON = "run.json"
FAILURES = "failures.jsonl"
OUT_DIR = "out"
#: The leaf name of a prompt walk (`tipbench.adherence walk`): `<runs>/<split>/<method>/walk[@<variant>]/`.
WALK_LEAF = "walk"
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


_KEY_EXAMPLES = {"method": "my-method", "variant": "v2"}


def check_key(kind: str, value: str) -> None:
    """Method and variant keys double as folder names: `[a-z0-9-]`, starting with a letter or digit."""
    if not isinstance(value, str) or not _KEY.match(value):
        example = f" (e.g. {_KEY_EXAMPLES[kind]})" if kind in _KEY_EXAMPLES else ""
        raise ConfigError(f"{kind} key `{value}` must match [a-z0-9-]+{example}")


def _leaf(name: str, variant: str | None) -> str:
    return name if variant is None else f"{name}@{variant}"


def method_label(method: str, variant: str | None = None) -> str:
    """`method[@variant]`, the way tables, figures and messages name a method.

    >>> method_label("tip", "no-param"), method_label("swinir")
    ('tip@no-param', 'swinir')
    """
    return _leaf(method, variant)


@dataclass(frozen=True)
class RunKey:
    """What identifies a run: split, method, prompt policy and variant (None: none)."""

    split: str
    method: str
    prompts: str
    variant: str | None = None

    def __post_init__(self) -> None:
        check_key("method", self.method)
        if self.variant is not None:
            check_key("variant", self.variant)
        prompt_policy(self.prompts)
        if not self.split or "/" in self.split or "\\" in self.split or self.split in (".", ".."):
            raise ConfigError(f"split name `{self.split}` cannot be a folder name (one folder, no `/`)")

    @property
    def label(self) -> str:
        """`method[@variant]`, the way tables and figures name a method."""
        return method_label(self.method, self.variant)

    @property
    def leaf(self) -> str:
        return _leaf(self.prompts, self.variant)

    def path(self, runs_root: str | os.PathLike) -> Path:
        """`<runs_root>/<split>/<method>/<prompts>[@<variant>]/`."""
        return Path(runs_root) / self.split / self.method / self.leaf

    @staticmethod
    def fields_from_path(run_dir: str | os.PathLike) -> dict[str, Any]:
        """split, method, prompts, variant as the last three parts of a folder spell them, unchecked ({} when the
        path is too short): what a reader falls back on for keys a run.json lacks."""
        parts = Path(run_dir).parts
        if len(parts) < 3:
            return {}
        prompts, _, variant = parts[-1].partition("@")
        return {"split": parts[-3], "method": parts[-2], "prompts": prompts, "variant": variant or None}

    @classmethod
    def from_path(cls, run_dir: str | os.PathLike) -> RunKey:
        """The key of a run folder from its last three path parts (`ConfigError` when they are not a key)."""
        found = cls.fields_from_path(run_dir)
        if not found:
            raise ConfigError(f"`{run_dir}` is not laid out as <split>/<method>/<prompts>[@<variant>]")
        return cls(**found)

    def identity(self) -> dict[str, Any]:
        """The key as run.json / summary.json spell it."""
        return {"split": self.split, "method": self.method, "prompts": self.prompts, "variant": self.variant}


def split_method_label(label: str) -> tuple[str, str | None]:
    """(method, variant) of a `method[@variant]` label.

    >>> split_method_label("tip@no-param"), split_method_label("swinir")
    (('tip', 'no-param'), ('swinir', None))
    """
    method, _, variant = label.partition("@")
    return method, variant or None


def walk_dir(runs_root: str | os.PathLike, split: str, method: str, variant: str | None = None) -> Path:
    """`<runs_root>/<split>/<method>/walk[@<variant>]/` — beside the method's prompt-policy run folders."""
    check_key("method", method)
    if variant is not None:
        check_key("variant", variant)
    return Path(runs_root) / split / method / _leaf(WALK_LEAF, variant)


def walk_variant(walk_folder: str | os.PathLike) -> str | None:
    """The variant of a walk folder from its name (`walk@no-param` → `no-param`)."""
    return Path(walk_folder).name.partition("@")[2] or None


def output_path(run_dir: str | os.PathLike, item_id: str) -> Path:
    """`<run>/out/<id>.png`."""
    return Path(run_dir) / OUT_DIR / f"{item_id}.png"


def is_run_folder(run_dir: str | os.PathLike) -> bool:
    return (Path(run_dir) / RUN_JSON).is_file()


def read_run_json(run_dir: str | os.PathLike) -> dict[str, Any]:
    """run.json of a run folder; `ManifestError` when the folder is not one."""
    path = Path(run_dir) / RUN_JSON
    if not path.is_file():
        raise ManifestError(f"`{run_dir}` is not a run folder: no {RUN_JSON} (contracts §2)")
    data = read_json(path)
    if not isinstance(data, dict):
        raise ManifestError(f"`{path}` is not a JSON object")
    return data


def write_run_json(run_dir: str | os.PathLike, record: dict[str, Any]) -> None:
    write_json(Path(run_dir) / RUN_JSON, record)


def check_resumable(run_dir: str | os.PathLike, identity: dict[str, Any]) -> None:
    """A run folder may be resumed only by the same method, variant, prompts, split build and checkpoints."""
    path = Path(run_dir) / RUN_JSON
    if not path.is_file():
        return
    previous = read_json(path)
    changed = [key for key, value in identity.items() if previous.get(key) != value]
    if changed:
        details = "; ".join(f"{key}: {previous.get(key)!r} → {identity[key]!r}" for key in changed)
        raise ConfigError(f"`{run_dir}` holds a run with different {', '.join(changed)} ({details}); its outputs "
                          "cannot be reused — delete the folder or pass another --runs-dir")


class FailureLog:
    """failures.jsonl of the current attempt: truncated at start, one line appended per failed item (a part of a
    run written by several processes keeps its own file, `name`, merged at the end: contracts §2.6)."""

    def __init__(self, run_dir: str | os.PathLike, name: str = FAILURES) -> None:
        self.path = Path(run_dir) / name
        self.count = 0
        atomic_write_bytes(self.path, b"")

    def add(self, item_id: str, error: str) -> None:
        self.count += 1
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"id": item_id, "error": error}, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def read_failures(run_dir: str | os.PathLike, name: str = FAILURES) -> list[dict[str, str]]:
    path = Path(run_dir) / name
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_failures(run_dir: str | os.PathLike, entries: list[dict[str, str]]) -> None:
    """Replace failures.jsonl with `entries` at once (the merge of a run's parts)."""
    lines = "".join(json.dumps({"id": e["id"], "error": e["error"]}, ensure_ascii=False) + "\n" for e in entries)
    atomic_write_bytes(Path(run_dir) / FAILURES, lines.encode("utf-8"))
