"""Finding and checking what gets scored: the split folder, the run folder and every image pair.

All checks run before any network is built and report every offending id at once (style §2.6–2.7).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from tipbench.errors import ManifestError
from tipbench.io import read_json, read_manifest, sha256_file
from tipbench.paths import splits_dir

logger = logging.getLogger(__name__)

Reference = Literal["gt", "target"]
_MAX_LISTED = 20


def list_ids(ids: list[str]) -> str:
    """`a, b, c` (first 20, then `… and N more`) for error messages."""
    shown = ", ".join(ids[:_MAX_LISTED])
    return shown + (f" … and {len(ids) - _MAX_LISTED} more" if len(ids) > _MAX_LISTED else "")


@dataclass(frozen=True)
class ScoreItem:
    """One pair to score: restored output, reference (GT or selective target) and the caption (c_s)."""

    id: str
    out_path: Path
    ref_path: Path
    caption: str


@dataclass(frozen=True)
class SplitInfo:
    """The parts of a split folder scoring needs."""

    dir: Path
    name: str
    manifest_sha256: str
    source: str | None
    protocol: str | None
    ids: tuple[str, ...]
    ref_paths: tuple[Path, ...]
    captions: tuple[str, ...]
    #: when a run restored only the first `subset` items (`tipbench.run --limit`), the split is cut to those.
    subset: int | None = None

    def first(self, n: int) -> SplitInfo:
        """The first `n` items of the split's seeded order (what `--limit n` restores)."""
        if n >= len(self.ids):
            return self
        return replace(self, ids=self.ids[:n], ref_paths=self.ref_paths[:n], captions=self.captions[:n], subset=n)


def load_split(split_dir: Path, reference: Reference = "gt") -> SplitInfo:
    """Read manifest.parquet (+ split.json when present); duplicate ids or a missing reference column are errors."""
    frame = read_manifest(split_dir)
    ids = [str(i) for i in frame["id"]]
    seen, duplicates = set(), []
    for item_id in ids:
        if item_id in seen:
            duplicates.append(item_id)
        seen.add(item_id)
    if duplicates:
        raise ManifestError(f"`{split_dir}/manifest.parquet` has duplicate ids: {list_ids(sorted(set(duplicates)))}")
    column = "gt_path" if reference == "gt" else "target_path"
    if column not in frame.columns or frame[column].isna().any():
        raise ManifestError(
            f"split `{split_dir.name}` has no `{column}` for every row; reference `{reference}` needs it "
            "(only coco-selective has targets)"
        )
    meta = read_json(split_dir / "split.json") if (split_dir / "split.json").is_file() else {}
    captions = ["" if c is None else str(c) for c in frame["semantic_prompt"]]
    return SplitInfo(
        dir=split_dir,
        name=str(meta.get("split", split_dir.name)),
        manifest_sha256=sha256_file(split_dir / "manifest.parquet"),
        source=meta.get("source"),
        protocol=meta.get("protocol"),
        ids=tuple(ids),
        ref_paths=tuple(split_dir / str(p) for p in frame[column]),
        captions=tuple(captions),
    )


def find_split_dir(run_json: dict, splits_root: str | Path | None) -> Path:
    """`run.json["split_dir"]` when recorded and present, else `<splits_dir>/<split>`."""
    recorded = run_json.get("split_dir")
    if recorded and Path(recorded).is_dir() and splits_root is None:
        return Path(recorded)
    split = run_json.get("split")
    if not split:
        raise ManifestError("run.json has no `split` key; cannot find the split to score against")
    path = splits_dir(splits_root) / split
    if not path.is_dir():
        raise ManifestError(f"split folder `{path}` for split `{split}` does not exist; pass --splits-dir")
    return path


def check_run_matches_split(run_json: dict, split: SplitInfo, run_dir: Path) -> None:
    """The run was made for this split: same name and, when recorded, the same manifest sha256."""
    if run_json.get("split") != split.name:
        raise ManifestError(f"run `{run_dir}` is for split `{run_json.get('split')}`, not `{split.name}`")
    recorded = run_json.get("split_manifest_sha256")
    if recorded and recorded != split.manifest_sha256:
        raise ManifestError(
            f"run `{run_dir}` was made from another build of `{split.name}`: split_manifest_sha256 {recorded[:12]}… "
            f"≠ {split.manifest_sha256[:12]}…; re-run the method on this split"
        )


def image_header(path: Path) -> tuple[str, tuple[int, int]] | None:
    """(PIL mode, (width, height)) without decoding pixels, or None when unreadable."""
    from PIL import Image

    try:
        with Image.open(path) as img:
            return img.mode, img.size
    except OSError:
        return None


def check_outputs(out_dir: Path, split: SplitInfo) -> list[ScoreItem]:
    """Every split id has `out/<id>.png`, 8-bit RGB, the reference's size, and nothing extra is there."""
    expected = set(split.ids)
    present = {p.stem: p for p in out_dir.glob("*.png")} if out_dir.is_dir() else {}
    problems = []
    missing = sorted(expected - present.keys())
    if missing:
        problems.append(f"{len(missing)} missing output(s) in `{out_dir}`: {list_ids(missing)}")
    extra = sorted(present.keys() - expected)
    if extra:
        problems.append(f"{len(extra)} output(s) not in split `{split.name}`: {list_ids(extra)}")
    bad_mode, bad_size, unreadable, missing_ref = [], [], [], []
    for item_id, ref_path in zip(split.ids, split.ref_paths):
        if item_id not in present:
            continue
        ref, out = image_header(ref_path), image_header(present[item_id])
        if ref is None:
            missing_ref.append(item_id)
        elif out is None:
            unreadable.append(item_id)
        elif out[0] != "RGB":
            bad_mode.append(f"{item_id} ({out[0]})")
        elif out[1] != ref[1]:
            bad_size.append(f"{item_id} ({out[1][0]}×{out[1][1]}, expected {ref[1][0]}×{ref[1][1]})")
    if missing_ref:
        problems.append(f"reference images missing or unreadable in `{split.dir}`: {list_ids(missing_ref)}")
    if unreadable:
        problems.append(f"unreadable outputs: {list_ids(unreadable)}")
    if bad_mode:
        problems.append(f"outputs that are not 8-bit RGB (save them with mode RGB): {list_ids(bad_mode)}")
    if bad_size:
        problems.append(f"outputs with the wrong size (never resized when scoring): {list_ids(bad_size)}")
    if problems:
        raise ManifestError("cannot score: " + "; ".join(problems))
    return [
        ScoreItem(item_id, present[item_id], ref_path, caption)
        for item_id, ref_path, caption in zip(split.ids, split.ref_paths, split.captions)
    ]
