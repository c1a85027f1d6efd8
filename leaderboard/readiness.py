"""Why a table row has no run: asked of the method registry (`tipbench.methods.METHODS`), never guessed silently."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from leaderboard.spec import RunMatch
from tipbench.errors import TipbenchError

logger = logging.getLogger(__name__)

# Names the method registry module may use for its "is this method ready?" question, in order of preference. The
# run helper owns that module; probing a few names keeps the leaderboard working whichever one it settles on.
_READINESS_FUNCTIONS = ("why_not_ready", "not_ready_reason", "method_status", "readiness", "check_ready")


def _readiness_function(methods_module: Any) -> Callable[..., Any] | None:
    for name in _READINESS_FUNCTIONS:
        function = getattr(methods_module, name, None)
        if callable(function):
            return function
    return None


def _first_line(text: str) -> str:
    lines = [line.strip().lstrip("- ") for line in str(text).splitlines() if line.strip()]
    joined = ""
    for line in lines[:4]:
        joined += line if not joined else (" " if joined.endswith(":") else "; ") + line
    return joined


def registry_reason(method: str, variant: str | None) -> str | None:
    """The registry's reason `method[@variant]` cannot run here, or None when it says it is ready / cannot say."""
    try:
        import tipbench.methods as methods_module
    except ImportError:
        return None
    registry = getattr(methods_module, "METHODS", None)
    if registry is not None and method not in registry:
        return f"method `{method}` is not registered"
    function = _readiness_function(methods_module)
    if function is None:
        return None
    try:
        try:
            result = function(method, variant=variant)
        except TypeError:
            result = function(method)
    except TipbenchError as exc:
        return _first_line(str(exc))
    except Exception as exc:  # a broken adapter must not break the whole table; the reason says what happened
        logger.debug("readiness check of %s failed", method, exc_info=True)
        return f"readiness check failed: {type(exc).__name__}: {_first_line(str(exc))}"
    if result is None or result is True:
        return None
    if isinstance(result, str):
        return _first_line(result) or None
    if isinstance(result, dict):
        return _first_line(result.get("reason") or "") or None
    reason = getattr(result, "reason", None)
    return _first_line(reason) if reason else None


def not_run_reason(match: RunMatch, splits: list[str], cache: dict[tuple[str, str | None], str | None]) -> str:
    """One sentence for `not run` cells: the registry's reason when it has one, else the missing folders."""
    key = (match.method, match.variant)
    if key not in cache:
        cache[key] = registry_reason(match.method, match.variant)
    leaf = f"{match.method}/{match.prompts[0]}" + (f"@{match.variant}" if match.variant else "")
    folders = "no run folder " + ", ".join(f"{split}/{leaf}" for split in splits)
    reason = cache[key]
    return f"{reason} ({folders})" if reason else folders
