"""Stage configs are frozen dataclasses that round-trip through JSON: one mixin gives them `to_dict` / `from_dict`.

`split.json`, `run.json` and `summary.json` embed a stage's config verbatim (`to_dict`), and a config read back
(`from_dict`) must refuse keys it does not know, so a typo in a recipe or a stale file is an error, not a silently
ignored option.
"""

from __future__ import annotations

from dataclasses import asdict, fields, is_dataclass
from typing import Any, TypeVar

from tipbench.errors import ConfigError

C = TypeVar("C", bound="FrozenConfig")


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


def as_json(value: Any) -> Any:
    """`value` with every tuple made a list, recursively: the shape it has after a JSON round trip.

    >>> as_json({"a": (1, (2, 3))})
    {'a': [1, [2, 3]]}
    """
    if isinstance(value, (list, tuple)):
        return [as_json(item) for item in value]
    if isinstance(value, dict):
        return {key: as_json(item) for key, item in value.items()}
    return value


def _as_frozen(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return tuple(_as_frozen(item) for item in value)
    return value


class FrozenConfig:
    """Mixin for `@dataclass(frozen=True)` configs: JSON-shaped `to_dict`, strict `from_dict`.

    Sequences are tuples inside the config (hashable, immutable) and lists in its dict form.

    >>> from dataclasses import dataclass
    >>> @dataclass(frozen=True)
    ... class Example(FrozenConfig):
    ...     names: tuple[str, ...] = ()
    >>> Example.from_dict(Example(("a", "b")).to_dict())
    Example(names=('a', 'b'))
    """

    def to_dict(self) -> dict[str, Any]:
        if not is_dataclass(self):
            raise TypeError(f"{type(self).__name__} must be a dataclass")
        return as_json(asdict(self))

    @classmethod
    def from_dict(cls: type[C], data: dict[str, Any]) -> C:
        reject_unknown_keys(cls, data, cls.__name__)
        return cls(**{key: _as_frozen(value) for key, value in data.items()})
