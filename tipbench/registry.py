"""One generic registry, instantiated once per concept (methods, metrics, degradations, splits, tables, recipes).

Entries may be lazy `"module:object"` strings so listing a registry imports nothing heavy; data entries (a
`MethodSpec`, a `MetricSpec`) name their implementation the same way and import it only when asked.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")
#: Keys that double as folder names (methods, splits, recipes): lowercase, digits, hyphens.
FOLDER_KEY = r"[a-z0-9][a-z0-9-]*"
#: Keys that double as column and JSON names (metrics: `clip_i`, `target_psnr`).
COLUMN_KEY = r"[a-z][a-z0-9_]*"


def load_object(path: str) -> Any:
    """The object a lazy `"module:attr"` path names, imported now."""
    module_name, attr = path.split(":", 1)
    return getattr(importlib.import_module(module_name), attr)


class Registry(Generic[T]):
    """Name → object (or lazy import path). Duplicate names and unknown names are errors."""

    def __init__(self, kind: str, key_pattern: str = FOLDER_KEY) -> None:
        self.kind = kind
        self._key_pattern = key_pattern
        self._key = re.compile(f"^{key_pattern}$")
        self._entries: dict[str, Any] = {}
        self._frozen = False

    def register(self, name: str, obj: Any | None = None) -> Callable[[T], T] | None:
        """Register `obj` under `name`; without `obj`, returns a decorator. `obj` may be 'module:attr'."""
        if not self._key.match(name):
            raise ValueError(f"{self.kind} key `{name}` must match {self._key_pattern}")
        if obj is None:

            def decorator(target: T) -> T:
                self._add(name, target)
                return target

            return decorator
        self._add(name, obj)
        return None

    def _add(self, name: str, obj: Any) -> None:
        if self._frozen:
            raise RuntimeError(f"the {self.kind} registry is frozen")
        existing = self._entries.get(name)
        if existing is not None and existing is not obj and existing != obj:
            raise ValueError(f"{self.kind} `{name}` is already registered as {existing!r}; cannot also be {obj!r}")
        self._entries[name] = obj

    def get(self, name: str) -> T:
        """The object for `name`, importing a lazy entry on first use."""
        if name not in self._entries:
            raise KeyError(f"unknown {self.kind} `{name}`; available: {', '.join(self.names()) or '(none)'}")
        entry = self._entries[name]
        if isinstance(entry, str) and ":" in entry:
            entry = load_object(entry)
            self._entries[name] = entry
        return entry

    def names(self) -> list[str]:
        return sorted(self._entries)

    def raw(self, name: str) -> Any:
        """The entry as registered (a lazy path stays a string)."""
        return self._entries[name]

    def freeze(self) -> None:
        self._frozen = True

    def __contains__(self, name: object) -> bool:
        return name in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._entries)


def lazy_attributes(package: str, exports: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` that imports `exports[name]` (a module path) on first access to `name`.

    Packages use it so that `import tipbench.<stage>` and `--help` stay light until the work is asked for.
    """

    def __getattr__(name: str) -> Any:
        if name in exports:
            return getattr(importlib.import_module(exports[name]), name)
        raise AttributeError(f"module '{package}' has no attribute {name!r}")

    return __getattr__
