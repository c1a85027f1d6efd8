"""The one reader of a COCO captions file (`captions_*.json`), shared by the test-set builder (`tipbench.build`) and
the training shards (`data_recipes.shards`), so both apply the same rule to the same accidents (docs/splits.md):

* one image id listed with two different file names: every entry of that id is skipped (which file would its
  captions describe?), with a reason naming the id and both file names;
* one file name (or two files with one stem, i.e. one item id) listed under two image ids: every such id is skipped;
* an annotation whose `image_id` has no `images` entry: not an item; counted, warned about and recorded;
* a caption that is not a string: dropped and recorded; an image left without a non-empty caption is unusable.

Why our own index rather than pycocotools' `COCO.createIndex` (which this package used before): that index silently
keeps the last of two `images` entries with one id, so a duplicated id paired one image with another image's
captions and dropped the other file without a word; it also ignores dangling annotations and needs an `id` on every
annotation. The checks above need every entry anyway, and the index is a group-by over them.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from tipbench.errors import SourceError

logger = logging.getLogger(__name__)

#: `kind` of the records a source adds to skipped.jsonl (the builder's own per-candidate records are `item`).
SKIP_KINDS = ("image", "annotation", "caption")


@dataclass(frozen=True)
class CocoImage:
    """One usable `images` entry: unique id, unique file name and stem; its valid captions in annotation-id order
    (stripped, non-empty; may be empty, then the image cannot become an item)."""

    image_id: int
    file_name: str
    captions: tuple[str, ...]
    dropped_captions: int = 0  # captions that were not strings

    @property
    def item_id(self) -> str:
        return PurePosixPath(self.file_name).stem


@dataclass(frozen=True)
class CocoCaptions:
    """The checked content of a captions file: usable images (ascending image id) and what was set aside."""

    images: tuple[CocoImage, ...]
    skipped: tuple[dict[str, Any], ...]  # source-level skipped.jsonl records (`kind` in SKIP_KINDS)


def load_annotations(path: Path) -> dict[str, Any]:
    """Parse the captions JSON strictly (UTF-8, object with `images` and `annotations` lists)."""
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError as exc:
        raise SourceError(f"COCO annotations `{path}` not found") from exc
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


def _record(kind: str, reason: str, file_name: str | None, images_dir: str) -> dict[str, Any]:
    item_id = PurePosixPath(file_name).stem if file_name else None
    source_path = f"{images_dir}/{file_name}" if file_name else None
    return {"kind": kind, "index": None, "id": item_id, "source_path": source_path, "reason": reason}


def _checked_entries(data: dict[str, Any], path: Path) -> tuple[list[dict], list[dict]]:
    """The `images` and `annotations` entries, refused as a whole when they are not COCO-shaped."""
    images, annotations = data["images"], data["annotations"]
    for entry in images:
        if not isinstance(entry, dict) or not _is_id(entry.get("id")):
            raise SourceError(f"malformed annotation JSON `{path}`: an `images` entry has no integer `id`: {entry!r:.80}")
        if not isinstance(entry.get("file_name"), str) or not entry["file_name"].strip():
            raise SourceError(f"malformed annotation JSON `{path}`: image {entry['id']} has no file_name")
    for entry in annotations:
        if not isinstance(entry, dict) or not _is_id(entry.get("image_id")):
            raise SourceError(f"malformed annotation JSON `{path}`: an `annotations` entry has no integer `image_id`: "
                              f"{entry!r:.80}")
    return images, annotations


def _is_id(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _conflicts(images: list[dict], images_dir: str) -> tuple[dict[int, str], list[dict]]:
    """id → file name for the ids without conflict, and one record per entry of each conflicting id."""
    names_of: dict[int, list[str]] = defaultdict(list)
    for entry in images:
        if entry["file_name"] not in names_of[entry["id"]]:
            names_of[entry["id"]].append(entry["file_name"])
    records: list[dict] = []
    bad: set[int] = set()
    for image_id, names in names_of.items():
        if len(names) > 1:
            bad.add(image_id)
            listed = " and ".join(f"`{name}`" for name in names)
            records += [_record("image", f"COCO image id {image_id} is listed with two file names, {listed}; every "
                                         "entry of that id is skipped", name, images_dir) for name in names]
    for what, key in (("file name", lambda name: name), ("item id (file stem)", lambda name: PurePosixPath(name).stem)):
        ids_of: dict[str, list[int]] = defaultdict(list)
        for image_id, names in names_of.items():
            if image_id not in bad:
                ids_of[key(names[0])].append(image_id)
        for value, ids in ids_of.items():
            if len(ids) > 1:
                bad.update(ids)
                listed = " and ".join(f"`{names_of[i][0]}` (id {i})" for i in sorted(ids))
                records += [_record("image", f"{what} `{value}` is shared by COCO image ids {listed}; all of them are "
                                             "skipped", names_of[i][0], images_dir) for i in sorted(ids)]
    kept = {image_id: names[0] for image_id, names in names_of.items() if image_id not in bad}
    return kept, records


def read_coco_captions(path: Path, images_dir: str) -> CocoCaptions:
    """Read and check `path` (the module docstring has the rules); `images_dir` prefixes the recorded source paths.

    Raises:
        SourceError: missing, non-UTF-8 or malformed JSON, or entries without the COCO keys.
    """
    data = load_annotations(path)
    images, annotations = _checked_entries(data, path)
    kept, records = _conflicts(images, images_dir)
    listed = {entry["id"] for entry in images}
    good_annotations, dropped = [], defaultdict(int)
    for ann in annotations:
        image_id = ann["image_id"]
        if image_id not in listed:
            records.append(_record("annotation", f"annotation {ann.get('id')} refers to image id {image_id}, which has "
                                                 "no `images` entry; it is not an item", None, images_dir))
        elif image_id in kept and not isinstance(ann.get("caption"), str):
            dropped[image_id] += 1
            records.append(_record("caption", f"annotation {ann.get('id')} of image id {image_id}: caption is "
                                              f"{type(ann.get('caption')).__name__}, not a string; dropped",
                                   kept[image_id], images_dir))
        elif image_id in kept:
            good_annotations.append(ann)
    captions = _index_captions(good_annotations)
    usable = tuple(CocoImage(image_id, kept[image_id], captions.get(image_id, ()), dropped.get(image_id, 0))
                   for image_id in sorted(kept))
    _warn(path, records)
    return CocoCaptions(usable, tuple(records))


def _index_captions(annotations: list[dict]) -> dict[int, tuple[str, ...]]:
    """image id → stripped non-empty captions, in annotation-id order (annotations without an `id` after those with
    one, in file order)."""
    ordered = sorted(enumerate(annotations),
                     key=lambda pair: (0, pair[1]["id"], 0) if _is_id(pair[1].get("id")) else (1, 0, pair[0]))
    result: dict[int, list[str]] = defaultdict(list)
    for _, ann in ordered:
        text = ann["caption"].strip()
        if text:
            result[ann["image_id"]].append(text)
    return {image_id: tuple(texts) for image_id, texts in result.items()}


def _warn(path: Path, records: list[dict]) -> None:
    counts = defaultdict(int)
    for record in records:
        counts[record["kind"]] += 1
    if counts:
        what = {"image": "image entries skipped (an id with two file names, or a file under two ids)",
                "annotation": "annotations without an image entry", "caption": "captions that are not strings dropped"}
        summary = "; ".join(f"{counts[kind]} {what[kind]}" for kind in SKIP_KINDS if counts[kind])
        logger.warning("%s: %s (each listed in skipped.jsonl)", path, summary)
