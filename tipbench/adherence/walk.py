"""Strength control: the prompt walk (paper Figs. 6 and 9 as a number).

The first `n` rows of the selective split (in `index` order, i.e. the split's seeded order, so the subset is fixed
and nested: n = 8 is inside n = 16) are each restored with single-operation prompts whose strength walks a grid —
`Denoise with sigma s` for s in `DENOISE_GRID` and `Deblur with sigma b` for b in `DEBLUR_GRID` — with an empty
semantic prompt (as in the figures) and the item's restorer seed (protocol §2) held fixed, so only the prompt moves.
Measured response: the residual noise level `noise_level(out)` for the denoise walk (expected to fall as s rises)
and the detail gain `detail_gain(out, gt, 4.0)` for the deblur walk (expected to rise as b rises). The deblur
response is read in one band for every grid point (so a method that ignores the prompt scores 0), the band of the
strongest prompted blur (σ 4.0, the grid's top): a regularised inverse of G_b amplifies that band more as b grows
over the whole grid, whereas in the band of the item's own (often small) blur it stops recovering detail once b
overshoots — measured with classical-prompted on the sample photos, the mean ρ is 0.95 here and 0.33 there.
Per item and walk the
score is Spearman's ρ between the prompted strength and the response oriented so that "stronger" is positive
(−noise level; +detail gain); a response that does not move at all (a method ignoring the prompt) gets ρ = 0.
`controllability_denoise` / `controllability_deblur` are the means over items, `controllability` their mean; all in
[-1, 1], 1 = the measured strength follows the prompted strength in rank exactly.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from tipbench.adherence.config import WalkConfig
from tipbench.adherence.measures import detail_gain, noise_level
from tipbench.adherence.split import SelectiveItem
from tipbench.errors import ConfigError
from tipbench.prompts import RestorationOp, format_restoration_prompt

logger = logging.getLogger(__name__)

#: Prompted denoise strengths (σ, 0–1 scale): 0.02 … 0.24 in steps of 0.02 (Fig. 6 walks 0.06 → 0.24).
DENOISE_GRID: tuple[float, ...] = tuple(round(0.02 * k, 2) for k in range(1, 13))
#: Prompted deblur strengths (σ, pixels): 0.5 … 4.0 in steps of 0.5.
DEBLUR_GRID: tuple[float, ...] = tuple(round(0.5 * k, 1) for k in range(1, 9))
#: The band (blur σ, px) of the deblur walk's detail-gain response: the grid's strongest prompted blur.
WALK_DETAIL_SIGMA = 4.0
#: walk name → (operation kind, response name, sign that makes "stronger restoration" positive).
WALKS: dict[str, tuple[str, str, float]] = {
    "denoise": ("noise", "noise_level", -1.0),
    "deblur": ("blur", "detail_gain", 1.0),
}
WALK_COLUMNS = ("id", "index", "walk", "prompted", "restoration_prompt", "response_name", "response")


def walk_prompt(walk: str, strength: float) -> str:
    """The canonical single-operation prompt of one grid point.

    >>> walk_prompt("denoise", 0.1), walk_prompt("deblur", 2.0)
    ('Denoise with sigma 0.10', 'Deblur with sigma 2.0')
    """
    return format_restoration_prompt([RestorationOp(WALKS[walk][0], strength)])  # type: ignore[arg-type]


def spearman(prompted: Sequence[float], response: Sequence[float]) -> float:
    """Spearman's ρ (average ranks for ties); 0 when the response is constant, NaN when it has a NaN.

    >>> spearman([1, 2, 3], [0.1, 0.5, 0.4])
    0.5
    >>> spearman([1, 2, 3], [7, 7, 7])
    0.0
    """
    from scipy.stats import spearmanr

    values = np.asarray(response, dtype=np.float64)
    if not np.all(np.isfinite(values)):
        return math.nan
    if np.ptp(values) == 0.0:
        return 0.0
    return float(spearmanr(np.asarray(prompted, dtype=np.float64), values).statistic)


def walk_items(
    restorer: Any,
    items: Iterable[SelectiveItem],
    *,
    global_seed: int,
    grids: dict[str, Sequence[float]] | None = None,
    image_sink: Any = None,
    progress: bool = False,
) -> list[dict[str, Any]]:
    """Restore every item at every grid point with `restorer` (a `Restorer`) and measure the response.

    Args:
        restorer: any object with the Restorer interface (contracts §4).
        items: rows of a selective split (their LQ and GT are read).
        global_seed: the split's seed; each item gets `restorer_seed(global_seed, index)` at every grid point.
        grids: walk name → prompted strengths (default `DENOISE_GRID` / `DEBLUR_GRID`).
        image_sink: optional callable(item, walk, strength, out) that keeps the restored image (e.g. writes it).
        progress: show a tqdm bar over items (stderr, TTY only).

    Returns:
        One dict per (item, walk, strength) with the keys of `WALK_COLUMNS`.
    """
    from tipbench.cli import progress_bar
    from tipbench.io import decode_png
    from tipbench.seeding import restorer_seed

    grids = dict(grids or {"denoise": DENOISE_GRID, "deblur": DEBLUR_GRID})
    rows: list[dict[str, Any]] = []
    for item in progress_bar(list(items), desc="walk", unit="item", enabled=progress):
        lq, gt = decode_png(item.lq_path), decode_png(item.gt_path)
        seed = restorer_seed(global_seed, item.index)
        for walk, strengths in grids.items():
            response_name = WALKS[walk][1]
            for strength in strengths:
                prompt = walk_prompt(walk, strength)
                out = restorer.restore(lq, semantic_prompt="", restoration_prompt=prompt,
                                       out_size=tuple(gt.shape[:2]), seed=seed)
                if image_sink is not None:
                    image_sink(item, walk, strength, out)
                response = noise_level(out) if response_name == "noise_level" else detail_gain(out, gt, WALK_DETAIL_SIGMA)
                rows.append({"id": item.id, "index": item.index, "walk": walk, "prompted": float(strength),
                             "restoration_prompt": prompt, "response_name": response_name, "response": response})
    return rows


def controllability(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Per-item Spearman ρ per walk and their means (see the module docstring for the orientation).

    Returns keys `controllability`, `controllability_denoise`, `controllability_deblur` (null when a walk has no
    measurable item) and `spearman`: walk → {id: ρ}.
    """
    by_key: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for row in rows:
        by_key.setdefault((row["walk"], row["id"]), []).append((row["prompted"], row["response"]))
    per_walk: dict[str, dict[str, float]] = {}
    for (walk, item_id), points in by_key.items():
        points.sort()
        sign = WALKS[walk][2]
        rho = spearman([p for p, _ in points], [sign * r for _, r in points])
        per_walk.setdefault(walk, {})[item_id] = rho
    result: dict[str, Any] = {"spearman": {w: {k: _json_float(v) for k, v in sorted(d.items())}
                                           for w, d in sorted(per_walk.items())}}
    means = []
    for walk in WALKS:
        finite = [v for v in per_walk.get(walk, {}).values() if math.isfinite(v)]
        mean = float(np.mean(finite)) if finite else None
        result[f"controllability_{walk}"] = mean
        if mean is not None:
            means.append(mean)
    result["controllability"] = float(np.mean(means)) if means else None
    return result


