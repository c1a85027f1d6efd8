"""Restoration-prompt grammar (protocol §3): canonical formatting and a forgiving, strict-on-errors parser.

Canonical form: active operations in pipeline order (blur → downsample → noise → JPEG) joined by "; ", e.g.
``Deblur with sigma 3.0; Upsample to 2.5x; Denoise with sigma 0.06; Dejpeg with quality 40``; type-only
operations drop the number (``Deblur; Denoise``); the blind instruction is ``Remove all degradation``; "" means
no operation.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Literal

from tipbench.errors import PromptError

OpKind = Literal["blur", "downsample", "noise", "jpeg", "all"]

#: Pipeline order of the parameterized operations.
PIPELINE_ORDER: tuple[str, ...] = ("blur", "downsample", "noise", "jpeg")
BLIND_PROMPT = "Remove all degradation"

#: Valid parsing ranges (wider than the sampling ranges): (low, high, low_inclusive).
VALID_RANGES: dict[str, tuple[float, float, bool]] = {
    "blur": (0.0, 20.0, False),
    "downsample": (1.0, 16.0, True),
    "noise": (0.0, 1.0, False),
    "jpeg": (1.0, 100.0, True),
}
_VERBS = {"blur": "Deblur", "downsample": "Upsample", "noise": "Denoise", "jpeg": "Dejpeg"}
_DECIMALS = {"blur": "{:.1f}", "downsample": "{:.1f}", "noise": "{:.2f}", "jpeg": "{:.0f}"}


@dataclass(frozen=True)
class RestorationOp:
    """One operation of a restoration prompt. `value` is None for a type-only operation (and for `all`)."""

    kind: OpKind
    value: float | int | None = None

    def __post_init__(self) -> None:
        if self.kind not in (*PIPELINE_ORDER, "all"):
            raise PromptError(f"unknown operation kind `{self.kind}`; valid: {', '.join(PIPELINE_ORDER)}, all")
        if self.kind == "all" and self.value is not None:
            raise PromptError("the blind instruction `Remove all degradation` takes no value")
        if self.value is not None:
            _check_value(self.kind, float(self.value), fragment=f"{self.kind}={self.value!r}")
            if self.kind == "jpeg" and float(self.value) != int(self.value):
                raise PromptError(f"JPEG quality must be an integer, got {self.value!r}")
            # The canonical text has fixed decimals; a value that rounds out of range there would not parse back.
            shown = float(_DECIMALS[self.kind].format(float(self.value)))
            _check_value(self.kind, shown, fragment=f"{self.kind}={self.value!r} (written as {shown:g})")

    @property
    def type_only(self) -> RestorationOp:
        return RestorationOp(self.kind, None)

    def phrase(self) -> str:
        """This operation's canonical phrase."""
        if self.kind == "all":
            return BLIND_PROMPT
        verb = _VERBS[self.kind]
        if self.value is None:
            return verb
        if self.kind == "blur":
            return f"{verb} with sigma {float(self.value):.1f}"
        if self.kind == "downsample":
            return f"{verb} to {float(self.value):.1f}x"
        if self.kind == "noise":
            return f"{verb} with sigma {float(self.value):.2f}"
        return f"{verb} with quality {int(self.value)}"


def _check_value(kind: str, value: float, fragment: str) -> None:
    if not math.isfinite(value):
        raise PromptError(f"non-finite number in `{fragment}`")
    low, high, low_inclusive = VALID_RANGES[kind]
    ok = (value >= low if low_inclusive else value > low) and value <= high
    if not ok:
        bracket = "[" if low_inclusive else "("
        raise PromptError(f"value {value:g} out of range {bracket}{low:g}, {high:g}] in `{fragment}`")


def _sorted_ops(ops: tuple[RestorationOp, ...] | list[RestorationOp]) -> tuple[RestorationOp, ...]:
    kinds = [op.kind for op in ops]
    if "all" in kinds and len(kinds) > 1:
        raise PromptError("`Remove all degradation` cannot be combined with other operations")
    duplicates = sorted({kind for kind in kinds if kinds.count(kind) > 1})
    if duplicates:
        raise PromptError(f"duplicate operation(s): {', '.join(duplicates)}")
    if kinds == ["all"]:
        return tuple(ops)
    return tuple(sorted(ops, key=lambda op: PIPELINE_ORDER.index(op.kind)))


