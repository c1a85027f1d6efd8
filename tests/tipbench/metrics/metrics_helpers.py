"""Run folders for the metrics tests (splits come from `tests.tiny_splits`): noisy GT copies as outputs."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from tipbench.io import write_png


def gt_images(split_dir: Path) -> dict[str, np.ndarray]:
    from tipbench.io import decode_png

    return {p.stem: decode_png(p) for p in sorted((split_dir / "gt").glob("*.png"))}


def noisy(image: np.ndarray, seed: int, amount: int = 20) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.clip(image.astype(np.int16) + rng.integers(-amount, amount + 1, image.shape), 0, 255).astype(np.uint8)


def make_run(runs_root: Path, split_dir: Path, method: str = "noise", outputs: dict | None = None) -> Path:
    """A run folder `<runs>/<split>/<method>/both/` whose outputs are noisy GT copies (or `outputs`)."""
    from tipbench.contracts.run_folder import RunKey, output_path, write_run_json
    from tipbench.contracts.split_folder import MANIFEST
    from tipbench.io import sha256_file

    key = RunKey(split_dir.name, method, "both")
    run_dir = key.path(runs_root)
    images = outputs if outputs is not None else {k: noisy(v, i) for i, (k, v) in enumerate(gt_images(split_dir).items())}
    for item_id, image in images.items():
        write_png(output_path(run_dir, item_id), image)
    write_run_json(run_dir, {**key.identity(), "split_manifest_sha256": sha256_file(split_dir / MANIFEST),
                             "weights": "real"})
    return run_dir
