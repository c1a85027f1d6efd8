"""Test-set builds (`python -m tipbench.build`): split folders of contracts §1 from COCO, DIV2K, StableSR, a folder
or the bundled sample."""

from __future__ import annotations

from typing import Any

from tipbench.build.cli import build_parser, main
from tipbench.build.config import BuildConfig

__all__ = ["BuildConfig", "build_parser", "build_split", "main"]


def __getattr__(name: str) -> Any:
    # build_split pulls in the sources and pipelines; keep `--help` and `import tipbench.build` light.
    if name == "build_split":
        from tipbench.build.runner import build_split

        return build_split
    raise AttributeError(f"module 'tipbench.build' has no attribute {name!r}")
