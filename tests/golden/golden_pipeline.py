"""The whole pipeline on the bundled sample, reduced to digests: what a refactor must leave unchanged.

Drives only the stable command entry points (`tipbench.build`, `run`, `score`, `adherence` `main([...])`), so the
same function ran on the tree before the "one home per file contract" move and runs after it. The digests:

* every file of the built splits (`gt/`, `lq/`, `target/`, `manifest.parquet`, `skipped.jsonl`): sha256 of the
  bytes, and for PNGs also of the decoded pixels; the manifest's rows as canonical JSON; `split.json` without the
  keys that name this machine (versions, paths, the manifest's byte hash);
* every run's `out/<id>.png` (bytes and pixels);
* the numbers of every `summary.json`, `adherence.json` and `walk.json`, with their null reasons.

`python tests/golden/golden_pipeline.py` rewrites `pipeline_golden.json` (only when a behaviour change is intended).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import sys
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

GOLDEN = Path(__file__).with_name("pipeline_golden.json")
#: Libraries whose versions can move bytes (PNG encoder, resamplers, parquet writer) or numbers.
BYTE_STACK = ("pillow", "numpy", "opencv-python-headless", "pyarrow")
NUMBER_STACK = ("torch", "scipy", "numpy", "scikit-image", "opencv-python-headless")
_ENV_SOURCES = ("TIPBENCH_COCO_ROOT", "TIPBENCH_DIV2K_ROOT", "TIPBENCH_STABLESR_TESTSETS", "TIPBENCH_HOME")
#: Keys of split.json that describe the machine or a path, not the data.
_SPLIT_JSON_VOLATILE = ("versions", "source_root", "manifest_sha256", "build")
#: Keys of the score files that are numbers (or their null reasons) — what must not move.
SUMMARY_NUMBERS = ("n", "psnr", "ssim", "psnr_y", "ssim_y", "lpips", "clip_i", "clip_t", "fid", "fid_n",
                   "comparable_to_paper", "weights", "source", "method", "variant", "split", "prompts")
ADHERENCE_NUMBERS = ("n", "n_denoise", "n_deblur", "n_measured", "target_psnr", "target_ssim", "target_psnr_y",
                     "target_ssim_y", "target_lpips", "removal", "preservation", "denoise_removal",
                     "denoise_preservation", "deblur_removal", "deblur_preservation", "instructed", "full_split")
WALK_NUMBERS = ("n", "ids", "controllability", "controllability_denoise", "controllability_deblur", "spearman")


def stack_versions(names: tuple[str, ...]) -> dict[str, str | None]:
    from importlib import metadata

    from PIL import features

    found: dict[str, str | None] = {}
    for name in names:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    if "pillow" in names:
        found["zlib"] = features.version("zlib")
    return found


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _pixels_sha(path: Path) -> str:
    import numpy as np
    from PIL import Image

    with Image.open(path) as image:
        array = np.asarray(image)
        return _sha(f"{image.mode}{array.shape}".encode() + array.tobytes())


def _files(folder: Path, names: tuple[str, ...]) -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder).as_posix()
        if not path.is_file() or relative.split("/")[0] not in names:
            continue
        entry = {"bytes": _sha(path.read_bytes())}
        if path.suffix == ".png":
            entry["pixels"] = _pixels_sha(path)
        found[relative] = entry
    return found


def _manifest_rows(split_dir: Path) -> list[dict[str, Any]]:
    import pyarrow.parquet as pq

    table = pq.read_table(split_dir / "manifest.parquet")
    return [{key: row[key] for key in sorted(row)} for row in table.to_pylist()]


def _split_digest(split_dir: Path) -> dict[str, Any]:
    info = json.loads((split_dir / "split.json").read_text(encoding="utf-8"))
    rows = _manifest_rows(split_dir)
    return {
        "files": _files(split_dir, ("gt", "lq", "target", "manifest.parquet", "skipped.jsonl")),
        "manifest_rows": rows,
        "manifest_schema": str(__import__("pyarrow.parquet", fromlist=["x"]).read_schema(split_dir / "manifest.parquet")),
        "split_json": {k: v for k, v in sorted(info.items()) if k not in _SPLIT_JSON_VOLATILE},
    }


def _pick(path: Path, keys: tuple[str, ...]) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    picked = {key: data.get(key) for key in keys}
    picked["null_reasons"] = data.get("null_reasons")
    return picked


@contextmanager
def _clean_env(home: Path):
    saved = {name: os.environ.pop(name, None) for name in _ENV_SOURCES}
    os.environ["TIPBENCH_HOME"] = str(home)
    try:
        yield
    finally:
        os.environ.pop("TIPBENCH_HOME", None)
        for name, value in saved.items():
            if value is not None:
                os.environ[name] = value


def _call(main, argv: list[str]) -> None:
    with redirect_stdout(io.StringIO()):
        code = main(argv)
    if code != 0:
        raise RuntimeError(f"{main.__module__}.main({argv}) exited {code}")


def pipeline_digest(work: Path) -> dict[str, Any]:
    """Build, run, score and adhere on the bundled sample inside `work`; return every digest (see module doc)."""
    from tipbench.adherence.cli import main as adherence_main
    from tipbench.build import main as build_main
    from tipbench.run import main as run_main
    from tipbench.score import main as score_main

    splits, runs = work / "splits", work / "runs"
    where = ["--splits-dir", str(splits), "--runs-dir", str(runs)]
    quiet = ["-q"]
    with _clean_env(work / "home"):
        for split in ("coco-param", "coco-selective"):
            _call(build_main, ["--split", split, "--out", str(splits), "--no-progress", *quiet])
        jobs = (("coco-param", "bicubic", "both"), ("coco-param", "classical-prompted", "both"),
                ("coco-param", "classical-prompted", "both-type-only"),
                ("coco-selective", "classical-prompted", "restoration"))
        for number, (split, method, prompts) in enumerate(jobs):
            _call(run_main, ["--method", method, "--split", split, "--prompts", prompts, "--no-score", *where,
                             *quiet])
            run_dir = runs / split / method / prompts
            # the network metrics (random weights) once; they share every other step of the harness
            metrics = ["--metrics", "lpips,fid,clip" if number == 0 else ""]
            _call(score_main, [str(run_dir), "--splits-dir", str(splits), "--metric-weights", "random", *metrics,
                               *quiet])
        _call(adherence_main, [str(runs / "coco-selective" / "classical-prompted" / "restoration"), "--splits-dir",
                               str(splits), "--metric-weights", "random", "--no-progress", *quiet])
        _call(adherence_main, ["walk", "--method", "classical-prompted", "--n", "1", *where, "--no-progress",
                               *quiet])
        external = runs / "coco-param" / "bicubic" / "both" / "out"
        _call(score_main, ["--split", "coco-param", "--outputs", str(external), "--method", "my-method",
                           "--metrics", "", *where, *quiet])
    digest: dict[str, Any] = {"splits": {}, "runs": {}}
    for split in ("coco-param", "coco-selective"):
        digest["splits"][split] = _split_digest(splits / split)
    for split, method, prompts in (*jobs, ("coco-param", "my-method", "both")):
        run_dir = runs / split / method / prompts
        entry = {"out": _files(run_dir, ("out",)), "summary": _pick(run_dir / "summary.json", SUMMARY_NUMBERS)}
        if (run_dir / "adherence.json").is_file():
            entry["adherence"] = _pick(run_dir / "adherence.json", ADHERENCE_NUMBERS)
            entry["summary_target"] = _pick(run_dir / "summary_target.json", SUMMARY_NUMBERS)
        digest["runs"][f"{split}/{method}/{prompts}"] = entry
    digest["walk"] = _pick(runs / "coco-selective" / "classical-prompted" / "walk" / "walk.json", WALK_NUMBERS)
    return digest


def main() -> int:
    import tempfile

    with tempfile.TemporaryDirectory() as work:
        digest = pipeline_digest(Path(work))
    record = {"byte_stack": stack_versions(BYTE_STACK), "number_stack": stack_versions(NUMBER_STACK),
              "digest": digest}
    GOLDEN.write_text(json.dumps(record, sort_keys=True, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    raise SystemExit(main())
