"""DIV2K_valid_HR source for `div2k-realesrgan` (protocol §1, §5): seeded 512×512 crops of native-resolution images.

Item `index` = image position × crops_per_image + crop number; the crop's top-left corner is drawn uniformly from
the item's stage-3 generator; no flips. Ids are `<stem>_c<crop:02d>` (`0801_c07`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tipbench.canonical import GT_SIZE, SkipImage, open_checked, to_rgb
from tipbench.errors import SourceError
from tipbench.seeding import Stage, item_rng
from tipbench.sources.base import Candidate, ResolvedSource, stems_sha256
from tipbench.sources.folder import list_images

HR_DIR = "DIV2K_valid_HR"


def crop_offset(height: int, width: int, seed: int, index: int, size: int = GT_SIZE) -> tuple[int, int]:
    """(top, left) of the item's crop: uniform integers, inclusive of the last valid position.

    >>> crop_offset(512, 512, 0, 0)
    (0, 0)
    """
    rng = item_rng(seed, Stage.CROP, index)
    top = int(rng.integers(0, height - size + 1))
    left = int(rng.integers(0, width - size + 1))
    return top, left


@dataclass(frozen=True)
class CropReader:
    """Reads `root/source_path` (EXIF-oriented 8-bit RGB, no resize) and returns the item's seeded crop."""

    root: str
    size: int = GT_SIZE

    def read_gt(self, candidate: Candidate, seed: int) -> tuple[np.ndarray, dict[str, int]]:
        with open_checked(Path(self.root) / candidate.source_path) as image:
            rgb = to_rgb(image)
        width, height = rgb.size
        if min(width, height) < self.size:
            raise SkipImage(f"{width}x{height} px is smaller than one {self.size}x{self.size} crop")
        top, left = crop_offset(height, width, seed, candidate.index, self.size)
        pixels = np.asarray(rgb.crop((left, top, left + self.size, top + self.size)), dtype=np.uint8).copy()
        return pixels, {"top": top, "left": left, "size": self.size}


def resolve_crops(root: Path, seed: int, crops_per_image: int, *, kind: str = "div2k",
                  root_as_given: str | None = None) -> ResolvedSource:
    """`crops_per_image` candidates per image, images in ascending file order (DIV2K needs no selection)."""
    if crops_per_image < 1:
        raise SourceError(f"crops_per_image must be >= 1, got {crops_per_image}")
    files = list_images(root)
    if not files:
        raise SourceError(f"no image files under `{root}`")
    candidates = []
    for position, name in enumerate(files):
        stem = Path(name).stem
        for crop in range(crops_per_image):
            index = position * crops_per_image + crop
            candidates.append(Candidate(index, f"{stem}_c{crop:02d}", name, ""))
    fingerprint = {"images": len(files), "stems_sha256": stems_sha256([Path(name).stem for name in files])}
    return ResolvedSource(kind, root, root_as_given, candidates, CropReader(str(root)), fingerprint=fingerprint)


def find_hr_dir(root: Path) -> Path:
    """`root/DIV2K_valid_HR` when present, else `root` itself if it holds images."""
    nested = root / HR_DIR
    if nested.is_dir():
        return nested
    if list_images(root):
        return root
    raise SourceError(f"DIV2K root `{root}` has neither `{HR_DIR}/` nor image files")