def _json_float(value: float) -> float | None:
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------------------------------------------- the command
def walk_dir(cfg: WalkConfig) -> Path:
    """`<runs>/<split>/<method>/walk[@<variant>]/` (contracts §2.5)."""
    from tipbench.contracts.run_folder import walk_dir as walk_folder
    from tipbench.paths import runs_dir

    return walk_folder(runs_dir(cfg.runs_dir), cfg.split, cfg.method, cfg.variant)


def first_items(items: Sequence[SelectiveItem], n: int) -> list[SelectiveItem]:
    """The walk subset: the first `n` rows in `index` order (an error when the split has fewer)."""
    ordered = sorted(items, key=lambda item: item.index)
    if len(ordered) < n:
        raise ConfigError(f"the split has {len(ordered)} rows; the walk asked for --n {n}")
    return ordered[:n]


def _image_sink(folder: Path):
    from tipbench.io import write_png

    def sink(item: SelectiveItem, walk: str, strength: float, out: np.ndarray) -> None:
        write_png(folder / item.id / f"{walk}-{strength:g}.png", out)

    return sink


def run_walk(cfg: WalkConfig, restorer: Any = None) -> dict[str, Any]:
    """Walk `cfg.method` (or the given `restorer`) over the grids; writes walk.json and walk.parquet.

    Returns:
        The walk.json contents: identity, `controllability`, `controllability_denoise`, `controllability_deblur`,
        `spearman` (walk → id → ρ), `grids`, `ids`, `n`, `uses_restoration_prompt`, `seconds`, `config`.
    """
    import time

    import pandas as pd

    from tipbench.adherence.split import read_selective_items
    from tipbench.contracts import PROTOCOL
    from tipbench.contracts.integrity import verify_on_use
    from tipbench.contracts.scores import WALK_JSON, WALK_PARQUET
    from tipbench.contracts.split_folder import read_split_folder
    from tipbench.io import atomic_write_bytes, write_json
    from tipbench.paper_data import paper_data
    from tipbench.paths import splits_dir

    # 1. the subset
    split = read_split_folder(splits_dir(cfg.splits_dir) / cfg.split)
    items = first_items(read_selective_items(split), cfg.n)
    verify_on_use(split, split.select([item.id for item in items]), ("lq", "gt"), progress=cfg.progress)
    global_seed = split.seed
    # 2. the restorer
    if restorer is None:
        restorer = build_restorer(cfg)
    out_dir = walk_dir(cfg)
    sink = _image_sink(out_dir / "images") if cfg.save_images else None
    # 3. walk and measure
    start = time.perf_counter()
    rows = walk_items(restorer, items, global_seed=global_seed, image_sink=sink, progress=cfg.progress)
    seconds = time.perf_counter() - start
    result = {
        "method": cfg.method, "variant": cfg.variant, "split": cfg.split,
        "split_manifest_sha256": split.manifest_sha256,
        "source": split.source, "paper_data": paper_data(split).ok, "n": len(items), "ids": [item.id for item in items],
        "grids": {"denoise": list(DENOISE_GRID), "deblur": list(DEBLUR_GRID)},
        "detail_sigma": WALK_DETAIL_SIGMA, "semantic_prompt": "", "uses_restoration_prompt": bool(getattr(restorer, "uses_restoration_prompt", False)),
        **controllability(rows),
        "protocol": PROTOCOL, "seconds": round(seconds, 3), "config": cfg.to_dict(),
    }
    frame = pd.DataFrame(rows, columns=list(WALK_COLUMNS))
    atomic_write_bytes(out_dir / WALK_PARQUET, frame.to_parquet(index=False))
    write_json(out_dir / WALK_JSON, result)
    logger.info("wrote %s", out_dir / WALK_JSON)
    return result


def build_restorer(cfg: WalkConfig) -> Any:
    """The registered method `cfg.method` (`tipbench.methods.METHODS`), built as `tipbench.run` builds it."""
    from tipbench.methods import load_restorer

    return load_restorer(cfg.method, variant=cfg.variant, checkpoint=cfg.checkpoint, device=cfg.device)
