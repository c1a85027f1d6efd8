"""Versions of every library that can move a metric value (recorded in summary.json and the GT cache key)."""

from __future__ import annotations

from tipbench.versions import installed_versions

_PACKAGES = ("tipbench", "torch", "torchvision", "numpy", "scipy", "pillow", "clean-fid", "lpips", "open-clip-torch")


def library_versions() -> dict[str, str | None]:
    """{distribution name: version or None when not installed}."""
    return installed_versions(_PACKAGES)
