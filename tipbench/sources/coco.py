"""COCO val2017 source (protocol §5): `val2017/` images + `annotations/captions_val2017.json`, read with pycocotools."""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

from tipbench.errors import SourceError
from tipbench.sources.base import Candidate, ResolvedSource, check_unique_ids, draw_caption, seeded_order
from tipbench.sources.folder import ImageFileReader

IMAGES_DIR = "val2017"
ANNOTATIONS_FILE = "annotations/captions_val2017.json"


def is_coco_layout(root: Path) -> bool:
    """True when `root` looks like a COCO tree (has the annotations folder or the val2017 folder)."""
    return (root / "annotations").is_dir() or (root / IMAGES_DIR).is_dir()


def load_annotations(path: Path) -> dict[str, Any]:
    """Parse the captions JSON strictly (UTF-8, object with `images` and `annotations` lists)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise SourceError(f"COCO annotations `{path}` not found; expected <root>/{ANNOTATIONS_FILE}") from exc
    except UnicodeDecodeError as exc:
        raise SourceError(f"COCO annotations `{path}` are not UTF-8 ({exc.reason} at byte {exc.start})") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(f"malformed annotation JSON `{path}`: {exc}") from exc
    if not isinstance(data, dict) or not isinstance(data.get("images"), list) or not isinstance(
        data.get("annotations"), list
    ):
        raise SourceError(f"malformed annotation JSON `{path}`: expected an object with `images` and `annotations` lists")
    return data


def captions_by_image(data: dict[str, Any], path: Path) -> dict[str, tuple[str, list[str]]]:
    """`id → (file_name, captions)` via pycocotools' index; captions in annotation-id order, stripped, non-empty."""
    from pycocotools.coco import COCO

    coco = COCO()
    coco.dataset = data
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # pycocotools prints progress to stdout
            coco.createIndex()
        result: dict[str, tuple[str, list[str]]] = {}
        for image_id in sorted(coco.getImgIds()):
            file_name = coco.imgs[image_id]["file_name"]
            annotations = sorted(coco.loadAnns(coco.getAnnIds(imgIds=[image_id])), key=lambda ann: ann["id"])
            captions = [ann["caption"].strip() for ann in annotations
                        if isinstance(ann.get("caption"), str) and ann["caption"].strip()]
            if not isinstance(file_name, str) or not file_name:
                raise SourceError(f"malformed annotation JSON `{path}`: image {image_id} has no file_name")
            result[Path(file_name).stem] = (file_name, captions)
    except (KeyError, TypeError, AttributeError) as exc:
        raise SourceError(f"malformed annotation JSON `{path}`: {type(exc).__name__} {exc}") from exc
    check_unique_ids(list(result), path)
    return result


def resolve_coco(root: Path, seed: int, root_as_given: str | None) -> ResolvedSource:
    """COCO ids (12-digit stems) in the seeded order, each with its stage-1 caption."""
    images_dir = root / IMAGES_DIR
    if not images_dir.is_dir():
        raise SourceError(f"COCO root `{root}` has no `{IMAGES_DIR}/` folder")
    annotations_path = root / ANNOTATIONS_FILE
    data = load_annotations(annotations_path)
    images = captions_by_image(data, annotations_path)
    order = seeded_order(sorted(images), seed)
    candidates = []
    for index, image_id in enumerate(order):
        file_name, captions = images[image_id]
        source_path = f"{IMAGES_DIR}/{file_name}"
        if not captions:
            candidates.append(Candidate(index, image_id, source_path, "", skip_reason="no non-empty caption"))
        else:
            candidates.append(Candidate(index, image_id, source_path, draw_caption(captions, seed, index)))
    from tipbench.io import sha256_file

    fingerprint = {"images": len(images), "annotations_sha256": sha256_file(annotations_path)}
    return ResolvedSource("coco", root, root_as_given, candidates, ImageFileReader(str(root)),
                          fingerprint=fingerprint)
