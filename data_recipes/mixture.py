"""Algorithm 1 of the paper (protocol §3 training mix), as two pure steps.

1. `draw_decisions(mixture, seed, index)`: which pipeline, type-only c_r or not, c_s dropped or not, c_r dropped or
   not, degraded or not — five uniforms from `item_rng(seed, TRAIN_MIX, index)`, always all five in that order, so
   changing one probability in a recipe never shifts another decision's stream (the fifth came last, so recipes
   written before it keep their first four).
2. `draw_degradation(...)`: the pipeline's parameters from `item_rng(seed, DEGRADATION, index)`; `synthesize`
   applies them on CPU to the training target (`training_target`: the GT, USM-sharpened when the recipe asks) and
   returns y with the prompts the recipe asks for.

Clean (on-the-fly) shards store the same index and seed, so a loader repeats both steps and gets the same draws.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from data_recipes.config import MixtureConfig
from tipbench.degradations import DEGRADATIONS
from tipbench.prompts import BLIND_PROMPT
from tipbench.seeding import Stage, item_rng

Pipeline = Literal["param", "realesrgan"]


@dataclass(frozen=True)
class MixDecision:
    """The per-sample choices of Algorithm 1 (before any degradation parameter is drawn)."""

    pipeline: Pipeline
    type_only: bool
    drop_semantic: bool
    drop_restoration: bool
    #: y is the training target itself and c_r is "" (StableSR's `no_degradation_prob`).
    no_degradation: bool = False


def draw_decisions(mixture: MixtureConfig, seed: int, index: int) -> MixDecision:
    """The mixture decisions for sample `index`.

    >>> draw_decisions(MixtureConfig(realesrgan_probability=1.0), 0, 3).pipeline
    'realesrgan'
    """
    u_pipeline, u_type, u_semantic, u_restoration, u_clean = item_rng(seed, Stage.TRAIN_MIX, index).random(5)
    pipeline: Pipeline = "realesrgan" if u_pipeline < mixture.realesrgan_probability else "param"
    return MixDecision(
        pipeline=pipeline,
        type_only=pipeline == "param" and bool(u_type < mixture.type_only_probability),
        drop_semantic=bool(u_semantic < mixture.semantic_dropout),
        drop_restoration=bool(u_restoration < mixture.restoration_dropout),
        no_degradation=bool(u_clean < mixture.no_degradation_probability),
    )


def draw_degradation(decision: MixDecision, mixture: MixtureConfig, seed: int, index: int, size: int) -> Any:
    """The pipeline's parameter object for sample `index` (param: training draw, all-off kept, protocol §3)."""
    rng = item_rng(seed, Stage.DEGRADATION, index)
    if decision.pipeline == "param":
        return DEGRADATIONS.get("param").sample(rng, training=True)
    pipeline = DEGRADATIONS.get("realesrgan")
    return pipeline.sample(rng, param_set=mixture.realesrgan_param_set, size=(size, size), scale=4)


@dataclass(frozen=True)
class TrainingPrompts:
    """The prompts a sample is trained with, plus the full c_r forms kept for analysis."""

    semantic_prompt: str
    restoration_prompt: str
    restoration_prompt_full: str
    restoration_prompt_type: str


def training_prompts(decision: MixDecision, caption: str, full: str, type_only: str) -> TrainingPrompts:
    """Apply the decisions to the pipeline's prompts: type-only choice, then c_r / c_s dropout."""
    chosen = type_only if decision.type_only else full
    return TrainingPrompts(
        semantic_prompt="" if decision.drop_semantic else caption,
        restoration_prompt="" if decision.drop_restoration else chosen,
        restoration_prompt_full=full,
        restoration_prompt_type=type_only,
    )


def prompts_without_image(decision: MixDecision, params: Any, caption: str) -> TrainingPrompts:
    """The prompts from the parameters alone (on-the-fly mode writes them before y exists); an undegraded sample
    gets c_r "" (what the param branch pairs with an image whose every stage was skipped)."""
    if decision.no_degradation:
        return training_prompts(decision, caption, "", "")
    if decision.pipeline == "realesrgan":
        return training_prompts(decision, caption, BLIND_PROMPT, BLIND_PROMPT)
    return training_prompts(decision, caption, params.restoration_prompt, params.restoration_prompt_type)


def training_target(gt: np.ndarray, usm: bool) -> np.ndarray:
    """The image a sample is degraded from and trained towards: the GT, or with `usm` its unsharp-masked version
    (the numpy twin of the torch backend's `usm`, protocol §4.7), rounded to 8 bits like every stored image."""
    if not usm:
        return gt
    from tipbench.degradations.realesrgan import usm_sharpen

    sharp = usm_sharpen(gt.astype(np.float32) / 255.0)
    return np.clip(np.rint(sharp * 255.0), 0, 255).astype(np.uint8)


def synthesize(target: np.ndarray, decision: MixDecision, params: Any) -> tuple[np.ndarray, dict[str, Any]]:
    """Degrade the training target (HxWx3 uint8) on CPU with the drawn parameters, or keep it for an undegraded
    sample; returns (y, params as a JSON-able dict)."""
    if decision.no_degradation:
        return target.copy(), params.to_dict()
    result = DEGRADATIONS.get(decision.pipeline).apply(target, params)
    return result.lq, result.params
