"""Where a figure's input comes from: a clean image we degrade, an LQ used as is, or an item of a built split."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tipbench.errors import ConfigError, ManifestError
from tipbench.seeding import Stage, derived_seed, item_rng


@dataclass(frozen=True)
class SplitItem:
    """One manifest row's images and prompts."""

    id: str
    index: int
    gt: np.ndarray
    lq: np.ndarray
    semantic_prompt: str
    restoration_prompt: str
    restoration_prompt_type: str
    seed: int = 0  # the split's global seed (protocol §2), with `index` it gives the restorer's seed


def read_split_items(split_dir: str | Path, ids: list[str]) -> list[SplitItem]:
    """The manifest rows of `ids` (in the order given) with their GT and LQ decoded."""
    from tipbench.io import decode_png, read_manifest

    split_dir = Path(split_dir)
    by_id = {row["id"]: row for row in read_manifest(split_dir).to_dict("records")}
    missing = [i for i in ids if i not in by_id]
    if missing:
        raise ManifestError(f"ids {missing} are not in split `{split_dir}`; first ids there: {list(by_id)[:5]}")
    items = []
    for item_id in ids:
        row = by_id[item_id]
        items.append(SplitItem(
            id=item_id, index=int(row["index"]), gt=decode_png(split_dir / row["gt_path"]),
            lq=decode_png(split_dir / row["lq_path"]), semantic_prompt=row.get("semantic_prompt") or "",
            restoration_prompt=row.get("restoration_prompt") or "",
            restoration_prompt_type=row.get("restoration_prompt_type") or "", seed=int(row.get("seed") or 0),
        ))
    return items


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
