"""`python -m tipbench.leaderboard`: fill the paper's tables from run folders and write md / tex / csv / html."""

from __future__ import annotations

import argparse
from pathlib import Path

from leaderboard.config import LeaderboardConfig
from leaderboard.make import FORMATS
from tipbench.cli import add_output_options, run_command
from tipbench.errors import ConfigError


def _csv_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip().lower() for part in text.split(",") if part.strip())


def build_parser() -> argparse.ArgumentParser:
    from leaderboard.tables import DEFAULT_TABLES, TABLES

    keys = ",".join(TABLES.names())
    parser = argparse.ArgumentParser(
        prog="python -m tipbench.leaderboard",
        description="Fill the paper's tables from scored run folders and render them beside the paper's numbers.",
        epilog="example: python -m tipbench.leaderboard --tables 1,4 --format md,csv --out results/\n"
               "cells, marks and notes: docs/leaderboard.md",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    group = parser.add_argument_group("input / output")
    group.add_argument("--runs-dir", metavar="D", help="run folders (default: $TIPBENCH_HOME/runs)")
    group.add_argument("--out", metavar="DIR", help="where to write (default: $TIPBENCH_HOME/leaderboard)")
    group = parser.add_argument_group("what to render")
    group.add_argument("--tables", metavar=keys, type=_csv_list, default=(),
                       help=f"comma-separated table keys (default: {','.join(DEFAULT_TABLES)}; "
                            "`a` = instruction adherence)")
    group.add_argument("--format", metavar=",".join(FORMATS), type=_csv_list, default=tuple(FORMATS),
                       help="comma-separated output formats (default: all four)")
    add_output_options(parser, progress=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)

    def work() -> int:
        from leaderboard.make import build_leaderboard
        from tipbench import paths

        if args.runs_dir and not Path(args.runs_dir).is_dir():
            raise ConfigError(f"runs dir `{args.runs_dir}` does not exist (omit --runs-dir for $TIPBENCH_HOME/runs)")
        config = LeaderboardConfig(
            runs_dir=str(paths.runs_dir(args.runs_dir)),
            out=str(Path(args.out) if args.out else paths.home_dir() / "leaderboard"),
            tables=args.tables,
            formats=args.format,
        )
        for path in build_leaderboard(config).values():
            print(f"wrote {path}")
        return 0

    return run_command(args, work)
