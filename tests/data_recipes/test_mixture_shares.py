"""Algorithm 1 decisions: the declared shares within binomial bounds, and per-index determinism."""

from __future__ import annotations

import math

import pytest

from data_recipes import load_recipe
from data_recipes.mixture import MixDecision, draw_decisions, draw_degradation, prompts_without_image
from tipbench.prompts import BLIND_PROMPT, format_restoration_prompt

N = 20_000


def within_binomial(successes: int, trials: int, p: float, z: float = 5.0) -> bool:
    """|successes − np| ≤ z·sqrt(np(1−p)) (z = 5: a false alarm has probability < 1e-6)."""
    return abs(successes - trials * p) <= z * math.sqrt(trials * p * (1 - p)) + 1e-9


def test_tip_train_decisions_match_the_declared_mixture():
    recipe = load_recipe("tip-train")
    decisions = [draw_decisions(recipe.mixture, recipe.seed, i) for i in range(N)]
    realesrgan = sum(d.pipeline == "realesrgan" for d in decisions)
    param = [d for d in decisions if d.pipeline == "param"]
    assert within_binomial(realesrgan, N, 0.5)
    assert within_binomial(sum(d.type_only for d in param), len(param), 0.5)
    assert not any(d.type_only for d in decisions if d.pipeline == "realesrgan")
    assert within_binomial(sum(d.drop_semantic for d in decisions), N, 0.1)
    assert not any(d.drop_restoration for d in decisions)
    # the dropout is independent of the pipeline choice
    assert within_binomial(sum(d.drop_semantic for d in param), len(param), 0.1)


@pytest.mark.parametrize(
    "name, check",
    [
        ("ablation-type-only", lambda ds: all(d.type_only for d in ds if d.pipeline == "param")),
        ("ablation-param-prompts", lambda ds: not any(d.type_only for d in ds)),
        ("ablation-no-semantic", lambda ds: all(d.drop_semantic for d in ds)),
        ("ablation-no-restoration", lambda ds: all(d.drop_restoration for d in ds)),
        ("ablation-param-only", lambda ds: all(d.pipeline == "param" for d in ds)),
        ("ablation-realesrgan-only", lambda ds: all(d.pipeline == "realesrgan" for d in ds)),
    ],
)
def test_ablation_recipes_change_only_their_decision(name, check):
    recipe = load_recipe(name)
    decisions = [draw_decisions(recipe.mixture, recipe.seed, i) for i in range(2000)]
    assert check(decisions)
    # changing one probability never shifts another decision's stream
    paper = load_recipe("tip-train")
    base = [draw_decisions(paper.mixture, paper.seed, i) for i in range(2000)]
    if name not in ("ablation-no-semantic",):
        assert [d.drop_semantic for d in decisions] == [d.drop_semantic for d in base]
    if name not in ("ablation-param-only", "ablation-realesrgan-only"):
        assert [d.pipeline for d in decisions] == [d.pipeline for d in base]


def test_decisions_depend_only_on_seed_and_index():
    mixture = load_recipe("tip-train").mixture
    forward = [draw_decisions(mixture, 0, i) for i in range(200)]
    backward = [draw_decisions(mixture, 0, i) for i in reversed(range(200))][::-1]
    assert forward == backward
    assert forward != [draw_decisions(mixture, 1, i) for i in range(200)]


def test_param_prompts_follow_the_decisions():
    mixture = load_recipe("tip-train").mixture
    for index in range(300):
        decision = draw_decisions(mixture, 0, index)
        if decision.pipeline != "param":
            continue
        params = draw_degradation(decision, mixture, 0, index, 512)
        prompts = prompts_without_image(decision, params, "a caption")
        expected = format_restoration_prompt(params.ops(), type_only=decision.type_only)
        assert prompts.restoration_prompt == expected
        assert prompts.semantic_prompt == ("" if decision.drop_semantic else "a caption")


def test_realesrgan_prompt_is_the_blind_instruction():
    decision = MixDecision("realesrgan", type_only=False, drop_semantic=False, drop_restoration=False)
    prompts = prompts_without_image(decision, None, "c")
    assert prompts.restoration_prompt == prompts.restoration_prompt_type == BLIND_PROMPT
