"""Helpers for the results-browser tests (a plain module, imported by name): run folders of a tiny split written
through the run-folder and scores contracts, and a reader for what the site hands its page."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from tipbench.contracts.run_folder import RunKey, output_path, write_run_json
from tipbench.contracts.scores import SUMMARY_JSON, write_scores
from tipbench.contracts.split_folder import read_split_folder
from tipbench.io import decode_png, write_json, write_png


def write_scored_run(runs_dir: Path, split_dir: Path, *, method: str, prompts: str, variant: str | None = None,
                     source: str = "sample", weights: str = "real", n_outputs: int | None = None,
                     scored: bool = True, manifest_sha256: str | None = None, noise: int = 20, seed: int = 0,
                     ignored_prompts: tuple[str, ...] = ()) -> Path:
    """A run folder: noisy copies of the GTs as outputs (the first `n_outputs` only, like a `--limit` run), run.json
    and, when `scored`, scores.parquet (PSNR measured here; SSIM/LPIPS seeded stand-ins) and summary.json."""
    split = read_split_folder(split_dir)
    key = RunKey(split.name, method, prompts, variant)
    run_dir = key.path(runs_dir)
    rng = np.random.default_rng(seed)
    rows = split.rows[:n_outputs] if n_outputs is not None else split.rows
    psnr = []
    for row in rows:
        gt = decode_png(split.image(row, "gt"))
        out = np.clip(gt.astype(int) + rng.integers(-noise, noise + 1, gt.shape), 0, 255).astype(np.uint8)
        write_png(output_path(run_dir, row.id), out)
        mse = float(np.mean((out.astype(float) - gt.astype(float)) ** 2))
        psnr.append(10 * np.log10(255.0 ** 2 / max(mse, 1e-10)))
    write_run_json(run_dir, {**key.identity(), "split_manifest_sha256": manifest_sha256 or split.manifest_sha256,
                             "weights": weights, "ignored_prompts": list(ignored_prompts), "n_done": len(rows)})
    if scored:
        ids = [row.id for row in rows]
        columns = {"psnr": np.array(psnr), "ssim": rng.uniform(0.3, 0.95, len(ids)),
                   "lpips": rng.uniform(0.05, 0.6, len(ids))}
        write_scores(run_dir / "scores.parquet", ids, columns)
        write_json(run_dir / SUMMARY_JSON, {**key.identity(), "source": source, "n": len(ids), "weights": weights,
                                            **{name: float(np.mean(v)) for name, v in columns.items()},
                                            "comparable_to_paper": False})
    return run_dir


def read_site(site_dir: Path) -> dict[str, Any]:
    """data/site.js as the page receives it (`TIPBENCH_SITE({...});`)."""
    text = (site_dir / "data" / "site.js").read_text(encoding="ascii")
    assert text.startswith("TIPBENCH_SITE(") and text.endswith(");\n")
    return json.loads(text[len("TIPBENCH_SITE("):-3])


def read_items(site_dir: Path) -> list[dict[str, Any]]:
    """Every item detail record, from all data/items/<chunk>.js files in chunk order."""
    items = []
    for path in sorted((site_dir / "data" / "items").glob("*.js")):
        text = path.read_text(encoding="ascii")
        head, _, rest = text.partition(",")
        assert head == f"TIPBENCH_ITEMS({int(path.stem)}" and rest.endswith(");\n")
        items.extend(json.loads(rest[:-3]))
    return items
