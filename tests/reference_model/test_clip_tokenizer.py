"""The offline CLIP tokenizer against open_clip's own tokenizer (same BPE file, independent code)."""

from __future__ import annotations

import pytest

from reference_model.tokenizer import build_clip_tokenizer, byte_symbols


def test_byte_symbols_match_open_clip():
    from open_clip.tokenizer import bytes_to_unicode

    assert byte_symbols() == list(bytes_to_unicode().values())


@pytest.mark.parametrize("text", ["a photo of a cat", "Deblur with sigma 3.0; Upsample to 2.5x",
                                  "Dejpeg with quality 40", "Remove all degradation", ""])
def test_full_vocabulary_matches_open_clip_ids(text):
    from open_clip.tokenizer import SimpleTokenizer

    ours = build_clip_tokenizer()
    reference = SimpleTokenizer()
    assert len(ours) == 49408
    assert ours(text).input_ids == [49406, *reference.encode(text), 49407]


def test_truncated_vocabulary_pads_to_77():
    tokenizer = build_clip_tokenizer(1000)
    ids = tokenizer(["Denoise with sigma 0.06", ""], padding="max_length", max_length=77, truncation=True).input_ids
    assert [len(row) for row in ids] == [77, 77] and max(max(row) for row in ids) < len(tokenizer)
