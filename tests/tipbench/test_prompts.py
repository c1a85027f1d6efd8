"""Restoration-prompt grammar: exact round trips, lenient spellings, and every malformed form rejected."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tipbench import PromptError, RestorationOp, format_restoration_prompt, parse_restoration_prompt
from tipbench.prompts import to_type_only


@st.composite
def op_sets(draw):
    """Random subsets of the four operations with canonical (sampling-grid) values, some type-only."""
    ops = []
    if draw(st.booleans()):
        ops.append(RestorationOp("blur", draw(st.one_of(st.none(), st.integers(1, 200).map(lambda v: v / 10)))))
    if draw(st.booleans()):
        ops.append(RestorationOp("downsample", draw(st.one_of(st.none(), st.integers(10, 160).map(lambda v: v / 10)))))
    if draw(st.booleans()):
        ops.append(RestorationOp("noise", draw(st.one_of(st.none(), st.integers(1, 100).map(lambda v: v / 100)))))
    if draw(st.booleans()):
        ops.append(RestorationOp("jpeg", draw(st.one_of(st.none(), st.integers(1, 100)))))
    return tuple(ops)


@pytest.mark.slow  # 1,500 examples (~8 s); CI runs it in its `slow` step, the 500-example property below by default
@settings(max_examples=1500, deadline=None)
@given(op_sets(), st.randoms(use_true_random=False))
def test_round_trip_exact_in_any_order(ops, shuffler):
    text = format_restoration_prompt(ops)
    assert parse_restoration_prompt(text) == ops
    assert format_restoration_prompt(parse_restoration_prompt(text)) == text
    shuffled = list(ops)
    shuffler.shuffle(shuffled)
    messy = " ;  ".join(op.phrase().upper() if i % 2 else op.phrase().lower() for i, op in enumerate(shuffled)) + ";"
    if ops:
        assert parse_restoration_prompt(messy) == ops


def test_canonical_examples():
    text = "Deblur with sigma 3.0; Upsample to 2.5x; Denoise with sigma 0.06; Dejpeg with quality 40"
    ops = parse_restoration_prompt(text)
    assert [op.kind for op in ops] == ["blur", "downsample", "noise", "jpeg"]
    assert [op.value for op in ops] == [3.0, 2.5, 0.06, 40]
    assert format_restoration_prompt(ops) == text
    assert format_restoration_prompt(ops, type_only=True) == "Deblur; Upsample; Denoise; Dejpeg"
    assert to_type_only(text) == "Deblur; Upsample; Denoise; Dejpeg"


def test_paper_example_with_trailing_separator_and_other_order():
    ops = parse_restoration_prompt("Upsample to 6.0x; Deblur with sigma 2.9;")
    assert format_restoration_prompt(ops) == "Deblur with sigma 2.9; Upsample to 6.0x"


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_empty_prompt_has_no_operations(text):
    assert parse_restoration_prompt(text) == ()
    assert format_restoration_prompt(()) == ""


@pytest.mark.parametrize("text", ["Remove all degradation", "remove ALL degradations", "  Remove  all degradation ;"])
def test_blind_instruction(text):
    assert parse_restoration_prompt(text) == (RestorationOp("all"),)
    assert format_restoration_prompt(parse_restoration_prompt(text)) == "Remove all degradation"


def test_type_only_operations_parse():
    assert parse_restoration_prompt("denoise; DEBLUR") == (RestorationOp("blur"), RestorationOp("noise"))


MALFORMED = [
    ("Sharpen with sigma 2.0", "unknown operation"),
    ("Deblur with sigma", "malformed operation"),
    ("Deblur with sigma abc", "malformed number `abc`"),
    ("Deblur with sigma nan", "non-finite"),
    ("Denoise with sigma inf", "non-finite"),
    ("Deblur with sigma 1e3", "malformed number"),
    ("Deblur; Deblur with sigma 2.0", "duplicate"),
    ("Deblur;; Denoise", "empty operation"),
    (";", "empty operation"),
    ("; Deblur", "empty operation"),
    ("Remove all degradation; Denoise", "cannot be combined"),
    ("Upsample to 0.5x", "out of range"),
    ("Upsample to 17x", "out of range"),
    ("Deblur with sigma 0", "out of range"),
    ("Deblur with sigma 25", "out of range"),
    ("Denoise with sigma 1.5", "out of range"),
    ("Dejpeg with quality 0", "out of range"),
    ("Dejpeg with quality 101", "out of range"),
    ("Dejpeg with quality 40.5", "integer"),
    ("Upsample 2.0x", "malformed operation"),
    ("Deblur sigma 2", "malformed operation"),
]


@pytest.mark.parametrize("text, expected", MALFORMED)
def test_malformed_prompts_rejected_with_reason(text, expected):
    with pytest.raises(PromptError) as info:
        parse_restoration_prompt(text)
    assert expected in str(info.value)
    assert isinstance(info.value, ValueError)


def test_non_string_rejected():
    with pytest.raises(PromptError):
        parse_restoration_prompt(None)  # type: ignore[arg-type]


def test_structured_ops_validate_ranges():
    with pytest.raises(PromptError):
        RestorationOp("noise", 2.0)
    with pytest.raises(PromptError):
        RestorationOp("sharpen", 1.0)  # type: ignore[arg-type]
    with pytest.raises(PromptError):
        format_restoration_prompt([RestorationOp("blur", 1.0), RestorationOp("blur", 2.0)])


@pytest.mark.parametrize("bad", ["Deblur with sigma 3.0", "", [{"kind": "blur", "value": 3.0}], [("blur", 3.0)]])
def test_format_rejects_anything_but_ops_with_a_prompt_error(bad):
    with pytest.raises(PromptError, match="RestorationOp items"):
        format_restoration_prompt(bad)


@pytest.mark.parametrize("kind, value", [("blur", 0.04), ("noise", 0.004), ("noise", 0.0049)])
def test_values_that_would_be_written_out_of_range_are_refused(kind, value):
    with pytest.raises(PromptError, match="written as"):
        RestorationOp(kind, value)


@settings(max_examples=500, deadline=None)
@given(st.sampled_from(["blur", "downsample", "noise", "jpeg"]), st.floats(0, 120, allow_nan=False))
def test_every_constructible_op_formats_to_parsable_text(kind, value):
    if kind == "jpeg":
        value = float(round(value))
    try:
        op = RestorationOp(kind, value)
    except PromptError:
        return
    assert parse_restoration_prompt(format_restoration_prompt([op]))[0].kind == kind
