"""Prompt policies (contracts §2.2): what each item's restorer is fed — the one table of them.

A policy names, for each of the two prompts, the manifest column it feeds (or nothing, i.e. ""), and a fixed c_r
for the policies that feed one whatever the manifest says (`blind`). `run`, `score`, `adherence`, `figures`, the
leaderboard's tables and the reference model's ablation switches all read this table; a new policy is a new row here.

Example:
    >>> prompt_policy(BOTH_TYPE_ONLY).restoration_column
    'restoration_prompt_type'
    >>> [name for name in POLICY_NAMES if prompt_policy(name).feeds_restoration]
    ['restoration', 'both', 'both-type-only']
    >>> TRAINING_POLICY_NAMES[-1], prompt_policy(BLIND).restoration_text
    ('both-type-only', 'Remove all degradation')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tipbench.errors import ConfigError
from tipbench.prompts import BLIND_PROMPT

NONE = "none"
SEMANTIC = "semantic"
RESTORATION = "restoration"
BOTH = "both"
BOTH_TYPE_ONLY = "both-type-only"
BLIND = "blind"


@dataclass(frozen=True)
class PromptPolicy:
    """One policy: the manifest column feeding c_s and the one feeding c_r (None: the prompt is "", or
    `restoration_text` when the policy fixes c_r)."""

    name: str
    semantic_column: str | None
    restoration_column: str | None
    summary: str
    restoration_text: str = ""

    @property
    def feeds_semantic(self) -> bool:
        return self.semantic_column is not None

    @property
    def feeds_restoration(self) -> bool:
        """Whether the item's own c_r (a manifest column) is fed; `blind` feeds the same text to every item."""
        return self.restoration_column is not None

    @property
    def trainable(self) -> bool:
        """A checkpoint can be trained with it: it feeds manifest text or nothing (a fixed c_r is a test-time use
        of a checkpoint trained with `both`, whose Real-ESRGAN samples carry that text)."""
        return not self.restoration_text


_POLICIES = (
    PromptPolicy(NONE, None, None, "no text at all"),
    PromptPolicy(SEMANTIC, "semantic_prompt", None, "the caption c_s only"),
    PromptPolicy(RESTORATION, None, "restoration_prompt", "the restoration prompt c_r only"),
    PromptPolicy(BOTH, "semantic_prompt", "restoration_prompt", "c_s and c_r (the default)"),
    PromptPolicy(BOTH_TYPE_ONLY, "semantic_prompt", "restoration_prompt_type",
                 "c_s and the type-only c_r (no numbers)"),
    PromptPolicy(BLIND, None, None, "the paper's blind use: no c_s, c_r \"Remove all degradation\"",
                 restoration_text=BLIND_PROMPT),
)
#: Policy name → policy, in the order of docs/contracts.md §2.2.
POLICIES: dict[str, PromptPolicy] = {policy.name: policy for policy in _POLICIES}
POLICY_NAMES: tuple[str, ...] = tuple(POLICIES)
#: The policies a checkpoint can be trained with (`model.prompts`).
TRAINING_POLICY_NAMES: tuple[str, ...] = tuple(name for name, policy in POLICIES.items() if policy.trainable)
DEFAULT_POLICY = BOTH
#: The two prompts by kind, as run.json `ignored_prompts` and the leaderboard's row requirements name them.
PROMPT_KINDS: tuple[str, ...] = (SEMANTIC, RESTORATION)
#: For a method that ignores every prompt all policies give the same outputs; the run to read is the first found
#: in this order (the literal no-text run, then the default).
ANY_POLICY: tuple[str, ...] = (NONE, BOTH, SEMANTIC, RESTORATION, BOTH_TYPE_ONLY, BLIND)


def prompt_policy(name: str) -> PromptPolicy:
    """The policy called `name`; `ConfigError` naming the valid ones otherwise."""
    try:
        return POLICIES[name]
    except (KeyError, TypeError):
        raise ConfigError(f"unknown prompt policy `{name}`; choose one of: {', '.join(POLICY_NAMES)}") from None


def _text(value: Any) -> str:
    return "" if value is None or (isinstance(value, float) and value != value) else str(value)


def feed_prompts(policy: str | PromptPolicy, row: Any) -> tuple[str, str]:
    """(semantic prompt, restoration prompt) a restorer is fed for one split row (a `SplitRow` or any object with
    the manifest's prompt attributes).

    >>> from types import SimpleNamespace
    >>> row = SimpleNamespace(semantic_prompt="a cat", restoration_prompt="Deblur with sigma 3.0",
    ...                       restoration_prompt_type="Deblur")
    >>> feed_prompts(RESTORATION, row), feed_prompts(BOTH_TYPE_ONLY, row), feed_prompts(BLIND, row)
    (('', 'Deblur with sigma 3.0'), ('a cat', 'Deblur'), ('', 'Remove all degradation'))
    """
    chosen = policy if isinstance(policy, PromptPolicy) else prompt_policy(policy)
    semantic = _text(getattr(row, chosen.semantic_column)) if chosen.semantic_column else ""
    if chosen.restoration_column:
        return semantic, _text(getattr(row, chosen.restoration_column))
    return semantic, chosen.restoration_text
