"""`python -m tipbench.score`."""

from tipbench.score.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
