"""`python -m tipbench.leaderboard`: fill the paper's tables from run folders and write md / tex / csv / html."""

from __future__ import annotations

import argparse
import logging
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tipbench.config import reject_unknown_keys
from tipbench.errors import ConfigError, TipbenchError, report_cli_error

logger = logging.getLogger(__name__)

FORMATS: dict[str, str] = {"md": "leaderboard.md", "tex": "leaderboard.tex", "csv": "leaderboard.csv",
                           "html": "leaderboard.html"}


@dataclass(frozen=True)
class LeaderboardConfig:
    runs_dir: str
    out: str
    tables: tuple[str, ...] = ()  # empty = the default set
    formats: tuple[str, ...] = ("md", "tex", "csv", "html")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LeaderboardConfig:
        reject_unknown_keys(cls, data, "LeaderboardConfig")
        values = dict(data)
        for key in ("tables", "formats"):
            if key in values:
                values[key] = tuple(values[key])
        return cls(**values)


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


def render(filled: list, fmt: str) -> str:
    """The text of all `filled` tables in one format (`md`, `tex`, `csv`, `html`)."""
    if fmt == "md":
        from leaderboard.render_markdown import render_markdown as renderer
    elif fmt == "tex":
        from leaderboard.render_latex import render_latex as renderer
    elif fmt == "csv":
        from leaderboard.render_csv import render_csv as renderer
    elif fmt == "html":
        from leaderboard.render_html import render_html as renderer
    else:
        raise ConfigError(f"unknown format `{fmt}`; valid: {', '.join(FORMATS)}")
    return renderer(filled)


def build_leaderboard(config: LeaderboardConfig) -> dict[str, Path]:
    """Render the configured tables in every configured format under `config.out`; returns format -> file."""
    from tipbench.io import atomic_write_bytes

    tables = _check(config)
    filled = fill_tables(config.runs_dir, tables)
    out = Path(config.out)
    written = {}
    try:
        out.mkdir(parents=True, exist_ok=True)
        for fmt in config.formats:
            path = out / FORMATS[fmt]
            atomic_write_bytes(path, render(filled, fmt).encode("utf-8"))
            written[fmt] = path
    except OSError as exc:
        raise ConfigError(f"cannot write to output folder `{out}`: {exc.strerror or exc}") from exc
    return written


def _csv_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in text.split(",") if part.strip())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tipbench.leaderboard",
        description="Fill the paper's tables from scored run folders and render them beside the paper's numbers.",
        epilog="example: python -m tipbench.leaderboard --tables 1,4 --format md,csv --out results/",
    )
    group = parser.add_argument_group("input / output")
    group.add_argument("--runs-dir", metavar="D", help="run folders (default: $TIPBENCH_HOME/runs)")
    group.add_argument("--out", metavar="DIR", help="where to write (default: $TIPBENCH_HOME/leaderboard)")
    group = parser.add_argument_group("what to render")
    group.add_argument("--tables", metavar="1,3,4,5", type=_csv_list, default=(),
                       help="comma-separated table keys (default: 1,3,4,5,6; `a` = instruction adherence)")
    group.add_argument("--format", metavar="md,tex,csv,html", type=_csv_list, default=tuple(FORMATS),
                       help="comma-separated output formats (default: all four)")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log output (-vv for debug)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * min(args.verbose, 2), format="%(levelname)s: %(message)s")
    from tipbench import paths

    if args.runs_dir and not Path(args.runs_dir).is_dir():
        print(f"error: runs dir `{args.runs_dir}` does not exist (omit --runs-dir for $TIPBENCH_HOME/runs)",
              file=sys.stderr)
        return 1
    config = LeaderboardConfig(
        runs_dir=str(paths.runs_dir(args.runs_dir)),
        out=str(Path(args.out) if args.out else paths.home_dir() / "leaderboard"),
        tables=args.tables,
        formats=args.format,
    )
    try:
        written = build_leaderboard(config)
    except (TipbenchError, OSError) as exc:  # user-fixable: one line, exit 1
        return report_cli_error(exc)
    for path in written.values():
        print(f"wrote {path}")
    return 0
