"""`python -m tipbench.leaderboard`: the paper's tables from run folders (implementation in `leaderboard/`)."""

from __future__ import annotations

from leaderboard.cli import build_leaderboard, build_parser, main

__all__ = ["build_leaderboard", "build_parser", "main"]

if __name__ == "__main__":
    raise SystemExit(main())
