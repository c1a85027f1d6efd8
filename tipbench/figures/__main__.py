"""`python -m tipbench.figures`."""

from tipbench.figures.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
