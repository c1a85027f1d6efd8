"""Prompt encoding shared by the pipeline and the training loop (one place, so train and test never differ)."""

from __future__ import annotations

from collections.abc import Sequence

import torch


def encode_prompts(tokenizer, text_encoder, prompts: Sequence[str], device: torch.device | str) -> torch.Tensor:
    """CLIP `last_hidden_state` for each prompt, padded to the tokenizer's max length as SD pipelines do.

    The empty prompt is encoded like any other (the learned "unconditional" embedding), never a zero tensor.

    Returns:
        (len(prompts), max_length, hidden) in the text encoder's dtype.
    """
    tokens = tokenizer(
        list(prompts), padding="max_length", max_length=tokenizer.model_max_length, truncation=True,
        return_tensors="pt",
    )
    with torch.no_grad():
        return text_encoder(tokens.input_ids.to(device))[0]
