"""The one way the package opens an image file it did not just encode itself: split-folder GT/LQ/targets, run
outputs, source photos, figure inputs.

`open_image` reads the header only and refuses anything over `MAX_PIXELS` before a pixel is decoded, so a tiny file
that claims 30000×30000 costs a header read, not gigabytes. Pillow's own bomb check is kept (as an error, not a
warning), and ours does not depend on `Image.MAX_IMAGE_PIXELS`, which any imported library may change.
"""

from __future__ import annotations

import io
import os
import warnings

import numpy as np

from tipbench.errors import ImageFileError

#: Largest accepted image (pixels), checked from the header before decoding: Pillow's own bomb threshold.
MAX_PIXELS = 89_478_485


def open_image(source: str | os.PathLike | bytes):
    """Open an image (a path or its bytes) and check its header without decoding the pixels.

    Raises:
        ImageFileError: not an image, unreadable, or more than `MAX_PIXELS` pixels.
    """
    from PIL import Image, UnidentifiedImageError

    handle = io.BytesIO(source) if isinstance(source, bytes) else source
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(handle)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageFileError(f"decompression bomb guard: {exc}") from exc
    except UnidentifiedImageError as exc:
        raise ImageFileError("not a readable image file") from exc
    except OSError as exc:
        raise ImageFileError(f"cannot open image: {exc}") from exc
    width, height = image.size
    if width * height > MAX_PIXELS:
        image.close()
        raise ImageFileError(f"decompression bomb guard: {width}x{height} = {width * height} px > {MAX_PIXELS} px")
    return image


def _named(source: str | os.PathLike | bytes, exc: ImageFileError) -> ImageFileError:
    """The error with the file named (sources record the bare reason in skipped.jsonl; everyone else names it)."""
    return exc if isinstance(source, bytes) else ImageFileError(f"`{source}`: {exc}")


def image_header(source: str | os.PathLike | bytes) -> tuple[str, tuple[int, int]]:
    """(PIL mode, (width, height)) from the header alone (`ImageFileError` as `open_image`, naming the file)."""
    try:
        with open_image(source) as image:
            return image.mode, image.size
    except ImageFileError as exc:
        raise _named(source, exc) from exc


def decode_rgb(source: str | os.PathLike | bytes) -> np.ndarray:
    """Decode an image (path or bytes) to HxWx3 uint8 RGB, header-checked first.

    Raises:
        ImageFileError: as `open_image`, or pixel data that is truncated or corrupt (naming the file).
    """
    try:
        with open_image(source) as image:
            try:
                return np.asarray(image.convert("RGB"), dtype=np.uint8).copy()
            except (OSError, SyntaxError, ValueError) as exc:  # truncated or corrupt data surfaces when decoding
                raise ImageFileError(f"corrupt or truncated image data: {exc}") from exc
    except ImageFileError as exc:
        raise _named(source, exc) from exc
