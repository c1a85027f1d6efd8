"""Scoring outputs made elsewhere: check a folder of `<id>.png` against the split and lay it out as a run folder.

The folder must hold exactly one output per split id (PNG, or float `.npy` HxWx3 in [0, 1] which is rounded to
uint8 as the protocol does), each the size of its GT; every missing, extra, wrong-size, non-RGB or NaN/inf id is
listed in one error. The run folder gets a `run.json` with `"external": true`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from tipbench.contracts.run_folder import (
    OUT_DIR,
    RunKey,
    is_run_folder,
    output_path,
    read_run_json,
    write_run_json,
)
from tipbench.contracts.split_folder import SplitFolder, list_ids, read_split_folder
from tipbench.errors import ManifestError
from tipbench.io import atomic_write_bytes, encode_png
from tipbench.paths import runs_dir, splits_dir
from tipbench.score.checks import RGB8, image_header
from tipbench.score.config import ScoreConfig

logger = logging.getLogger(__name__)

_EXTENSIONS = (".png", ".npy")


def external_run_dir(config: ScoreConfig) -> Path:
    """The run folder external outputs are laid out in (contracts §2.1)."""
    return RunKey(config.split, config.method, config.prompts, config.variant).path(runs_dir(config.runs_dir))


def _check_npy(path: Path, expected: tuple[int, int]) -> tuple[np.ndarray | None, str | None]:
    from tipbench.image_files import MAX_PIXELS

    try:  # memory-mapped first: a header claiming a huge array costs nothing until its size is checked
        array = np.load(path, allow_pickle=False, mmap_mode="r")
    except (OSError, ValueError) as exc:
        return None, f"unreadable ({exc})"
    if array.ndim >= 2 and array.shape[0] * array.shape[1] > MAX_PIXELS:
        return None, f"{array.shape[1]}x{array.shape[0]} px is over the {MAX_PIXELS} px limit"
    if array.ndim != 3 or array.shape[2] != 3:
        return None, f"shape {array.shape}, expected HxWx3 RGB"
    if (array.shape[1], array.shape[0]) != expected:
        return None, f"size {array.shape[1]}×{array.shape[0]}, expected {expected[0]}×{expected[1]}"
    if array.dtype == np.uint8:
        return array, None
    if not np.issubdtype(array.dtype, np.floating):
        return None, f"dtype {array.dtype}, expected uint8 or float in [0, 1]"
    if not np.isfinite(array).all():
        return None, "contains NaN or inf"
    if array.min() < 0.0 or array.max() > 1.0:
        return None, f"values in [{array.min():.4g}, {array.max():.4g}], expected [0, 1]"
    return np.round(array.astype(np.float64) * 255.0).astype(np.uint8), None


def collect_outputs(outputs: Path, split: SplitFolder, reference: str = "gt") -> dict[str, Path]:
    """Map every split id to its output file, or raise one `ManifestError` listing every problem."""
    if not outputs.is_dir():
        raise ManifestError(f"outputs folder `{outputs}` does not exist")
    found: dict[str, list[Path]] = {}
    for path in sorted(outputs.iterdir()):
        if path.suffix.lower() in _EXTENSIONS and path.is_file():
            found.setdefault(path.stem, []).append(path)
    problems = []
    duplicated = sorted(i for i, paths in found.items() if len(paths) > 1)
    if duplicated:
        problems.append(f"ids with more than one file (.png and .npy): {list_ids(duplicated)}")
    missing = sorted(set(split.ids) - found.keys())
    if missing:
        problems.append(f"{len(missing)} missing id(s): {list_ids(missing)}")
    extra = sorted(found.keys() - set(split.ids))
    if extra:
        problems.append(f"{len(extra)} id(s) not in split `{split.name}`: {list_ids(extra)}")
    bad = []
    for item_id, ref_path in zip(split.ids, split.reference_images(reference)):
        if item_id not in found or item_id in duplicated:
            continue
        path = found[item_id][0]
        ref = image_header(ref_path)
        if ref is None:
            bad.append(f"{item_id} (reference `{ref_path}` unreadable)")
            continue
        if path.suffix.lower() == ".npy":
            _, problem = _check_npy(path, ref[1])
        else:
            header = image_header(path)
            problem = ("unreadable" if header is None else f"{header[0]}, expected an {RGB8}"
                       if header[0] != RGB8 else f"size {header[1][0]}×{header[1][1]}, expected {ref[1][0]}×{ref[1][1]}"
                       if header[1] != ref[1] else None)
        if problem:
            bad.append(f"{item_id} ({problem})")
    if bad:
        problems.append(f"{len(bad)} unusable output(s) (never resized or converted): {list_ids(bad)}")
    if problems:
        raise ManifestError(f"outputs folder `{outputs}` does not match split `{split.name}`: " + "; ".join(problems))
    return {item_id: found[item_id][0] for item_id in split.ids}


def prepare_external_run(config: ScoreConfig) -> Path:
    """Check `config.outputs` against the split and write the run folder; returns its path."""
    from tipbench.metrics.versions import library_versions

    split = read_split_folder(splits_dir(config.splits_dir) / config.split)
    files = collect_outputs(Path(config.outputs), split, config.reference)
    run_dir = external_run_dir(config)
    if is_run_folder(run_dir) and not read_run_json(run_dir).get("external"):
        raise ManifestError(f"`{run_dir}` holds a run made by tipbench.run; refusing to overwrite it with external "
                            "outputs (use another --method or --variant)")
    out_dir = run_dir / OUT_DIR
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.png"):
        if stale.stem not in files:
            stale.unlink()
    for item_id, path in files.items():
        if path.suffix.lower() == ".npy":
            array = np.load(path, allow_pickle=False)
            array = array if array.dtype == np.uint8 else np.round(array.astype(np.float64) * 255.0).astype(np.uint8)
            atomic_write_bytes(output_path(run_dir, item_id), encode_png(array))
        else:
            atomic_write_bytes(output_path(run_dir, item_id), path.read_bytes())
    write_run_json(run_dir, {
        "method": config.method, "variant": config.variant, "split": split.name,
        "split_manifest_sha256": split.manifest_sha256, "split_dir": str(split.path.resolve()),
        "prompts": config.prompts, "ignored_prompts": [], "settings": {}, "command": None, "checkpoints": {},
        "weights": "real", "device": None, "n_done": len(files), "n_failed": 0, "seconds": None,
        "images_per_second": None, "versions": library_versions(), "external": True,
        "outputs_dir": str(Path(config.outputs).resolve()),
    })
    logger.info("laid out %d external outputs in %s", len(files), run_dir)
    return run_dir
