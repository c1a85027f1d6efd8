"""Per-item removal and preservation scores for one output on a selective row.

A row names one of the two applied degradations. With `m` a measure of that degradation (measures.py):

| named | removal (of the named one) | preservation (of the unnamed one) |
|---|---|---|
| noise (`Denoise …`) | noise_level: bad = lq, target = target | detail_gain: bad = gt (≡ 1), target = target |
| blur (`Deblur …`) | detail_gain: bad = lq, target = target | noise_level: bad = gt, target = target |

(detail_gain is taken in the band of the row's applied blur σ, from the row's params.)

score = clip((m(out) − m(bad)) / (m(target) − m(bad)), 0, 1); 0 = still as degraded as the input (removal) or as
clean as the GT, i.e. the unnamed degradation removed too as blind restoration does (preservation); 1 = like the
selective target. The input is not the preservation anchor because it already carries the unnamed degradation.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from tipbench.adherence.measures import (
    MIN_GAP_DETAIL,
    MIN_GAP_NOISE,
    detail_gain,
    noise_level,
    normalised_score,
)
from tipbench.adherence.split import NamedOperation

#: Raw measure columns of adherence.parquet, in order.
MEASURE_COLUMNS = (
    "noise_out", "noise_lq", "noise_target", "noise_gt",
    "detail_out", "detail_lq", "detail_target",
)


def anchor_measures(lq: np.ndarray, target: np.ndarray, gt: np.ndarray, blur_sigma: float) -> dict[str, float]:
    """The measures of one row's fixed images (the same for every run on the split)."""
    return {
        "noise_lq": noise_level(lq),
        "noise_target": noise_level(target),
        "noise_gt": noise_level(gt),
        "detail_lq": detail_gain(lq, gt, blur_sigma),
        "detail_target": detail_gain(target, gt, blur_sigma),
    }


def diagnose(
    out: np.ndarray, gt: np.ndarray, named: NamedOperation, blur_sigma: float, anchors: dict[str, float]
) -> dict[str, Any]:
    """Removal and preservation of one output (HxWx3 uint8, GT size) on a row naming `named`.

    `blur_sigma` is the row's applied blur σ and `anchors` its `anchor_measures`.

    Returns the scores (`removal`, `preservation`, NaN when the row's anchors are too close to tell apart), their
    unclipped forms (`removal_raw`, `preservation_raw`) and every raw measure (`MEASURE_COLUMNS`).
    """
    if out.shape != gt.shape:
        raise ValueError(f"output shape {out.shape} differs from the GT's {gt.shape}")
    measures = {**anchors, "noise_out": noise_level(out), "detail_out": detail_gain(out, gt, blur_sigma)}
    # detail_gain(gt, gt) is 1 by definition (NaN only for a flat GT, which then cannot be scored)
    detail_gt = 1.0 if math.isfinite(measures["detail_target"]) else math.nan
    if named == "noise":
        removal = normalised_score(measures["noise_out"], measures["noise_lq"], measures["noise_target"], MIN_GAP_NOISE)
        preservation = normalised_score(measures["detail_out"], detail_gt, measures["detail_target"], MIN_GAP_DETAIL)
    elif named == "blur":
        removal = normalised_score(measures["detail_out"], measures["detail_lq"], measures["detail_target"],
                                   MIN_GAP_DETAIL)
        preservation = normalised_score(measures["noise_out"], measures["noise_gt"], measures["noise_target"],
                                        MIN_GAP_NOISE)
    else:
        raise ValueError(f"`named` must be `noise` or `blur`, got {named!r}")
    return {
        "removal": removal[0],
        "preservation": preservation[0],
        "removal_raw": removal[1],
        "preservation_raw": preservation[1],
        **{name: measures[name] for name in MEASURE_COLUMNS},
    }
