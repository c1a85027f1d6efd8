"""Checkpoint folders (`checkpoint-<step>` via accelerate's save_state) and the final export."""

from __future__ import annotations

import logging
import re
import shutil
from pathlib import Path
from typing import Any

from tipbench.errors import ConfigError
from tipbench.io import write_json

logger = logging.getLogger(__name__)

_CHECKPOINT = re.compile(r"^checkpoint-(\d+)$")
ADAPTER_SUBFOLDER = "adapter"


def list_checkpoints(output_dir: str | Path) -> list[tuple[int, Path]]:
    """(step, path) of every `checkpoint-<step>` folder, oldest first."""
    output_dir = Path(output_dir)
    if not output_dir.is_dir():
        return []
    found = [(int(m.group(1)), p) for p in output_dir.iterdir() if p.is_dir() and (m := _CHECKPOINT.match(p.name))]
    return sorted(found)


def resolve_resume(output_dir: str | Path, resume: str | None) -> tuple[int, Path] | None:
    """(step, folder) to resume from: `latest` (none yet -> fresh start), or an explicit checkpoint folder."""
    if resume is None:
        return None
    if resume == "latest":
        found = list_checkpoints(output_dir)
        if not found:
            logger.info("no checkpoint in %s; starting fresh", output_dir)
            return None
        return found[-1]
    path = Path(resume).expanduser()
    match = _CHECKPOINT.match(path.name)
    if not path.is_dir() or match is None:
        raise ConfigError(f"`resume_from_checkpoint` `{resume}` is not a checkpoint-<step> folder")
    return int(match.group(1)), path


def prune_checkpoints(output_dir: str | Path, keep: int | None) -> None:
    """Delete the oldest checkpoints so that at most `keep` remain after the next save (None keeps all)."""
    if keep is None:
        return
    found = list_checkpoints(output_dir)
    for _, path in found[: max(0, len(found) - keep + 1)]:
        logger.info("removing old checkpoint %s", path)
        shutil.rmtree(path)


def register_adapter_hooks(accelerator, adapter_class) -> None:
    """Save/load the adapter with save_pretrained/from_pretrained inside accelerate's state folders."""

    def save_hook(models: list[Any], weights: list[Any], output_dir: str) -> None:
        if accelerator.is_main_process:
            for model in models:
                accelerator.unwrap_model(model).save_pretrained(Path(output_dir) / ADAPTER_SUBFOLDER)
        while weights:
            weights.pop()  # written above; accelerate would otherwise save them a second time

    def load_hook(models: list[Any], input_dir: str) -> None:
        while models:
            model = models.pop()
            loaded = adapter_class.from_pretrained(input_dir, subfolder=ADAPTER_SUBFOLDER)
            accelerator.unwrap_model(model).load_state_dict(loaded.state_dict())
            del loaded

    accelerator.register_save_state_pre_hook(save_hook)
    accelerator.register_load_state_pre_hook(load_hook)


def export_final(output_dir: Path, adapter, base: dict[str, Any] | None, marker: dict[str, Any]) -> Path:
    """Write `<output_dir>/adapter` (+ the tiny base components when training on them) and `tipbench.json`."""
    adapter.save_pretrained(output_dir / ADAPTER_SUBFOLDER)
    if base is not None:
        for name in ("unet", "vae", "text_encoder", "tokenizer", "scheduler"):
            base[name].save_pretrained(output_dir / name)
    write_json(output_dir / "tipbench.json", marker)
    return output_dir
