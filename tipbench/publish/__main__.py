"""`python -m tipbench.publish`."""

from tipbench.publish.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
