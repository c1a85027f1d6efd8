"""`python -m tipbench.leaderboard`: the paper's tables from run folders.

The tables live in the top-level `leaderboard` package, which builds on `tipbench`; this command only hands over
to it when run, so `tipbench` never imports upward at module level.
"""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """`leaderboard.cli.main` (see `python -m tipbench.leaderboard --help`)."""
    from leaderboard.cli import main as leaderboard_main

    return leaderboard_main(argv)


if __name__ == "__main__":
    raise SystemExit(main())
