"""`python -m tipbench.publish --split S`: export a built split as a Hugging Face dataset (and optionally push it).

Output folder (default `$TIPBENCH_HOME/hf/<split>`):
  README.md                               dataset card with YAML metadata (licence, build, protocol, seeds, columns)
  data/test-0000k-of-0000n.parquet        the `test` split as parquet shards (`Image` features for gt/lq/target)
  disk/                                   the same DatasetDict in `save_to_disk` layout (`datasets.load_from_disk`)

The PNG bytes go in unchanged (the sha256 columns match), so FID and every other metric read the same pixels as
from the split folder. `--push` uploads with `push_to_hub` when a token and network exist; otherwise it says
exactly what is missing, and the local export is complete either way.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipbench.errors import ConfigError, ManifestError, TipbenchError, report_cli_error

logger = logging.getLogger(__name__)

HF_SPLIT = "test"
PARAM_COLUMNS = {"blur_sigma": "float32", "downsample_factor": "float32", "noise_sigma": "float32",
                 "jpeg_quality": "int32"}
TEXT_COLUMNS = ("semantic_prompt", "restoration_prompt", "restoration_prompt_type", "pipeline", "params",
                "source_path", "gt_sha256", "lq_sha256")


class PushError(TipbenchError):
    """`--push` could not upload (no token, offline, hub error); the local export is still complete."""


@dataclass(frozen=True)
class PublishConfig:
    """Options of one export (the CLI's arguments)."""

    split: str
    splits_dir: str | None = None
    out: str | None = None
    repo_id: str | None = None
    push: bool = False
    rows_per_shard: int = 500
    save_to_disk: bool = True
    progress: bool = True

    def __post_init__(self) -> None:
        if self.rows_per_shard < 1:
            raise ConfigError(f"`rows_per_shard` must be >= 1, got {self.rows_per_shard}")
        if self.push and not self.repo_id:
            raise ConfigError("`--push` needs `--repo-id ORG/NAME`")
        if self.repo_id is not None and self.repo_id.count("/") != 1:
            raise ConfigError(f"`--repo-id` must look like ORG/NAME, got `{self.repo_id}`")


def _features(with_target: bool) -> Any:
    from datasets import Features, Image, Value

    columns: dict[str, Any] = {"id": Value("string"), "index": Value("int64"), "gt": Image(), "lq": Image()}
    if with_target:
        columns["target"] = Image()
    columns.update({name: Value("string") for name in TEXT_COLUMNS})
    columns.update({name: Value(kind) for name, kind in PARAM_COLUMNS.items()})
    columns.update({"width_lq": Value("int32"), "height_lq": Value("int32"), "seed": Value("int64")})
    return Features(columns)


def _read_checked(split_dir: Path, relative: str, expected_sha256: str | None) -> bytes:
    from tipbench.io import sha256_bytes

    path = split_dir / relative
    if not path.is_file():
        raise ManifestError(f"`{path}` is listed in the manifest but missing; rebuild the split")
    data = path.read_bytes()
    if expected_sha256 and sha256_bytes(data) != expected_sha256:
        raise ManifestError(f"`{path}` does not match its manifest sha256; rebuild the split")
    return data


def _rows(split_dir: Path, frame: Any, with_target: bool):
    """One dataset row per manifest row, with the PNG bytes checked against the manifest."""
    for record in frame.to_dict(orient="records"):
        params = json.loads(record["params"]) if record["params"] else {}
        row = {
            "id": record["id"], "index": int(record["index"]),
            "gt": {"bytes": _read_checked(split_dir, record["gt_path"], record["gt_sha256"]),
                   "path": f"{record['id']}.png"},
            "lq": {"bytes": _read_checked(split_dir, record["lq_path"], record["lq_sha256"]),
                   "path": f"{record['id']}.png"},
        }
        if with_target:
            target = record.get("target_path")
            row["target"] = None if not target else {
                "bytes": _read_checked(split_dir, target, record.get("target_sha256")), "path": f"{record['id']}.png"}
        row.update({name: record[name] if record[name] is not None else "" for name in TEXT_COLUMNS})
        is_param = params.get("pipeline") == "param"
        row.update({name: params.get(name) if is_param else None for name in PARAM_COLUMNS})
        row.update({"width_lq": int(record["width_lq"]), "height_lq": int(record["height_lq"]),
                    "seed": int(record["seed"])})
        yield row


def build_dataset_dict(split_dir: Path, cache_dir: Path) -> tuple[Any, dict[str, Any]]:
    """(DatasetDict with one `test` split, split.json) from a split folder (contracts §1)."""
    from datasets import Dataset, DatasetDict

    from tipbench.io import read_json, read_manifest

    info = read_json(split_dir / "split.json")
    frame = read_manifest(split_dir)
    with_target = "target_path" in frame.columns and frame["target_path"].notna().any()
    frame = frame.astype(object).where(frame.notna(), None)
    try:
        dataset = Dataset.from_generator(
            _rows, gen_kwargs={"split_dir": split_dir, "frame": frame, "with_target": bool(with_target)},
            features=_features(bool(with_target)), cache_dir=str(cache_dir),
        )
    except Exception as exc:  # datasets wraps errors raised in the generator; surface ours as they are
        cause: BaseException | None = exc
        while cause is not None and not isinstance(cause, TipbenchError):
            cause = cause.__cause__ or cause.__context__
        if cause is not None:
            raise cause from None
        raise
    return DatasetDict({HF_SPLIT: dataset}), info


def _write_export(dataset_dict: Any, info: dict[str, Any], cfg: PublishConfig, staging: Path) -> None:
    from tipbench.io import atomic_write_bytes
    from tipbench.publish_card import card_text

    dataset = dataset_dict[HF_SPLIT]
    shards = max(1, math.ceil(len(dataset) / cfg.rows_per_shard))
    (staging / "data").mkdir(parents=True)
    for k in range(shards):
        part = dataset.shard(num_shards=shards, index=k, contiguous=True)
        part.to_parquet(str(staging / "data" / f"{HF_SPLIT}-{k:05d}-of-{shards:05d}.parquet"))
    card = card_text(cfg.split, info, list(dataset.features), len(dataset), f"data/{HF_SPLIT}-*.parquet", cfg.repo_id)
    atomic_write_bytes(staging / "README.md", card.encode("utf-8"))
    if cfg.save_to_disk:
        dataset_dict.save_to_disk(str(staging / "disk"))


def export_split(cfg: PublishConfig) -> Path:
    """Export split `cfg.split` to the output folder (replaced whole, atomically); returns that folder."""
    from tipbench.paths import home_dir, splits_dir

    split_dir = splits_dir(cfg.splits_dir) / cfg.split
    if not (split_dir / "manifest.parquet").is_file():
        raise ManifestError(f"no built split at `{split_dir}`; run `python -m tipbench.build --split {cfg.split}` "
                            "or pass --splits-dir")
    out = Path(cfg.out) if cfg.out else home_dir() / "hf" / cfg.split
    out.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}.", dir=out.parent))
    try:
        dataset_dict, info = build_dataset_dict(split_dir, work / "cache")
        _write_export(dataset_dict, info, cfg, work / "export")
        old = out.with_name(f".{out.name}.old")
        if out.exists():
            shutil.rmtree(old, ignore_errors=True)
            os.replace(out, old)
        os.replace(work / "export", out)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    logger.info("exported %s (%d rows) to %s", cfg.split, len(dataset_dict[HF_SPLIT]), out)
    return out


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
        HfApi().upload_file(path_or_fileobj=str(out / "README.md"), path_in_repo="README.md", repo_id=cfg.repo_id,
                            repo_type="dataset", commit_message=f"tipbench card for {cfg.split}")
    except Exception as exc:  # network / permission errors from the hub client, reported as one sentence
        raise PushError(f"push to `{cfg.repo_id}` failed: {exc}. The local export at `{out}` is complete.") from exc
    return f"https://huggingface.co/datasets/{cfg.repo_id}"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tipbench.publish",
        description="Export a built split as a Hugging Face dataset (parquet shards, save_to_disk copy, dataset card).",
        epilog="examples:\n  python -m tipbench.publish --split coco-param --out hf/coco-param\n"
        "  python -m tipbench.publish --split coco-param --repo-id my-org/tipbench --push",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--split", required=True, metavar="S", help="split name (a folder under the splits dir)")
    parser.add_argument("--splits-dir", metavar="D", help="splits folder (default $TIPBENCH_HOME/splits)")
    parser.add_argument("--out", metavar="DIR", help="export folder (default $TIPBENCH_HOME/hf/<split>)")
    parser.add_argument("--repo-id", metavar="ORG/NAME", help="Hub dataset repository (named in the card)")
    parser.add_argument("--push", action="store_true", help="upload to --repo-id after the local export")
    parser.add_argument("--rows-per-shard", type=int, default=500, metavar="N", help="rows per parquet file (500)")
    parser.add_argument("--no-disk", action="store_true", help="skip the save_to_disk copy")
    parser.add_argument("-q", "--quiet", action="store_true", help="only errors")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.push and not args.repo_id:
        parser.error("--push needs --repo-id ORG/NAME")
    logging.basicConfig(level=logging.ERROR if args.quiet else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        cfg = PublishConfig(split=args.split, splits_dir=args.splits_dir, out=args.out, repo_id=args.repo_id,
                            push=args.push, rows_per_shard=args.rows_per_shard, save_to_disk=not args.no_disk,
                            progress=not args.quiet)
        out = export_split(cfg)
        print(f"wrote {out}")
        if cfg.push:
            print(f"pushed {push_export(out, cfg)}")
    except (TipbenchError, OSError) as exc:  # user-fixable: one line, exit 1
        return report_cli_error(exc)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
