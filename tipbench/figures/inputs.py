"""Where a figure's input comes from: a clean image we degrade, an LQ used as is, or rows of a built split."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tipbench.contracts.split_folder import SplitRow
from tipbench.errors import ConfigError
from tipbench.seeding import Stage, derived_seed, item_rng


@dataclass(frozen=True)
class FigureItem:
    """A split row with its GT and LQ decoded (what a comparison panel shows)."""

    row: SplitRow
    gt: np.ndarray
    lq: np.ndarray

    @property
    def id(self) -> str:
        return self.row.id


def read_split_items(split_dir: str | Path, ids: list[str]) -> list[FigureItem]:
    """The rows of `ids` (in the order given) with their GT and LQ decoded."""
    from tipbench.contracts.integrity import verify_on_use
    from tipbench.contracts.split_folder import read_split_folder
    from tipbench.io import decode_png

    split = read_split_folder(split_dir)
    rows = split.select(ids)
    verify_on_use(split, rows, ("gt", "lq"))
    return [FigureItem(row, decode_png(split.image(row, "gt")), decode_png(split.image(row, "lq"))) for row in rows]


def load_clean(path: str | Path, size: int) -> np.ndarray:
    """A clean image canonicalised like a GT (short side to `size`, centre crop; protocol §1)."""
    from tipbench.canonical import canonicalize, open_checked

    with open_checked(Path(path)) as image:
        return canonicalize(image, size=size, min_short_side=1)


def degrade_blur_noise(clean: np.ndarray, blur: float | None, noise: float | None, seed: int = 0) -> np.ndarray:
    """`clean` blurred by σ=`blur` then noised by σ=`noise` with the param pipeline (noise drawn from `seed`)."""
    from tipbench.degradations.param import ParamDegradation, apply

    if not blur and not noise:
        raise ConfigError("a walk input needs `--blur` and/or `--noise` > 0 (or pass `--lq`)")
    noise_seed = derived_seed(item_rng(seed, Stage.DEGRADATION, 0)) if noise else None
    params = ParamDegradation(blur_sigma=blur or None, noise_sigma=noise or None, noise_seed=noise_seed)
    return apply(clean, params).lq
