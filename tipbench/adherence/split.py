"""Reading a `coco-selective` split folder for adherence scoring: which operation each row names, and its files.

The named operation is read from the row's restoration prompt (the one thing the restorer saw), which must name
exactly one of `Deblur` / `Denoise` and agree with the `named` field of the row's `params`; the applied blur σ (which
sets the band of `detail_gain`) comes from `params`; the target from the optional manifest columns `target_path` /
`target_sha256` (contracts §1).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tipbench.errors import ManifestError, PromptError
from tipbench.prompts import parse_restoration_prompt

NamedOperation = Literal["noise", "blur"]
SELECTIVE_PIPELINE = "selective"


@dataclass(frozen=True)
class SelectiveItem:
    """One row of a selective split, with absolute file paths."""

    id: str
    index: int
    named: NamedOperation
    restoration_prompt: str
    semantic_prompt: str
    blur_sigma: float
    noise_sigma: float
    lq_path: Path
    gt_path: Path
    target_path: Path
    target_sha256: str


def named_operation(restoration_prompt: str) -> NamedOperation:
    """The single operation a selective prompt names (`noise` for Denoise, `blur` for Deblur).

    >>> named_operation("Denoise with sigma 0.10")
    'noise'
    >>> named_operation("Deblur")
    'blur'
    """
    try:
        ops = parse_restoration_prompt(restoration_prompt)
    except PromptError as exc:
        raise ManifestError(f"selective row has an invalid restoration prompt: {exc}") from exc
    kinds = [op.kind for op in ops]
    if len(kinds) != 1 or kinds[0] not in ("noise", "blur"):
        raise ManifestError(
            f"a selective row's restoration prompt must name exactly one of Deblur / Denoise, got "
            f"`{restoration_prompt}`"
        )
    return kinds[0]  # type: ignore[return-value]


def read_selective_items(split_dir: str | os.PathLike) -> list[SelectiveItem]:
    """The rows of a selective split folder, in `index` order.

    Raises:
        ManifestError: not a split folder, not a selective split (`pipeline` ≠ `selective` or no target columns),
            or a row whose prompt does not name exactly one of the two operations.
    """
    import json

    from tipbench.degradations.selective import SelectiveDegradation
    from tipbench.errors import ConfigError
    from tipbench.io import read_manifest

    split_dir = Path(split_dir)
    frame = read_manifest(split_dir)
    if "target_path" not in frame.columns or "target_sha256" not in frame.columns:
        raise ManifestError(
            f"`{split_dir}` has no `target_path` column: adherence needs a selective split (build coco-selective)"
        )
    pipelines = sorted(set(frame["pipeline"]))
    if pipelines != [SELECTIVE_PIPELINE]:
        raise ManifestError(
            f"`{split_dir}` has pipeline(s) {', '.join(pipelines) or '(none)'}; adherence needs `selective` rows"
        )
    items = []
    for row in frame.sort_values("index").itertuples(index=False):
        if not isinstance(row.target_path, str) or not row.target_path:
            raise ManifestError(f"row `{row.id}` of `{split_dir}` has no target_path")
        try:
            params = SelectiveDegradation.from_dict(json.loads(row.params))
        except (ValueError, TypeError, ConfigError) as exc:
            raise ManifestError(f"row `{row.id}` of `{split_dir}` has unreadable selective params: {exc}") from exc
        named = named_operation(row.restoration_prompt)
        if named != params.named:
            raise ManifestError(
                f"row `{row.id}`: the prompt `{row.restoration_prompt}` names `{named}` but params say `{params.named}`"
            )
        items.append(
            SelectiveItem(
                id=str(row.id),
                index=int(row.index),
                named=named,
                restoration_prompt=str(row.restoration_prompt),
                semantic_prompt=str(row.semantic_prompt or ""),
                blur_sigma=float(params.blur_sigma),
                noise_sigma=float(params.noise_sigma),
                lq_path=split_dir / row.lq_path,
                gt_path=split_dir / row.gt_path,
                target_path=split_dir / row.target_path,
                target_sha256=str(row.target_sha256),
            )
        )
    return items
