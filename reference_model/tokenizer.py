"""An offline CLIP tokenizer built from the BPE merges file that open_clip ships (no hub access needed).

CLIP's vocabulary is fully determined by its merges: the 256 byte symbols, their end-of-word forms, one entry per
merge, then `<|startoftext|>` and `<|endoftext|>`. Truncating the merges gives a small but well-formed tokenizer for
tiny test models; all 48,894 merges give the SD1.x tokenizer (vocabulary 49,408).
"""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

#: Merges used by CLIP ViT-L/14 (and so SD1.x): vocab 49408 = 512 byte symbols + 48894 merges + 2 specials.
CLIP_MERGES = 49152 - 256 - 2
MAX_LENGTH = 77
BPE_FILE = "bpe_simple_vocab_16e6.txt.gz"


def bpe_file() -> Path:
    """The merges file open_clip ships, located without importing open_clip (whose import pulls in torchvision
    and timm, which a bare GPU machine may lack)."""
    spec = importlib.util.find_spec("open_clip")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the CLIP BPE merges come from the `open_clip_torch` package; install it (extra: models)")
    path = Path(next(iter(spec.submodule_search_locations))) / BPE_FILE
    if not path.is_file():
        raise ImportError(f"`{path}` is missing from the installed open_clip_torch")
    return path


def byte_symbols() -> list[str]:
    """The 256 printable stand-ins byte-level BPE uses for bytes, in CLIP's vocabulary order.

    Written here (a fixed 10-line mapping from GPT-2/CLIP) rather than imported from open_clip, see `bpe_file`.
    """
    printable = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    codes, extra = list(printable), 0
    for byte in range(256):
        if byte not in printable:
            printable.append(byte)
            codes.append(256 + extra)
            extra += 1
    return [chr(code) for code in codes]


def clip_vocab_and_merges(num_merges: int = CLIP_MERGES) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Vocabulary and merges of the CLIP BPE tokenizer, truncated to the first `num_merges` merges."""
    if not 0 <= num_merges <= CLIP_MERGES:
        raise ValueError(f"`num_merges` must be in [0, {CLIP_MERGES}], got {num_merges}")
    lines = gzip.open(bpe_file()).read().decode("utf-8").split("\n")
    merges = [tuple(line.split()) for line in lines[1 : 1 + num_merges]]
    symbols = byte_symbols()
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
