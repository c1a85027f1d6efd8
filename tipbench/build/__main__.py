"""`python -m tipbench.build`."""

from tipbench.build.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
