"""Compose labelled image grids (Pillow, default font): the one layout every figure uses.

A grid has a title line, one label per column above the panels and one per row to their left. The panel boxes are
returned with the image, so tests (and anyone post-processing) can crop a panel back out exactly.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import numpy as np

from tipbench.errors import ConfigError
from tipbench.images import as_rgb_uint8

GAP = 4  # pixels between panels
MARGIN = 6  # around the whole figure and around labels
BACKGROUND = (255, 255, 255)
INK = (0, 0, 0)


@dataclass(frozen=True)
class GridFigure:
    """The composed PNG image (HxWx3 uint8) and each panel's (left, top, right, bottom) box by (row, column)."""

    image: np.ndarray
    boxes: dict[tuple[int, int], tuple[int, int, int, int]]
    row_labels: tuple[str, ...]
    column_labels: tuple[str, ...]
    title: str

    def panel(self, row: int, column: int) -> np.ndarray:
        left, top, right, bottom = self.boxes[(row, column)]
        return self.image[top:bottom, left:right]


def _font():
    from PIL import ImageFont

    try:  # Pillow >= 10.1 ships a scalable default font; fall back to the bitmap one
        return ImageFont.load_default(size=14)
    except TypeError:
        return ImageFont.load_default()


def _text_size(draw, text: str, font) -> tuple[int, int]:
    if not text:
        return 0, 0
    left, top, right, bottom = draw.multiline_textbbox((0, 0), text, font=font)
    return right - left, bottom - top


def _wrap(text: str, width_px: int, char_px: int = 8) -> str:
    return "\n".join(textwrap.wrap(text, max(8, width_px // char_px))) if text else ""


def compose_grid(panels: list[list[np.ndarray | None]], *, row_labels: list[str], column_labels: list[str],
                 title: str = "", panel_size: tuple[int, int] | None = None) -> GridFigure:
    """Lay `panels` (rows × columns of HxWx3 uint8, None = empty) out with labels.

    Args:
        panels: rows of images; every row has len(column_labels) entries.
        row_labels: one label per row (drawn left of the row; "" for none).
        column_labels: one label per column (drawn above the first row, wrapped to the panel width).
        title: a line above everything.
        panel_size: (H, W) every panel is resized to (nearest neighbour, so pixels stay pixels); default: the
            first panel's size.
    """
    from PIL import Image, ImageDraw

    if not panels or len(panels) != len(row_labels) or any(len(r) != len(column_labels) for r in panels):
        raise ConfigError("grid shape does not match the row / column labels")
    first = next((p for row in panels for p in row if p is not None), None)
    if first is None:
        raise ConfigError("a grid needs at least one image")
    height, width = panel_size or first.shape[:2]
    font = _font()
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    wrapped_columns = [_wrap(label, width) for label in column_labels]
    wrapped_rows = [_wrap(label, 200) for label in row_labels]
    row_label_w = max((_text_size(probe, t, font)[0] for t in wrapped_rows), default=0)
    row_label_w = row_label_w + 2 * MARGIN if row_label_w else 0
    header_h = max((_text_size(probe, t, font)[1] for t in wrapped_columns), default=0)
    header_h = header_h + 2 * MARGIN if header_h else 0
    title_h = _text_size(probe, title, font)[1] + 2 * MARGIN if title else 0
    n_rows, n_cols = len(panels), len(column_labels)
    canvas_w = MARGIN + row_label_w + n_cols * width + (n_cols - 1) * GAP + MARGIN
    canvas_h = MARGIN + title_h + header_h + n_rows * height + (n_rows - 1) * GAP + MARGIN
    canvas = Image.new("RGB", (canvas_w, canvas_h), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    if title:
        draw.text((MARGIN, MARGIN), title, fill=INK, font=font)
    top0 = MARGIN + title_h + header_h
    left0 = MARGIN + row_label_w
    boxes = {}
    for c, label in enumerate(wrapped_columns):
        left = left0 + c * (width + GAP)
        draw.multiline_text((left, MARGIN + title_h + MARGIN // 2), label, fill=INK, font=font)
    for r, row in enumerate(panels):
        top = top0 + r * (height + GAP)
        text_h = _text_size(draw, wrapped_rows[r], font)[1]
        draw.multiline_text((MARGIN, top + (height - text_h) // 2), wrapped_rows[r], fill=INK, font=font)
        for c, panel in enumerate(row):
            left = left0 + c * (width + GAP)
            boxes[(r, c)] = (left, top, left + width, top + height)
            if panel is None:
                continue
            tile = Image.fromarray(as_rgb_uint8(panel, name="panel"))
            if tile.size != (width, height):
                tile = tile.resize((width, height), Image.NEAREST)
            canvas.paste(tile, (left, top))
    return GridFigure(np.asarray(canvas), boxes, tuple(row_labels), tuple(column_labels), title)
