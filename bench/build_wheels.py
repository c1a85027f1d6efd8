"""Collect the wheels a bare GPU machine needs for bench/gpu_check.sh into ./wheels (run where PyPI is reachable).

The GPU machine has torch but may lack diffusers, transformers, accelerate, open_clip and their dependencies, and it
cannot reach a registry. This resolves the dependency closure of the named packages *from this environment's
installed metadata* (so versions match what the tests ran with), drops torch and its CUDA stack (the GPU machine's
own torch stays), and downloads exactly those `name==version` wheels with `pip download --no-deps`.

    python bench/build_wheels.py [--python-version 3.11] [--science] [--dest wheels]

`--science` adds numpy/scipy/pillow/opencv-headless/pyyaml (needed by the degradation section; ~100 MB, over the
64 MiB a device call carries, so include them only when the GPU machine lacks them).
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from importlib import metadata

CORE = ("diffusers", "transformers", "accelerate", "open_clip_torch", "safetensors", "tqdm", "pyyaml")
SCIENCE = ("numpy", "scipy", "pillow", "opencv-python-headless", "pyyaml")
EXCLUDE = re.compile(r"^(torch|torchvision|torchaudio|triton|nvidia-.*|cuda-.*|setuptools|pip|wheel)$")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def closure(roots: tuple[str, ...]) -> dict[str, str]:
    """name -> installed version for `roots` and everything they require (markers evaluated here), minus EXCLUDE."""
    from packaging.requirements import Requirement

    found: dict[str, str] = {}
    pending = list(roots)
    while pending:
        name = _normal(pending.pop())
        if name in found or EXCLUDE.match(name):
            continue
        try:
            distribution = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            print(f"warning: {name} is not installed here; skipped", file=sys.stderr)
            continue
        found[name] = distribution.version
        for text in distribution.requires or []:
            requirement = Requirement(text)
            if requirement.marker is None or requirement.marker.evaluate({"extra": ""}):
                pending.append(requirement.name)
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python-version", default=f"{sys.version_info.major}.{sys.version_info.minor}")
    parser.add_argument("--platform", default="manylinux2014_x86_64")
    parser.add_argument("--science", action="store_true", help="also numpy, scipy, pillow, opencv-headless")
    parser.add_argument("--dest", default="wheels")
    args = parser.parse_args(argv)
    pins = closure(CORE + (SCIENCE if args.science else ()))
    if not args.science:
        for name in ("numpy", "scipy", "pillow", "opencv-python-headless"):
            pins.pop(name, None)
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", args.dest,
               "--python-version", args.python_version, "--platform", args.platform,
               *[f"{name}=={version}" for name, version in sorted(pins.items())]]
    print(" ".join(command))
    return subprocess.call(command)


if __name__ == "__main__":
    sys.exit(main())
