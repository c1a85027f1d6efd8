"""Finding and checking what gets scored: the split a run was made from, and every output against its reference.

All checks run before any network is built and report every offending id at once.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from tipbench.contracts.run_folder import OUT_DIR, output_files
from tipbench.contracts.scores import Reference
from tipbench.contracts.split_folder import SplitFolder, list_ids
from tipbench.errors import ManifestError
from tipbench.io import png_bit_depth
from tipbench.metrics.harness import ScoreItem
from tipbench.paths import splits_dir

logger = logging.getLogger(__name__)


def find_split_dir(run_json: dict[str, Any], splits_root: str | Path | None) -> Path:
    """`run.json["split_dir"]` when recorded and present (and no splits folder was given), else
    `<splits_dir>/<split>`."""
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


def check_run_matches_split(run_json: dict[str, Any], split: SplitFolder, run_dir: Path) -> None:
    """The run was made for this split: same name and, when recorded, the same manifest sha256."""
    if run_json.get("split") != split.name:
        raise ManifestError(f"run `{run_dir}` is for split `{run_json.get('split')}`, not `{split.name}`")
    recorded = run_json.get("split_manifest_sha256")
    if recorded and recorded != split.manifest_sha256:
        raise ManifestError(
            f"run `{run_dir}` was made from another build of `{split.name}`: split_manifest_sha256 {recorded[:12]}… "
            f"≠ {split.manifest_sha256[:12]}…; re-run the method on this split"
        )


#: What an output must be (contracts §2): an 8-bit RGB PNG.
RGB8 = "8-bit RGB PNG"


def image_header(path: Path) -> tuple[str, tuple[int, int]] | None:
    """(what the file holds, (width, height)) from its header without decoding pixels, or None when unreadable.

    "What it holds" is `RGB8` for an 8-bit RGB PNG, else a description such as `16-bit RGB PNG`, `RGBA PNG` or
    `JPEG RGB`. The PNG bit depth is read from the IHDR chunk because Pillow opens a 16-bit RGB PNG as mode "RGB"
    (keeping only the high byte of each sample), which would otherwise be scored without a word. Opened through the
    one bomb-guarded opener; a refused file is None like an unreadable one.
    """
    from tipbench.errors import ImageFileError
    from tipbench.image_files import open_image

    try:
        with open_image(path) as img:
            mode, size, image_format = img.mode, img.size, img.format
    except (ImageFileError, OSError):
        return None
    if image_format != "PNG":
        return f"{image_format} {mode} (not a PNG)", size
    depth = png_bit_depth(path)
    if mode == "RGB" and depth == 8:
        return RGB8, size
    return (f"{depth}-bit {mode} PNG" if depth else f"{mode} PNG"), size


def check_outputs(run_dir: Path, split: SplitFolder, reference: Reference = "gt") -> list[ScoreItem]:
    """Every split id has `out/<id>.png`, 8-bit RGB, the reference's size, and nothing extra is there."""
    out_dir = Path(run_dir) / OUT_DIR
    references = split.reference_images(reference)
    expected = set(split.ids)
    present = output_files(run_dir)
    problems = []
    missing = sorted(expected - present.keys())
    if missing:
        problems.append(f"{len(missing)} missing output(s) in `{out_dir}`: {list_ids(missing)}")
    extra = sorted(present.keys() - expected)
    if extra:
        problems.append(f"{len(extra)} output(s) not in split `{split.name}`: {list_ids(extra)}")
    bad_mode, bad_size, unreadable, missing_ref = [], [], [], []
    for item_id, ref_path in zip(split.ids, references):
        if item_id not in present:
            continue
        ref, out = image_header(ref_path), image_header(present[item_id])
        if ref is None:
            missing_ref.append(item_id)
        elif out is None:
            unreadable.append(item_id)
        elif out[0] != RGB8:
            bad_mode.append(f"{item_id} ({out[0]})")
        elif out[1] != ref[1]:
            bad_size.append(f"{item_id} ({out[1][0]}×{out[1][1]}, expected {ref[1][0]}×{ref[1][1]})")
    if missing_ref:
        problems.append(f"reference images missing or unreadable in `{split.path}`: {list_ids(missing_ref)}")
    if unreadable:
        problems.append(f"unreadable outputs: {list_ids(unreadable)}")
    if bad_mode:
        problems.append(f"outputs that are not {RGB8}s (save them with mode RGB, 8 bits; never converted "
                        f"here): {list_ids(bad_mode)}")
    if bad_size:
        problems.append(f"outputs with the wrong size (never resized when scoring): {list_ids(bad_size)}")
    if problems:
        raise ManifestError("cannot score: " + "; ".join(problems))
    return [ScoreItem(row.id, present[row.id], ref_path, row.semantic_prompt)
            for row, ref_path in zip(split.rows, references)]
