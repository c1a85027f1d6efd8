"""`build_leaderboard`: collect the runs once, fill each requested table and write it in each requested format."""

from __future__ import annotations

import logging
from pathlib import Path

from leaderboard.config import LeaderboardConfig
from tipbench.errors import ConfigError

logger = logging.getLogger(__name__)

#: Output format → file name.
FORMATS: dict[str, str] = {"md": "leaderboard.md", "tex": "leaderboard.tex", "csv": "leaderboard.csv",
                           "html": "leaderboard.html"}


def _check(config: LeaderboardConfig) -> tuple[str, ...]:
    from leaderboard.tables import DEFAULT_TABLES, TABLES

    bad_formats = [f for f in config.formats if f not in FORMATS]
    if bad_formats or not config.formats:
        raise ConfigError(f"unknown format(s) {bad_formats}; valid: {', '.join(FORMATS)}")
    tables = config.tables or DEFAULT_TABLES
    unknown = [t for t in tables if t not in TABLES]
    if unknown:
        raise ConfigError(f"unknown table(s) `{', '.join(unknown)}`; available: {', '.join(TABLES.names())}")
    return tables


def fill_tables(runs_dir: str | Path, tables: tuple[str, ...]) -> list:
    """Collect the runs once and fill each table in `tables` (keys of `leaderboard.tables.TABLES`)."""
    from leaderboard.collect import collect_runs, collect_walks
    from leaderboard.fill import fill_table
    from leaderboard.tables import TABLES

    runs = collect_runs(runs_dir)
    walks = collect_walks(runs_dir) if any(c.source == "walk" for k in tables for c in TABLES.get(k).columns) else {}
    logger.info("found %d run folder(s) and %d prompt walk(s) under %s", len(runs), len(walks), runs_dir)
    _warn_unranked(runs)
    return [fill_table(TABLES.get(key), runs, walks) for key in tables]


def _warn_unranked(runs: dict) -> None:
    """Say which runs no table can show (e.g. `tipbench.score --outputs ... --method my-method`): rows are fixed."""
    from leaderboard.tables import TABLES

    ranked = {m.method for name in TABLES.names() for row in TABLES.get(name).rows for m in row.matches}
    unranked = sorted(str(record.path) for record in runs.values() if record.method not in ranked)
    if unranked:
        logger.warning("%d run folder(s) of method(s) with no row in any table, not shown (their summary.json holds "
                       "the scores; docs/leaderboard.md): %s", len(unranked), ", ".join(unranked))


def render(filled: list, fmt: str, links: dict | None = None) -> str:
    """The text of all `filled` tables in one format (`md`, `tex`, `csv`, `html`); `links` (html only): run identity
    → its page in a results browser."""
    if fmt == "md":
        from leaderboard.render_markdown import render_markdown as renderer
    elif fmt == "tex":
        from leaderboard.render_latex import render_latex as renderer
    elif fmt == "csv":
        from leaderboard.render_csv import render_csv as renderer
    elif fmt == "html":
        from leaderboard.render_html import render_html

        return render_html(filled, links)
    else:
        raise ConfigError(f"unknown format `{fmt}`; valid: {', '.join(FORMATS)}")
    return renderer(filled)


def build_leaderboard(config: LeaderboardConfig) -> dict[str, Path]:
    """Render the configured tables in every configured format under `config.out`; returns format -> file."""
    from tipbench.browse.site import site_links
    from tipbench.io import atomic_write_bytes

    tables = _check(config)
    filled = fill_tables(config.runs_dir, tables)
    out = Path(config.out)
    written = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        links = site_links(out) if "html" in config.formats else {}  # a results browser in the same folder
        for fmt in config.formats:
            path = out / FORMATS[fmt]
            atomic_write_bytes(path, render(filled, fmt, links).encode("utf-8"))
            written[fmt] = path
    except OSError as exc:
        raise ConfigError(f"cannot write to output folder `{out}`: {exc.strerror or exc}") from exc
    return written
