"""Prompt-space walk (paper Figs. 6 and 9): one degraded input restored over a grid of two prompted strengths.

Layout, as in the paper: the degraded input sits upper left; the rest of the first row varies only the denoise
strength ("clean but blurry"), the rest of the first column only the deblur strength ("sharp but noisy"), and the
interior names both. Left to right the denoise σ grows, top to bottom the deblur σ grows.
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np

from tipbench.figures.grid import GridFigure, compose_grid
from tipbench.prompts import RestorationOp, format_restoration_prompt

logger = logging.getLogger(__name__)

DEFAULT_DEBLUR_SIGMAS: tuple[float, ...] = (1.0, 2.0, 3.0, 4.0)
DEFAULT_DENOISE_SIGMAS: tuple[float, ...] = (0.06, 0.12, 0.18, 0.24)


def walk_prompt(deblur_sigma: float | None, denoise_sigma: float | None) -> str:
    """The canonical restoration prompt naming the given strengths (None / 0 leaves that operation out).

    >>> walk_prompt(2.0, 0.12), walk_prompt(0, 0.06)
    ('Deblur with sigma 2.0; Denoise with sigma 0.12', 'Denoise with sigma 0.06')
    """
    ops = []
    if deblur_sigma:
        ops.append(RestorationOp("blur", round(float(deblur_sigma), 1)))
    if denoise_sigma:
        ops.append(RestorationOp("noise", round(float(denoise_sigma), 2)))
    return format_restoration_prompt(ops)


def walk_grid(restorer: Any, lq: np.ndarray, *, deblur_sigmas: tuple[float, ...] = DEFAULT_DEBLUR_SIGMAS,
              denoise_sigmas: tuple[float, ...] = DEFAULT_DENOISE_SIGMAS, semantic_prompt: str = "",
              out_size: tuple[int, int] | None = None, seed: int = 0, title: str | None = None,
              progress: bool = False) -> GridFigure:
    """Restore `lq` once per (deblur σ, denoise σ) prompt and lay the results out as a labelled grid.

    Args:
        restorer: any Restorer (contracts §4).
        lq: HxWx3 uint8 degraded input.
        deblur_sigmas / denoise_sigmas: increasing strengths for the rows / columns (0 is added in front).
        out_size: (H, W) of the restored panels; default the LQ's size.
        seed: passed to every restore call, so panels differ only by the prompt.
    Returns:
        GridFigure with (len(deblur_sigmas) + 1) rows and (len(denoise_sigmas) + 1) columns; panel (0, 0) is the input.
    """
    from tipbench.cli import progress_bar

    out_size = out_size or (lq.shape[0], lq.shape[1])
    rows = (0.0, *deblur_sigmas)
    columns = (0.0, *denoise_sigmas)
    panels: list[list[np.ndarray | None]] = [[None] * len(columns) for _ in rows]
    jobs = [(r, c) for r in range(len(rows)) for c in range(len(columns)) if (r, c) != (0, 0)]
    for r, c in progress_bar(jobs, desc="walk", enabled=progress):
        prompt = walk_prompt(rows[r], columns[c])
        panels[r][c] = restorer.restore(lq, semantic_prompt=semantic_prompt, restoration_prompt=prompt,
                                        out_size=out_size, seed=seed)
    from PIL import Image

    panels[0][0] = np.asarray(Image.fromarray(lq).resize((out_size[1], out_size[0]), Image.BICUBIC))
    # Labels quote the prompt's own words (and avoid Greek letters the default bitmap font may lack).
    row_labels = ["no deblur" if not s else f"Deblur with sigma {s:.1f}" for s in rows]
    column_labels = ["no denoise" if not s else f"Denoise with sigma {s:.2f}" for s in columns]
    name = getattr(restorer, "name", type(restorer).__name__)
    return compose_grid(panels, row_labels=row_labels, column_labels=column_labels,
                        title=title or f"Prompt-space walk: {name} (upper left: degraded input)")
