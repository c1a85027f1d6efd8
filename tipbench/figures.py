"""`python -m tipbench.figures walk|semantic|compare`: figure grids (implementation in `leaderboard/`)."""

from __future__ import annotations

from leaderboard.figures_cli import build_parser, main, make_figure

__all__ = ["build_parser", "main", "make_figure"]

if __name__ == "__main__":
    raise SystemExit(main())
