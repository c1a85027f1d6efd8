"""An offline CLIP tokenizer built from the BPE merges file that open_clip ships (no hub access needed).

CLIP's vocabulary is fully determined by its merges: the 256 byte symbols, their end-of-word forms, one entry per
merge, then `<|startoftext|>` and `<|endoftext|>`. Truncating the merges gives a small but well-formed tokenizer for
tiny test models; all 48,894 merges give the SD1.x tokenizer (vocabulary 49,408).
"""

from __future__ import annotations

import gzip
from pathlib import Path

#: Merges used by CLIP ViT-L/14 (and so SD1.x): vocab 49408 = 512 byte symbols + 48894 merges + 2 specials.
CLIP_MERGES = 49152 - 256 - 2
MAX_LENGTH = 77


def clip_vocab_and_merges(num_merges: int = CLIP_MERGES) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Vocabulary and merges of the CLIP BPE tokenizer, truncated to the first `num_merges` merges."""
    from open_clip.tokenizer import bytes_to_unicode, default_bpe

    if not 0 <= num_merges <= CLIP_MERGES:
        raise ValueError(f"`num_merges` must be in [0, {CLIP_MERGES}], got {num_merges}")
    lines = gzip.open(default_bpe()).read().decode("utf-8").split("\n")
    merges = [tuple(line.split()) for line in lines[1 : 1 + num_merges]]
    symbols = list(bytes_to_unicode().values())
    tokens = symbols + [s + "</w>" for s in symbols] + ["".join(m) for m in merges]
    tokens += ["<|startoftext|>", "<|endoftext|>"]
    return {token: index for index, token in enumerate(tokens)}, merges


def build_clip_tokenizer(num_merges: int = CLIP_MERGES):
    """A `transformers.CLIPTokenizer` (max length 77) built offline; save it with `save_pretrained`."""
    from transformers import CLIPTokenizer

    vocab, merges = clip_vocab_and_merges(num_merges)
    return CLIPTokenizer(vocab=vocab, merges=merges, model_max_length=MAX_LENGTH)


def save_clip_tokenizer(path: str | Path, num_merges: int = CLIP_MERGES) -> Path:
    path = Path(path)
    build_clip_tokenizer(num_merges).save_pretrained(path)
    return path
