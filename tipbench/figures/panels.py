"""The semantic-prompt grid (paper Fig. 5) and the method comparison grid (paper Fig. 4)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from tipbench.errors import ConfigError
from tipbench.figures.grid import GridFigure, compose_grid
from tipbench.figures.inputs import FigureItem

#: What a comparison column produces for one split item.
OutputSource = Callable[[FigureItem], np.ndarray]


def _upscale(lq: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    from PIL import Image

    return np.asarray(Image.fromarray(lq).resize((size[1], size[0]), Image.BICUBIC))


def semantic_grid(restorer: Any, lq: np.ndarray, semantic_prompts: list[str], *, restoration_prompt: str = "",
                  out_size: tuple[int, int] | None = None, seed: int = 0, title: str | None = None) -> GridFigure:
    """One row: the degraded input, then `lq` restored under each semantic prompt ("" = blind)."""
    if not semantic_prompts:
        raise ConfigError("give at least one semantic prompt (`--prompt`)")
    out_size = out_size or (lq.shape[0], lq.shape[1])
    panels: list[np.ndarray | None] = [_upscale(lq, out_size)]
    for prompt in semantic_prompts:
        panels.append(restorer.restore(lq, semantic_prompt=prompt, restoration_prompt=restoration_prompt,
                                       out_size=out_size, seed=seed))
    labels = ["input"] + [f'"{p}"' if p else "(empty prompt)" for p in semantic_prompts]
    name = getattr(restorer, "name", type(restorer).__name__)
    suffix = f"; restoration prompt: {restoration_prompt}" if restoration_prompt else ""
    return compose_grid([panels], row_labels=[name], column_labels=labels,
                        title=title or f"Semantic prompting: {name}{suffix}")


def compare_grid(items: list[FigureItem], sources: list[tuple[str, OutputSource]], *,
                 title: str = "Method comparison") -> GridFigure:
    """Rows = items; columns = input (LQ upscaled), each method's output, GT."""
    if not items or not sources:
        raise ConfigError("a comparison needs at least one id and one method")
    panels = []
    for item in items:
        size = (item.gt.shape[0], item.gt.shape[1])
        row = [_upscale(item.lq, size)] + [source(item) for _, source in sources] + [item.gt]
        panels.append(row)
    labels = ["input"] + [label for label, _ in sources] + ["GT"]
    return compose_grid(panels, row_labels=[item.id for item in items], column_labels=labels, title=title)


def run_output_source(run_dir: Path) -> OutputSource:
    """Outputs already written by `tipbench.run` (`<run>/out/<id>.png`)."""
    from tipbench.contracts.run_folder import checked_output
    from tipbench.io import decode_png

    def read(item: FigureItem) -> np.ndarray:
        path = checked_output(run_dir, item.id)
        if not path.is_file():
            raise ConfigError(f"run `{run_dir}` has no output for id `{item.id}`")
        return decode_png(path)

    return read


def restorer_source(restorer: Any, prompts: str) -> OutputSource:
    """Restore live with the prompts a policy feeds (contracts §2.2) and the item's protocol seed (as `run` does)."""
    from tipbench.contracts.prompt_policy import feed_prompts
    from tipbench.seeding import restorer_seed

    def restore(item: FigureItem) -> np.ndarray:
        semantic, restoration = feed_prompts(prompts, item.row)
        return restorer.restore(item.lq, semantic_prompt=semantic, restoration_prompt=restoration,
                                out_size=(item.gt.shape[0], item.gt.shape[1]),
                                seed=restorer_seed(item.row.seed, item.row.index))

    return restore
