"""The one check every `from_dict` makes: a mapping whose keys are all fields of the target dataclass."""

from __future__ import annotations

from dataclasses import fields
from typing import Any

from tipbench.errors import ConfigError


def reject_unknown_keys(cls: type, data: Any, where: str) -> None:
    """Raise `ConfigError` unless `data` is a mapping whose keys are all fields of dataclass `cls`.

    >>> from dataclasses import dataclass
    >>> @dataclass
    ... class Example:
    ...     a: int = 0
    >>> reject_unknown_keys(Example, {"a": 1}, "Example")
    >>> reject_unknown_keys(Example, {"b": 1}, "Example")
    Traceback (most recent call last):
    ...
    tipbench.errors.ConfigError: unknown Example key(s): b; valid: a
    """
    if not isinstance(data, dict):
        raise ConfigError(f"`{where}` must be a mapping, got {type(data).__name__}")
    names = [f.name for f in fields(cls)]
    unknown = sorted(set(data) - set(names))
    if unknown:
        raise ConfigError(f"unknown {where} key(s): {', '.join(unknown)}; valid: {', '.join(names)}")
