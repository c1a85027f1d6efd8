"""`python -m tipbench.run`."""

from tipbench.run.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
