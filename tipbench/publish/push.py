"""`--push`: upload an export with `push_to_hub`, or say exactly what is missing (the local export stays complete)."""

from __future__ import annotations

import os
from pathlib import Path

from tipbench.contracts.published import HF_SPLIT, SIDE_FILES
from tipbench.errors import TipbenchError
from tipbench.publish.config import PublishConfig


class PushError(TipbenchError):
    """`--push` could not upload (no token, offline, hub error); the local export is still complete."""


def push_missing() -> list[str]:
    """What stops a push right now (empty when a token exists and the hub is not forced offline)."""
    missing = []
    if os.environ.get("HF_HUB_OFFLINE", "").strip().lower() in ("1", "true", "yes", "on"):
        missing.append("network access to the Hub: HF_HUB_OFFLINE is set (unset it)")
    try:
        from huggingface_hub import get_token

        token = get_token()
    except ImportError:
        missing.append("the `huggingface_hub` package (pip install 'tipbench[data]')")
        token = None
    if not token:
        missing.append("a Hugging Face write token (set HF_TOKEN or run `huggingface-cli login`)")
    return missing


def push_export(out: Path, cfg: PublishConfig) -> str:
    """Upload the export with `push_to_hub` (parquet + the card); returns the dataset URL."""
    missing = push_missing()
    if missing:
        raise PushError(f"cannot push to `{cfg.repo_id}`: missing " + "; ".join(missing)
                        + f". The local export at `{out}` is complete; rerun with --push when these are in place.")
    from datasets import DatasetDict, load_dataset, load_from_disk
    from huggingface_hub import HfApi

    try:
        if (out / "disk").is_dir():
            dataset_dict = load_from_disk(str(out / "disk"))
        else:
            files = sorted(str(p) for p in (out / "data").glob("*.parquet"))
            dataset_dict = DatasetDict({HF_SPLIT: load_dataset("parquet", data_files=files, split="train")})
        dataset_dict.push_to_hub(cfg.repo_id, config_name=cfg.split)
        for name in ("README.md", *SIDE_FILES):  # the card, and what `tipbench.build --repo-id` reads back
            if (out / name).is_file():
                HfApi().upload_file(path_or_fileobj=str(out / name), path_in_repo=name, repo_id=cfg.repo_id,
                                    repo_type="dataset", commit_message=f"tipbench {name} for {cfg.split}")
    except Exception as exc:  # network / permission errors from the hub client, reported as one sentence
        raise PushError(f"push to `{cfg.repo_id}` failed: {exc}. The local export at `{out}` is complete.") from exc
    return f"https://huggingface.co/datasets/{cfg.repo_id}"
