"""Library versions recorded beside every file a stage writes (split.json, run.json, summary.json, shards)."""

from __future__ import annotations

from collections.abc import Iterable
from importlib import metadata


def installed_versions(distributions: Iterable[str], *, skip_missing: bool = False) -> dict[str, str | None]:
    """{distribution: installed version}; a missing one maps to None (or is left out with `skip_missing`).

    >>> installed_versions(["numpy"])["numpy"] is not None
    True
    """
    found: dict[str, str | None] = {}
    for name in distributions:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            if not skip_missing:
                found[name] = None
    return found


def image_stack_versions() -> dict[str, str]:
    """What moves image bytes: the package, Python, numpy and OpenCV (degradations), Pillow and its zlib (PNG)."""
    import platform

    import cv2
    import numpy
    import PIL
    from PIL import features

    import tipbench

    return {"tipbench": tipbench.__version__, "python": platform.python_version(), "numpy": numpy.__version__,
            "opencv": cv2.__version__, "pillow": PIL.__version__, "zlib": features.version("zlib") or "unknown"}