def format_restoration_prompt(ops: tuple[RestorationOp, ...] | list[RestorationOp], *, type_only: bool = False) -> str:
    """Canonical prompt text for `ops` (any order in, pipeline order out).

    >>> format_restoration_prompt([RestorationOp("noise", 0.06), RestorationOp("blur", 3.0)])
    'Deblur with sigma 3.0; Denoise with sigma 0.06'
    >>> format_restoration_prompt([RestorationOp("jpeg", 40)], type_only=True)
    'Dejpeg'
    """
    items = None if isinstance(ops, (str, bytes)) else list(ops)
    if items is None or not all(isinstance(op, RestorationOp) for op in items):
        raise PromptError("format_restoration_prompt takes RestorationOp items (text goes through "
                          "parse_restoration_prompt first)")
    ordered = _sorted_ops(items)
    return "; ".join((op.type_only if type_only else op).phrase() for op in ordered)


_NUMBER = r"(?P<num>[^\s;]+)"
_PATTERNS: dict[str, re.Pattern[str]] = {
    "blur": re.compile(rf"^deblur(?:\s+with\s+sigma\s+{_NUMBER})?$"),
    "downsample": re.compile(r"^upsample(?:\s+to\s+(?P<num>[^\s;]+?)\s*x)?$"),
    "noise": re.compile(rf"^denoise(?:\s+with\s+sigma\s+{_NUMBER})?$"),
    "jpeg": re.compile(rf"^dejpeg(?:\s+with\s+quality\s+{_NUMBER})?$"),
    "all": re.compile(r"^remove\s+all\s+degradations?$"),
}
_STRICT_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$")


def _parse_fragment(fragment: str) -> RestorationOp:
    normal = re.sub(r"\s+", " ", fragment.strip()).lower()
    for kind, pattern in _PATTERNS.items():
        match = pattern.match(normal)
        if not match:
            continue
        text = match.groupdict().get("num")
        if text is None:
            return RestorationOp(kind)  # type: ignore[arg-type]
        if text.lower().lstrip("+-") in ("nan", "inf", "infinity"):
            raise PromptError(f"non-finite number in `{fragment.strip()}`")
        if not _STRICT_NUMBER.match(text):
            raise PromptError(f"malformed number `{text}` in `{fragment.strip()}`")
        value = float(text)
        _check_value(kind, value, fragment.strip())
        if kind == "jpeg":
            if value != int(value):
                raise PromptError(f"JPEG quality must be an integer in `{fragment.strip()}`")
            return RestorationOp("jpeg", int(value))
        return RestorationOp(kind, value)  # type: ignore[arg-type]
    verb = normal.split(" ", 1)[0] if normal else ""
    known = ("deblur", "upsample", "denoise", "dejpeg", "remove")
    reason = "malformed operation" if verb in known else "unknown operation"
    raise PromptError(f"{reason} `{fragment.strip()}`; expected e.g. `Deblur with sigma 3.0`, `Upsample to 2.5x`, "
                      "`Denoise with sigma 0.06`, `Dejpeg with quality 40` or `Remove all degradation`")


def parse_restoration_prompt(text: str) -> tuple[RestorationOp, ...]:
    """Parse a restoration prompt into operations in pipeline order (the blind instruction is `(RestorationOp("all"),)`).

    Accepts any order, a trailing ";", any case and extra whitespace, type-only operations, and "".

    Raises:
        PromptError: unknown verbs, duplicates, missing or malformed numbers, NaN/inf, out-of-range values, empty
            fragments between separators, or the blind instruction combined with other operations.

    >>> parse_restoration_prompt("Upsample to 6.0x; Deblur with sigma 2.9;")
    (RestorationOp(kind='blur', value=2.9), RestorationOp(kind='downsample', value=6.0))
    """
    if not isinstance(text, str):
        raise PromptError(f"restoration prompt must be a string, got {type(text).__name__}")
    body = text.strip()
    if body.endswith(";"):
        body = body[:-1]
    if not body.strip():
        if text.strip() and text.strip() != ";":
            raise PromptError(f"empty operation in `{text}`")
        if text.strip() == ";":
            raise PromptError("empty operation in `;`")
        return ()
    fragments = body.split(";")
    for position, fragment in enumerate(fragments):
        if not fragment.strip():
            raise PromptError(f"empty operation at position {position + 1} in `{text}`")
    return _sorted_ops([_parse_fragment(fragment) for fragment in fragments])


def to_type_only(text: str) -> str:
    """The type-only variant of a prompt (`Deblur with sigma 3.0; Denoise with sigma 0.06` → `Deblur; Denoise`)."""
    return format_restoration_prompt(parse_restoration_prompt(text), type_only=True)


def canonical_restoration_prompt(text: str) -> str:
    """The canonical text of a restoration prompt (parse, then format): the spelling training fed the model.

    Raises:
        PromptError: the text does not parse (see `parse_restoration_prompt`).

    >>> canonical_restoration_prompt("denoise with sigma 0.1; deblur with sigma 3;")
    'Deblur with sigma 3.0; Denoise with sigma 0.10'
    """
    return format_restoration_prompt(parse_restoration_prompt(text))
