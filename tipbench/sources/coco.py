"""COCO val2017 source (protocol §5): `val2017/` images + `annotations/captions_val2017.json`, read and checked by
`coco_captions.read_coco_captions` (the reader the training shards use too)."""

from __future__ import annotations

from pathlib import Path

from tipbench.errors import SourceError
from tipbench.sources.base import Candidate, ResolvedSource, draw_caption, seeded_order
from tipbench.sources.coco_captions import read_coco_captions
from tipbench.sources.folder import ImageFileReader

IMAGES_DIR = "val2017"
ANNOTATIONS_FILE = "annotations/captions_val2017.json"


def is_coco_layout(root: Path) -> bool:
    """True when `root` looks like a COCO tree (has the annotations folder or the val2017 folder)."""
    return (root / "annotations").is_dir() or (root / IMAGES_DIR).is_dir()


def resolve_coco(root: Path, seed: int, root_as_given: str | None) -> ResolvedSource:
    """COCO ids (12-digit stems) in the seeded order, each with its stage-1 caption."""
    images_dir = root / IMAGES_DIR
    if not images_dir.is_dir():
        raise SourceError(f"COCO root `{root}` has no `{IMAGES_DIR}/` folder")
    content = read_coco_captions(root / ANNOTATIONS_FILE, IMAGES_DIR)
    images = {image.item_id: image for image in content.images}
    order = seeded_order(sorted(images), seed)
    candidates = []
    for index, item_id in enumerate(order):
        image = images[item_id]
        source_path = f"{IMAGES_DIR}/{image.file_name}"
        if not image.captions:
            reason = "no non-empty caption"
            if image.dropped_captions:
                reason += f" ({image.dropped_captions} caption(s) that are not strings dropped)"
            candidates.append(Candidate(index, item_id, source_path, "", skip_reason=reason))
        else:
            candidates.append(Candidate(index, item_id, source_path, draw_caption(list(image.captions), seed, index)))
    from tipbench.io import sha256_file

    fingerprint = {"images": len(images), "annotations_sha256": sha256_file(root / ANNOTATIONS_FILE)}
    return ResolvedSource("coco", root, root_as_given, candidates, ImageFileReader(str(root)),
                          fingerprint=fingerprint, skipped=content.skipped)
