"""Configs of `python -m tipbench.figures`: where the input comes from (`FigureInput`) and the figure
(`FigureConfig`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tipbench.contracts.prompt_policy import DEFAULT_POLICY
from tipbench.errors import ConfigError


@dataclass(frozen=True)
class FigureInput:
    """Where the degraded input comes from: exactly one of `lq`, `image` (degraded here) or `split` + `id`."""

    lq: str | None = None
    image: str | None = None
    blur: float = 2.0
    noise: float = 0.10
    size: int = 256
    split: str | None = None
    id: str | None = None
    splits_dir: str | None = None
    seed: int = 0

    def load(self) -> tuple[np.ndarray, str, str]:
        """(LQ, its semantic prompt, its restoration prompt) — prompts are "" unless the input is a split item."""
        from tipbench import paths
        from tipbench.figures.inputs import degrade_blur_noise, read_split_items
        from tipbench.io import decode_png

        given = [name for name in ("lq", "image", "split") if getattr(self, name)]
        if len(given) != 1:
            raise ConfigError(f"give exactly one input: `--lq`, `--image` or `--split` with `--id` (got {given})")
        if self.lq:
            return decode_png(_readable(self.lq, "--lq")), "", ""
        if self.image:
            clean = _load_clean_or_error(self.image, self.size)
            return degrade_blur_noise(clean, self.blur, self.noise, self.seed), "", ""
        if not self.id:
            raise ConfigError("`--split` needs `--id`")
        item = read_split_items(paths.splits_dir(self.splits_dir) / self.split, [self.id])[0]
        return item.lq, item.row.semantic_prompt, item.row.restoration_prompt


def _readable(path: str, flag: str) -> str:
    """`path` if it is an image file PIL can identify, else a one-line ConfigError naming `flag`."""
    from tipbench.errors import ImageFileError
    from tipbench.image_files import image_header

    if not Path(path).is_file():
        raise ConfigError(f"{flag} `{path}` is not a file")
    try:
        image_header(path)
    except (OSError, ImageFileError) as exc:
        raise ConfigError(f"{flag} `{path}` is not a readable image ({exc})") from exc
    return path


def _load_clean_or_error(path: str, size: int) -> np.ndarray:
    from tipbench.canonical import SkipImage
    from tipbench.figures.inputs import load_clean

    _readable(path, "--image")
    try:
        return load_clean(path, size)
    except SkipImage as exc:
        raise ConfigError(f"--image `{path}`: {exc}") from exc


@dataclass(frozen=True)
class FigureConfig:
    """One figure: its kind, the method(s), the input and the kind's own options."""

    kind: str  # walk | semantic | compare
    method: tuple[str, ...]
    out: str
    input: FigureInput
    deblur_sigmas: tuple[float, ...] = ()
    denoise_sigmas: tuple[float, ...] = ()
    semantic_prompts: tuple[str, ...] = ()
    restoration_prompt: str | None = None
    ids: tuple[str, ...] = ()
    prompts: str = DEFAULT_POLICY
    runs_dir: str | None = None
    checkpoint: str | None = None
    device: str = "cpu"
    progress: bool = True
