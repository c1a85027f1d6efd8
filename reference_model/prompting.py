"""Which prompts a reference-model checkpoint sees: a prompt policy (docs/contracts.md §2.2) mapped onto the
adapter's two switches (`use_semantic_prompt`, `restoration_prompt_form`).

A checkpoint is trained and tested with one policy — the paper's prompt ablations (Tables 4, 5) are checkpoints
trained with `none`, `semantic`, `both-type-only` or `both` — so the training config names a policy and the adapter
config stores what it means.

Example:
    >>> adapter_prompt_options("both-type-only")
    {'use_semantic_prompt': True, 'restoration_prompt_form': 'type-only'}
    >>> policy_of(True, "type-only")
    'both-type-only'
"""

from __future__ import annotations

from typing import Any

from tipbench.contracts.prompt_policy import TRAINING_POLICY_NAMES, prompt_policy
from tipbench.errors import ConfigError

#: Manifest column a policy feeds as c_r → the adapter's `restoration_prompt_form`.
_FORMS: dict[str | None, str] = {"restoration_prompt": "full", "restoration_prompt_type": "type-only", None: "none"}


def adapter_prompt_options(policy: str) -> dict[str, Any]:
    """The adapter config switches of a checkpoint trained with `policy` (`ConfigError` for a test-time-only
    policy such as `blind`)."""
    chosen = prompt_policy(policy)
    if not chosen.trainable:
        raise ConfigError(f"prompt policy `{policy}` is a test-time use of a checkpoint, not a training policy; "
                          f"train with one of {', '.join(TRAINING_POLICY_NAMES)}")
    return {"use_semantic_prompt": chosen.feeds_semantic, "restoration_prompt_form": _FORMS[chosen.restoration_column]}


def policy_of(use_semantic_prompt: bool, restoration_prompt_form: str) -> str:
    """The policy an adapter config was trained with (inverse of `adapter_prompt_options`)."""
    wanted = {"use_semantic_prompt": bool(use_semantic_prompt), "restoration_prompt_form": restoration_prompt_form}
    for name in TRAINING_POLICY_NAMES:
        if adapter_prompt_options(name) == wanted:
            return name
    raise ValueError(f"no prompt policy gives {wanted}")
