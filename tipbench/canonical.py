"""Ground-truth canonicalisation (protocol §1): decode, EXIF-orient, RGB, short side → 512 BICUBIC, centre crop.

Every failure that belongs to the input image (unreadable, truncated, too small, too large) raises `SkipImage`,
which the builder records in `skipped.jsonl` before taking the next item of the seeded order.
"""

from __future__ import annotations

import os

import numpy as np
from PIL import Image, ImageOps

from tipbench.errors import ImageFileError
from tipbench.image_files import MAX_PIXELS, open_image

GT_SIZE = 512
MIN_SHORT_SIDE = 256
__all__ = ["GT_SIZE", "MAX_PIXELS", "MIN_SHORT_SIDE", "SkipImage", "canonicalize", "load_canonical", "open_checked",
           "to_rgb"]


class SkipImage(Exception):
    """An input image the protocol skips; `str()` is the reason recorded in skipped.jsonl."""


def open_checked(source: str | os.PathLike | bytes) -> Image.Image:
    """Open an image and check its header (size, bomb guard) without decoding the pixels
    (`tipbench.image_files.open_image`, the one guarded opener, with its failures as skips).

    Raises:
        SkipImage: not an image, or more than `MAX_PIXELS` pixels.
    """
    try:
        return open_image(source)
    except ImageFileError as exc:
        raise SkipImage(str(exc)) from exc


def to_rgb(image: Image.Image) -> Image.Image:
    """EXIF orientation, then 8-bit RGB.

    Pillow's `convert("RGB")` handles grayscale, palette, CMYK, RGBA (alpha dropped) and 16-bit RGB (high byte).
    It *clips* 16/32-bit grayscale (`I;16`, `I`) at 255, which would turn most such images white, so those are
    first scaled to 8 bits by their high byte, matching what Pillow does for 16-bit RGB.
    """
    try:
        image.load()
        oriented = ImageOps.exif_transpose(image)
    except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt data surfaces here
        raise SkipImage(f"corrupt or truncated image data: {exc}") from exc
    if oriented.mode in ("I;16", "I;16B", "I;16L", "I;16N", "I"):
        values = np.asarray(oriented, dtype=np.int64)
        oriented = Image.fromarray(np.clip(values >> 8, 0, 255).astype(np.uint8), mode="L")
    elif oriented.mode == "F":
        raise SkipImage("unsupported image mode `F` (32-bit float)")
    return oriented.convert("RGB")


def canonical_size(width: int, height: int, size: int = GT_SIZE) -> tuple[int, int]:
    """(width, height) after scaling the short side to `size` (long side rounded).

    >>> canonical_size(640, 480)
    (683, 512)
    """
    if width <= height:
        return size, max(size, round(height * size / width))
    return max(size, round(width * size / height)), size


def canonicalize(image: Image.Image, size: int = GT_SIZE, min_short_side: int = MIN_SHORT_SIDE) -> np.ndarray:
    """The canonical GT of an opened image: HxWx3 uint8 RGB, `size`×`size`.

    Raises:
        SkipImage: short side below `min_short_side`, or corrupt data.
    """
    rgb = to_rgb(image)
    width, height = rgb.size
    if min(width, height) < min_short_side:
        raise SkipImage(f"short side {min(width, height)} px < {min_short_side} px (never upscaled 2x+)")
    new_w, new_h = canonical_size(width, height, size)
    if (new_w, new_h) != (width, height):
        rgb = rgb.resize((new_w, new_h), Image.BICUBIC)
    left, top = (new_w - size) // 2, (new_h - size) // 2
    cropped = rgb.crop((left, top, left + size, top + size))
    return np.asarray(cropped, dtype=np.uint8).copy()


def load_canonical(source: str | os.PathLike | bytes) -> np.ndarray:
    """Open, check and canonicalise one image file (protocol §1)."""
    with open_checked(source) as image:
        return canonicalize(image)
