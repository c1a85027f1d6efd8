"""Reading a `coco-selective` split folder for adherence scoring: which operation each row names, and its files.

The named operation is read from the row's restoration prompt (the one thing the restorer saw), which must name
exactly one of `Deblur` / `Denoise` and agree with the `named` field of the row's `params`; the applied blur σ (which
sets the band of `detail_gain`) comes from `params`; the target from the optional manifest columns `target_path` /
`target_sha256` (contracts §1).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tipbench.contracts.split_folder import SplitFolder
from tipbench.errors import ManifestError, PromptError
from tipbench.prompts import parse_restoration_prompt

NamedOperation = Literal["noise", "blur"]
SELECTIVE_PIPELINE = "selective"


@dataclass(frozen=True)
class SelectiveItem:
    """One row of a selective split with what adherence needs of it: the named operation, the applied strengths
    (from the row's `params`) and the image files resolved against the split folder."""

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


def read_selective_items(split: SplitFolder) -> list[SelectiveItem]:
    """The rows of a selective split folder, in `index` order.

    Raises:
        ManifestError: not a selective split (`pipeline` ≠ `selective` or no targets), or a row whose prompt does
            not name exactly one of the two operations.
    """
    from tipbench.degradations.selective import SelectiveDegradation
    from tipbench.errors import ConfigError

    if not any(row.target_path for row in split.rows):
        raise ManifestError(
            f"`{split.path}` has no `target_path` column: adherence needs a selective split (build coco-selective)"
        )
    pipelines = sorted({row.pipeline for row in split.rows})
    if pipelines != [SELECTIVE_PIPELINE]:
        raise ManifestError(
            f"`{split.path}` has pipeline(s) {', '.join(pipelines) or '(none)'}; adherence needs `selective` rows"
        )
    items = []
    for row in split.rows:
        if not row.target_path:
            raise ManifestError(f"row `{row.id}` of `{split.path}` has no target_path")
        try:
            params = SelectiveDegradation.from_dict(row.params_dict())
        except (ValueError, TypeError, ConfigError) as exc:
            raise ManifestError(f"row `{row.id}` of `{split.path}` has unreadable selective params: {exc}") from exc
        named = named_operation(row.restoration_prompt)
        if named != params.named:
            raise ManifestError(
                f"row `{row.id}`: the prompt `{row.restoration_prompt}` names `{named}` but params say `{params.named}`"
            )
        items.append(SelectiveItem(
            id=row.id, index=row.index, named=named, restoration_prompt=row.restoration_prompt,
            semantic_prompt=row.semantic_prompt, blur_sigma=float(params.blur_sigma),
            noise_sigma=float(params.noise_sigma), lq_path=split.image(row, "lq"), gt_path=split.image(row, "gt"),
            target_path=split.image(row, "target"), target_sha256=str(row.target_sha256)))
    return items
