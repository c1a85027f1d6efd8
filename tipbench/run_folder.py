"""Run folders (contracts §2): where they live, which items they hold, what each item is fed, and their records.

Kept apart from `tipbench.run` so the loop reads as steps and these pieces are testable on their own.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipbench.errors import ConfigError, ManifestError
from tipbench.io import atomic_write_bytes, read_json, read_manifest, sha256_file
from tipbench.seeding import restorer_seed

#: Prompt policies (contracts §2 table): what each item's restorer is fed.
PROMPT_POLICIES = ("none", "semantic", "restoration", "both", "both-type-only")
_FEEDS = {  # policy → (semantic column or None, restoration column or None)
    "none": (None, None),
    "semantic": ("semantic_prompt", None),
    "restoration": (None, "restoration_prompt"),
    "both": ("semantic_prompt", "restoration_prompt"),
    "both-type-only": ("semantic_prompt", "restoration_prompt_type"),
}
_VERSIONED = ("tipbench", "numpy", "scipy", "pillow", "opencv-python-headless", "opencv-python", "scikit-image",
              "torch", "torchvision", "diffusers", "transformers", "spandrel")


@dataclass(frozen=True)
class RunItem:
    """One manifest row as the run needs it."""

    id: str
    index: int
    lq_path: Path
    gt_path: Path
    semantic_prompt: str
    restoration_prompt: str
    seed: int  # the restorer seed (protocol §2), not the split's global seed


def run_dir_for(runs_root: Path, split: str, method: str, prompts: str, variant: str | None) -> Path:
    """`<runs>/<split>/<method>/<prompts>[@<variant>]/`."""
    leaf = prompts if variant is None else f"{prompts}@{variant}"
    return runs_root / split / method / leaf


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def load_items(split_dir: Path, prompts: str, limit: int | None = None) -> tuple[list[RunItem], str]:
    """The split's items in `index` order (first `limit`), fed per `prompts`; plus the manifest's sha256."""
    if prompts not in _FEEDS:
        raise ConfigError(f"unknown prompt policy `{prompts}`; choose one of: {', '.join(PROMPT_POLICIES)}")
    if not split_dir.is_dir():
        raise ManifestError(f"split folder `{split_dir}` does not exist; build it with `python -m tipbench.build "
                            f"--split {split_dir.name}` or pass --splits-dir")
    frame = read_manifest(split_dir).sort_values("index", kind="stable")
    semantic_column, restoration_column = _FEEDS[prompts]
    items = []
    for row in frame.itertuples(index=False):
        row = row._asdict()
        items.append(RunItem(
            id=str(row["id"]), index=int(row["index"]), lq_path=split_dir / str(row["lq_path"]),
            gt_path=split_dir / str(row["gt_path"]),
            semantic_prompt=_text(row[semantic_column]) if semantic_column else "",
            restoration_prompt=_text(row[restoration_column]) if restoration_column else "",
            seed=restorer_seed(int(row["seed"]), int(row["index"])),
        ))
    if limit is not None:
        items = items[:limit]
    return items, sha256_file(split_dir / "manifest.parquet")


def image_size(path: Path) -> tuple[int, int]:
    """(H, W) of an image file from its header."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            width, height = image.size
    except OSError as exc:
        raise ManifestError(f"cannot read image `{path}`: {exc}") from exc
    return height, width


def ignored_prompts(items: list[RunItem], uses_semantic: bool, uses_restoration: bool) -> list[str]:
    """Prompt kinds fed non-empty to at least one item of a restorer that does not use them."""
    ignored = []
    if not uses_semantic and any(item.semantic_prompt for item in items):
        ignored.append("semantic")
    if not uses_restoration and any(item.restoration_prompt for item in items):
        ignored.append("restoration")
    return ignored


def versions() -> dict[str, str]:
    """Installed versions of the libraries that can change outputs."""
    from tipbench.versions import installed_versions

    return installed_versions(_VERSIONED, skip_missing=True)


def check_resumable(run_dir: Path, identity: dict[str, Any]) -> None:
    """A run folder may be resumed only by the same method, variant, prompts, split build and checkpoints."""
    path = run_dir / "run.json"
    if not path.is_file():
        return
    previous = read_json(path)
    changed = [key for key, value in identity.items() if previous.get(key) != value]
    if changed:
        details = "; ".join(f"{key}: {previous.get(key)!r} → {identity[key]!r}" for key in changed)
        raise ConfigError(f"`{run_dir}` holds a run with different {', '.join(changed)} ({details}); its outputs "
                          "cannot be reused — delete the folder or pass another --runs-dir")


class FailureLog:
    """failures.jsonl of the current attempt: truncated at start, one line appended per failed item."""

    def __init__(self, run_dir: Path) -> None:
        self.path = run_dir / "failures.jsonl"
        self.count = 0
        atomic_write_bytes(self.path, b"")

    def add(self, item_id: str, error: str) -> None:
        self.count += 1
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(json.dumps({"id": item_id, "error": error}, ensure_ascii=False) + "\n")
            handle.flush()
            os.fsync(handle.fileno())


def read_failures(run_dir: Path) -> list[dict[str, str]]:
    path = run_dir / "failures.jsonl"
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
