"""`python -m tipbench.browse`."""

from tipbench.browse.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
