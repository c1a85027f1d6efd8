"""`python -m tipbench.adherence`."""

from tipbench.adherence.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
