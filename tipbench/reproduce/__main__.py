"""`python -m tipbench.reproduce`."""

from tipbench.reproduce.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
