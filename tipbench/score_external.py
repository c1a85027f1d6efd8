"""Scoring outputs made elsewhere: check a folder of `<id>.png` against the split and lay it out as a run folder.

The folder must hold exactly one output per split id (PNG, or float `.npy` HxWx3 in [0, 1] which is rounded to
uint8 as the protocol does), each the size of its GT; every missing, extra, wrong-size, non-RGB or NaN/inf id is
listed in one error. The run folder gets a `run.json` with `"external": true`.
"""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from tipbench.errors import ManifestError
from tipbench.io import atomic_write_bytes, encode_png, read_json, write_json
from tipbench.metrics.inputs import SplitInfo, image_header, list_ids, load_split
from tipbench.paths import runs_dir, splits_dir
from tipbench.score_config import ScoreConfig

logger = logging.getLogger(__name__)

_EXTENSIONS = (".png", ".npy")


def run_folder(config: ScoreConfig) -> Path:
    """`<runs>/<split>/<method>/<prompts>[@<variant>]/` (contracts §2)."""
    leaf = config.prompts + (f"@{config.variant}" if config.variant else "")
    return runs_dir(config.runs_dir) / config.split / config.method / leaf


def _check_npy(path: Path, expected: tuple[int, int]) -> tuple[np.ndarray | None, str | None]:
    try:
        array = np.load(path, allow_pickle=False)
    except (OSError, ValueError) as exc:
        return None, f"unreadable ({exc})"
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


def collect_outputs(outputs: Path, split: SplitInfo) -> dict[str, Path]:
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
    for item_id, ref_path in zip(split.ids, split.ref_paths):
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
            problem = ("unreadable" if header is None else f"mode {header[0]}, expected 8-bit RGB"
                       if header[0] != "RGB" else f"size {header[1][0]}×{header[1][1]}, expected {ref[1][0]}×{ref[1][1]}"
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

    split_dir = splits_dir(config.splits_dir) / config.split
    if not split_dir.is_dir():
        raise ManifestError(f"split folder `{split_dir}` does not exist; build it or pass --splits-dir")
    split = load_split(split_dir, config.reference)
    files = collect_outputs(Path(config.outputs), split)
    run_dir = run_folder(config)
    if (run_dir / "run.json").is_file() and not read_json(run_dir / "run.json").get("external"):
        raise ManifestError(f"`{run_dir}` holds a run made by tipbench.run; refusing to overwrite it with external "
                            "outputs (use another --method or --variant)")
    out_dir = run_dir / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob("*.png"):
        if stale.stem not in files:
            stale.unlink()
    for item_id, path in files.items():
        if path.suffix.lower() == ".npy":
            array = np.load(path, allow_pickle=False)
            array = array if array.dtype == np.uint8 else np.round(array.astype(np.float64) * 255.0).astype(np.uint8)
            atomic_write_bytes(out_dir / f"{item_id}.png", encode_png(array))
        else:
            atomic_write_bytes(out_dir / f"{item_id}.png", path.read_bytes())
    write_json(run_dir / "run.json", {
        "method": config.method, "variant": config.variant, "split": split.name,
        "split_manifest_sha256": split.manifest_sha256, "split_dir": str(split_dir.resolve()),
        "prompts": config.prompts, "ignored_prompts": [], "settings": {}, "command": None, "checkpoints": {},
        "weights": "real", "device": None, "n_done": len(files), "n_failed": 0, "seconds": None,
        "images_per_second": None, "versions": library_versions(), "external": True,
        "outputs_dir": str(Path(config.outputs).resolve()),
    })
    logger.info("laid out %d external outputs in %s", len(files), run_dir)
    return run_dir
