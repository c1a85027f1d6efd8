"""Why a table row has no run: asked of the method registry (`tipbench.methods.readiness`), never guessed."""

from __future__ import annotations

from leaderboard.spec import RunMatch
from tipbench.contracts.run_folder import RunKey
from tipbench.errors import ConfigError


def registry_reason(method: str, variant: str | None) -> str | None:
    """The registry's reason `method[@variant]` cannot run here, on one line with every missing file, where it
    goes and where it comes from; None when it is ready."""
    from tipbench.methods import METHODS, readiness

    if method not in METHODS:
        return f"method `{method}` is not registered"
    try:
        problems = readiness(method, variant)
    except ConfigError as exc:  # e.g. a table naming a variant the registry does not have
        return str(exc)
    return "; ".join(problem.detail for problem in problems) or None


def not_run_reason(match: RunMatch, splits: list[str], cache: dict[tuple[str, str | None], str | None]) -> str:
    """One sentence for `not run` cells: the registry's reason when it has one, else the missing folders."""
    key = (match.method, match.variant)
    if key not in cache:
        cache[key] = registry_reason(match.method, match.variant)
    folders = "no run folder " + ", ".join(
        RunKey(split, match.method, match.prompts[0], match.variant).path("").as_posix()
        for split in splits)
    reason = cache[key]
    return f"{reason} ({folders})" if reason else folders
