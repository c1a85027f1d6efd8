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
from tipbench.contracts.safe_paths import folder_name_problem, id_problem, inside, resolved_root
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


def _own_path(run_dir: str | os.PathLike, relative: str) -> Path:
    """`run_dir/relative`, refused (`ManifestError`) when a symlink takes it out of the run folder."""
    try:
        inside(resolved_root(run_dir), relative)
    except ValueError as exc:
        raise ManifestError(f"run folder `{run_dir}`: {exc}") from exc
    return Path(run_dir) / relative


def out_dir(run_dir: str | os.PathLike) -> Path:
    """`<run>/out/`, checked to stay inside the run folder (a received `out` symlinked elsewhere is refused)."""
    return _own_path(run_dir, OUT_DIR)


def checked_output(run_dir: str | os.PathLike, item_id: str) -> Path:
    """`<run>/out/<id>.png` for reading: the id must be a safe file stem and the file must stay in the folder."""
    problem = id_problem(item_id)
    if problem:
        raise ManifestError(f"output id {item_id!r} {problem}")
    return _own_path(run_dir, f"{OUT_DIR}/{item_id}.png")


def output_files(run_dir: str | os.PathLike) -> dict[str, Path]:
    """id → file of every `out/*.png` (empty when there is no `out/`).

    Raises:
        ManifestError: an output that is not a regular file inside the run folder (a symlink leading out, a folder).
    """
    folder = out_dir(run_dir)
    if not folder.is_dir():
        return {}
    root, found, refused = resolved_root(run_dir), {}, []
    for path in sorted(folder.glob("*.png")):
        resolved = path.resolve()
        if not resolved.is_relative_to(root) or not resolved.is_file():
            refused.append(path.name)
        else:
            found[path.stem] = path
    if refused:
        raise ManifestError(f"`{folder}` has outputs that are not files inside the run folder (symlinks leading out "
                            f"or folders): {', '.join(refused[:20])}")
    return found


def is_run_folder(run_dir: str | os.PathLike) -> bool:
    return (Path(run_dir) / RUN_JSON).is_file()


def read_run_json(run_dir: str | os.PathLike) -> dict[str, Any]:
    """run.json of a run folder, its keys checked against contracts §2.3 (`run_json_problems`).

    Raises:
        ManifestError: no run.json, one leading out of the folder, not a JSON object, or a key of the wrong type.
    """
    path = _own_path(run_dir, RUN_JSON)
    if not path.is_file():
        raise ManifestError(f"`{run_dir}` is not a run folder: no {RUN_JSON} (contracts §2)")
    data = read_json(path)
    problems = run_json_problems(data)
    if problems:
        raise ManifestError(f"`{path}`: {'; '.join(problems)}")
    return data


#: run.json keys read by the stages and the leaderboard, with the JSON type each has when not null (contracts §2.3).
_RUN_JSON_TYPES: dict[str, type] = {
    "prompts": str, "status": str, "weights": str, "split_dir": str, "device": str, "source": str,
    "checkpoints": dict, "config": dict, "ignored_prompts": list, "versions": dict, "settings": dict, "external": bool,
    "n_items": int, "n_done": int, "n_failed": int,
}


def run_json_problems(data: Any) -> list[str]:
    """Why a run.json read from disk cannot be used: not an object, a key of the wrong type, a method or variant
    that is not a key, a split that is not one folder name, a hash that is not sha256 hex."""
    if not isinstance(data, dict):
        return [f"is a JSON {type(data).__name__}, not an object"]
    problems = []
    for name, kind in _RUN_JSON_TYPES.items():
        value = data.get(name)
        if value is not None and (not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool)):
            problems.append(f"`{name}` is {type(value).__name__} {str(value)[:40]!r}, expected {kind.__name__}")
    for name in ("method", "variant"):
        value = data.get(name)
        if value is not None and not (isinstance(value, str) and _KEY.match(value)):
            problems.append(f"`{name}` {value!r} is not a key ([a-z0-9-]+)")
    if data.get("split") is not None and folder_name_problem(data["split"]):
        problems.append(f"`split` {data['split']!r} {folder_name_problem(data['split'])}")
    digest = data.get("split_manifest_sha256")
    if digest is not None and not isinstance(digest, str):
        problems.append(f"`split_manifest_sha256` {str(digest)[:70]!r} is not a string")
    limit = (data.get("config") or {}).get("limit") if isinstance(data.get("config"), dict) else None
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        problems.append(f"`config.limit` {limit!r} is not a positive integer")
    checkpoints = data.get("checkpoints")
    if isinstance(checkpoints, dict) and not all(isinstance(v, (str, type(None))) for v in checkpoints.values()):
        problems.append("`checkpoints` must map names to sha256 strings")
    return problems


def write_run_json(run_dir: str | os.PathLike, record: dict[str, Any]) -> None:
    write_json(Path(run_dir) / RUN_JSON, record)


def check_resumable(run_dir: str | os.PathLike, identity: dict[str, Any]) -> None:
    """A run folder may be resumed only by the same method, variant, prompts, split build and checkpoints."""
    if not is_run_folder(run_dir):
        return
    previous = read_run_json(run_dir)
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
    """The lines of failures.jsonl, or of a part's failure file `name` (`[]` when absent); `ManifestError` naming
    the first line that is not `{"id": str, "error": str}`."""
    path = _own_path(run_dir, name)
    if not path.is_file():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError:
            entry = None
        if not (isinstance(entry, dict) and isinstance(entry.get("id"), str) and isinstance(entry.get("error"), str)):
            raise ManifestError(f"`{path}` line {number} is not {{\"id\": …, \"error\": …}}: {line[:80]!r}")
        entries.append(entry)
    return entries
def write_failures(run_dir: str | os.PathLike, entries: list[dict[str, str]]) -> None:
    """Replace failures.jsonl with `entries` at once (the merge of a run's parts)."""
    lines = "".join(json.dumps({"id": e["id"], "error": e["error"]}, ensure_ascii=False) + "\n" for e in entries)
    atomic_write_bytes(Path(run_dir) / FAILURES, lines.encode("utf-8"))
