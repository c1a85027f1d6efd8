"""Training the TIP adapter: `python -m reference_model.train CONFIG` (also under `accelerate launch`)."""

from __future__ import annotations

from reference_model.train.cli import build_parser, main

__all__ = ["build_parser", "main"]
