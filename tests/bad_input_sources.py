"""Source trees with every accident the bad-input table covers (tests/test_bad_inputs.py): a COCO tree, a StableSR
folder and a COCO-style training source, each small and seeded; images are written with Pillow or OpenCV."""

from __future__ import annotations

import io
import json
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

from tipbench.sources.base import seeded_order

#: In-order COCO candidates the build must skip, then those it must build (some after a conversion).
COCO_SKIPPED = ("missing-file", "corrupt", "truncated", "too-small", "bomb", "only-non-string-captions",
                "whitespace-captions")
COCO_BUILT = ("cmyk", "gray16", "rgba", "palette", "exif", "one-non-string-caption")


def photo(width: int, height: int, seed: int) -> np.ndarray:
    """A smooth seeded RGB image (uint8)."""
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:height, 0:width].astype(np.float32)
    channels = [0.5 + 0.4 * np.sin(rng.uniform(0.01, 0.05) * (x + 1.7 * y) + rng.uniform(0, 6)) for _ in range(3)]
    return np.rint(np.stack(channels, -1) * 255).astype(np.uint8)


def png_16bit_rgb(path: Path, image8: np.ndarray) -> None:
    """A 16-bit RGB PNG whose high bytes are `image8` (OpenCV writes uint16 PNGs; Pillow cannot)."""
    values = image8.astype(np.uint16) * 257
    assert cv2.imwrite(str(path), np.ascontiguousarray(values[..., ::-1]))


def _save_role(role: str, path: Path, seed: int) -> None:
    image = photo(320, 272, seed)
    if role == "corrupt":
        path.write_bytes(b"this is not an image")
    elif role == "truncated":
        buffer = io.BytesIO()
        Image.fromarray(image).save(buffer, format="JPEG", quality=90)
        path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 3])
    elif role == "too-small":
        Image.fromarray(photo(200, 150, seed)).save(path, quality=90)
    elif role == "bomb":  # a 1-bit PNG: tiny file, 90 M pixels in its header
        Image.new("1", (10_000, 9_000)).save(path)
    elif role == "cmyk":
        Image.fromarray(image).convert("CMYK").save(path, format="JPEG", quality=95)
    elif role == "gray16":
        Image.fromarray(image[..., 1].astype(np.uint16) * 256 + 77).save(path)  # mode I;16
    elif role == "rgba":
        Image.fromarray(np.dstack([image, np.full(image.shape[:2], 90, np.uint8)])).save(path)  # RGBA
    elif role == "palette":
        Image.fromarray(image).convert("P").save(path)
    elif role == "exif":  # stored sideways, EXIF orientation 6 says "rotate 90° clockwise to display"
        exif = Image.Exif()
        exif[0x0112] = 6
        Image.fromarray(image).save(path, format="JPEG", quality=95, exif=exif.tobytes())
    elif role != "missing-file":
        Image.fromarray(image).save(path, quality=95)


def make_coco_accidents(root: Path) -> dict[str, str]:
    """`root/val2017` + captions JSON where the seeded order (seed 0) meets every skipped role first; returns
    role → item id. Besides: an id listed with two files, a file under two ids, a dangling annotation."""
    roles = [*COCO_SKIPPED, *COCO_BUILT]
    ids = [f"{1001 + k:012d}" for k in range(len(roles))]
    by_role = dict(zip(roles, seeded_order(ids, 0)))  # the j-th role lands at position j of the order
    (root / "val2017").mkdir(parents=True)
    (root / "annotations").mkdir()
    images, annotations = [], []
    for seed, (role, item_id) in enumerate(by_role.items()):
        ext = "png" if role in ("bomb", "gray16", "rgba", "palette") else "jpg"
        file_name = f"{item_id}.{ext}"
        _save_role(role, root / "val2017" / file_name, seed)
        images.append({"id": int(item_id), "file_name": file_name})
        texts: list = [f"a photo of {role}", f"another photo of {role}"]
        if role == "only-non-string-captions":
            texts = [42]
        elif role == "whitespace-captions":
            texts = ["   ", ""]
        elif role == "one-non-string-caption":
            texts = [None, *texts]
        annotations += [{"id": len(annotations) + 1, "image_id": int(item_id), "caption": t} for t in texts]
    for name in ("dup_a.jpg", "dup_b.jpg", "shared.jpg"):
        Image.fromarray(photo(320, 272, 99)).save(root / "val2017" / name)
    images += [{"id": 900001, "file_name": "dup_a.jpg"}, {"id": 900001, "file_name": "dup_b.jpg"},
               {"id": 900002, "file_name": "shared.jpg"}, {"id": 900003, "file_name": "shared.jpg"}]
    annotations += [{"id": 5000 + k, "image_id": image_id, "caption": "set aside"}
                    for k, image_id in enumerate((900001, 900002, 900003, 999999))]
    (root / "annotations" / "captions_val2017.json").write_text(
        json.dumps({"images": images, "annotations": annotations}), encoding="utf-8")
    return by_role


def make_stablesr_folder(root: Path) -> Path:
    """`DIV2K_V2_val/{gt,lq}`: a GT without LQ, a 16-bit pair, a GT of the wrong size, then one good pair."""
    folder = root / "DIV2K_V2_val"
    (folder / "gt").mkdir(parents=True)
    (folder / "lq").mkdir()
    Image.fromarray(photo(512, 512, 1)).save(folder / "gt" / "a_no_lq.png")
    png_16bit_rgb(folder / "gt" / "b_16bit.png", photo(512, 512, 2))
    png_16bit_rgb(folder / "lq" / "b_16bit.png", photo(128, 128, 2))
    Image.fromarray(photo(256, 256, 3)).save(folder / "gt" / "c_size.png")
    Image.fromarray(photo(64, 64, 3)).save(folder / "lq" / "c_size.png")
    Image.fromarray(photo(512, 512, 4)).save(folder / "gt" / "z_ok.png")
    Image.fromarray(photo(128, 128, 4)).save(folder / "lq" / "z_ok.png")
    return root


def make_training_coco(root: Path, count: int = 8) -> dict[str, str]:
    """`train2017/` + captions for `data_recipes.shards`: a missing file, an undecodable one, an id with two files
    and a dangling annotation besides `count - 2` good images; returns role → file name."""
    (root / "train2017").mkdir(parents=True)
    (root / "annotations").mkdir()
    names = {f"good{k}": f"{k + 1:012d}.jpg" for k in range(count - 2)}
    names.update(missing=f"{count - 1:012d}.jpg", undecodable=f"{count:012d}.jpg")
    images, annotations = [], []
    for k, (role, name) in enumerate(names.items()):
        if role == "undecodable":
            (root / "train2017" / name).write_bytes(b"not an image")
        elif role != "missing":
            Image.fromarray(photo(140, 120, k)).save(root / "train2017" / name, quality=90)
        images.append({"id": k + 1, "file_name": name})
        annotations.append({"id": k + 1, "image_id": k + 1, "caption": f"picture {k + 1}"})
    Image.fromarray(photo(140, 120, 50)).save(root / "train2017" / "twin.jpg")
    images.append({"id": 1, "file_name": "twin.jpg"})  # id 1 again, another file
    annotations.append({"id": 999, "image_id": 4242, "caption": "no such image"})
    (root / "annotations" / "captions_train2017.json").write_text(
        json.dumps({"images": images, "annotations": annotations}), encoding="utf-8")
    return names
