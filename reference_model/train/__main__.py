"""`python -m reference_model.train` (also `accelerate launch -m reference_model.train`)."""

from reference_model.train.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
