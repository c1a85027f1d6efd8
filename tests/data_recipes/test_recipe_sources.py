"""Captioned sources (COCO layout, parquet image–text pairs, WebDataset tars, folder) and the seeded order."""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from data_recipes.config import SourceConfig
from data_recipes.sources import SeededOrder, open_source
from tipbench.errors import SourceError


def png_bytes(seed: int, size=(40, 30)) -> bytes:
    image = (np.random.default_rng(seed).random((size[1], size[0], 3)) * 255).astype(np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return buffer.getvalue()


def test_coco_layout_with_several_captions(tmp_path):
    (tmp_path / "train2017").mkdir()
    (tmp_path / "annotations").mkdir()
    images = [{"id": i, "file_name": f"{i:012d}.jpg"} for i in (9, 3, 5)]
    for image in images:
        (tmp_path / "train2017" / image["file_name"]).write_bytes(png_bytes(image["id"]))
    annotations = [{"image_id": i, "caption": f" caption {k} of {i} "} for i in (9, 3, 5) for k in range(3)]
    (tmp_path / "annotations" / "captions_train2017.json").write_text(
        json.dumps({"images": images, "annotations": annotations}))
    source = open_source(SourceConfig(kind="coco", root=str(tmp_path)))
    assert [item.source_path for item in source.items] == [f"train2017/{i:012d}.jpg" for i in (3, 5, 9)]
    assert source.items[0].captions == ("caption 0 of 3", "caption 1 of 3", "caption 2 of 3")
    assert source.read_bytes(2) == png_bytes(9)
    order = SeededOrder(source, seed=0)
    drawn = {order.caption(i, order.position(i)) for i in range(60)}
    assert len(drawn) > 3  # different captions of the same image get drawn
    with pytest.raises(SourceError, match="train2017"):
        open_source(SourceConfig(kind="coco", root=str(tmp_path / "annotations")))


def test_parquet_image_text_pairs(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = [{"image": {"bytes": png_bytes(i), "path": f"{i}.png"}, "text": f"pair {i}"} for i in range(5)]
    table = pa.Table.from_pylist(rows)
    pq.write_table(table, tmp_path / "part-0.parquet", row_group_size=2)
    pq.write_table(pa.Table.from_pylist([{"image": {"bytes": png_bytes(9), "path": "9.png"}, "text": "last"}]),
                   tmp_path / "part-1.parquet")
    source = open_source(SourceConfig(kind="parquet", root=str(tmp_path), caption_column="text"))
    assert len(source) == 6
    assert [item.captions[0] for item in source.items] == [f"pair {i}" for i in range(5)] + ["last"]
    assert [source.read_bytes(i) for i in (4, 0, 5)] == [png_bytes(4), png_bytes(0), png_bytes(9)]
    with pytest.raises(SourceError, match="caption"):
        open_source(SourceConfig(kind="parquet", root=str(tmp_path)))


def test_webdataset_tars(tmp_path):
    with tarfile.open(tmp_path / "a.tar", "w") as archive:
        for key, caption_kind in (("k1", "txt"), ("k0", "json"), ("k2", None)):
            members = {"jpg": png_bytes(int(key[1]))}
            if caption_kind == "txt":
                members["txt"] = f"text of {key}".encode()
            elif caption_kind == "json":
                members["json"] = json.dumps({"caption": f"json of {key}"}).encode()
            for ext, data in members.items():
                info = tarfile.TarInfo(f"{key}.{ext}")
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    source = open_source(SourceConfig(kind="webdataset", root=str(tmp_path)))
    assert [item.captions[0] for item in source.items] == ["json of k0", "text of k1", ""]
    assert [source.read_bytes(i) for i in range(3)] == [png_bytes(0), png_bytes(1), png_bytes(2)]


def test_folder_source_and_seeded_passes(tmp_path):
    for i in range(4):
        (tmp_path / "sub").mkdir(exist_ok=True)
        (tmp_path / "sub" / f"{i}.png").write_bytes(png_bytes(i))
    (tmp_path / "captions.csv").write_text("file_name,caption\nsub/2.png,  two \n")
    source = open_source(SourceConfig(kind="folder", root=str(tmp_path)))
    assert [item.captions[0] for item in source.items] == ["", "", "two", ""]
    order = SeededOrder(source, seed=5)
    first_pass = [order.position(i) for i in range(4)]
    second_pass = [order.position(i) for i in range(4, 8)]
    assert sorted(first_pass) == sorted(second_pass) == [0, 1, 2, 3]
    assert [SeededOrder(source, seed=5).position(i) for i in reversed(range(8))][::-1] == first_pass + second_pass


@pytest.mark.parametrize(
    "cfg, message",
    [
        (SourceConfig(kind="folder"), "--source-root"),
        (SourceConfig(kind="folder", root="/no/such/dir"), "does not exist"),
    ],
)
def test_source_errors(cfg, message):
    with pytest.raises(SourceError, match=message):
        open_source(cfg)


def test_empty_folder_is_an_error(tmp_path):
    with pytest.raises(SourceError, match="no captioned images"):
        open_source(SourceConfig(kind="folder", root=str(tmp_path)))


def test_bundled_sample_source():
    source = open_source(SourceConfig(kind="sample"))
    assert len(source) >= 9 and all(item.captions[0] for item in source.items)
    assert Path(source.items[0].source_path).suffix == ".jpg"


@pytest.mark.parametrize(
    "name, data, message",
    [
        ("annotations/captions_train2017.json", b"{not json", "malformed annotation JSON"),
        ("annotations/captions_train2017.json", b'{"images": [], "annotations": [{"caption": "x"}]}',
         "malformed annotation JSON"),
        ("annotations/captions_train2017.json", b"\xff\xfe{}", "not UTF-8"),
        ("captions.csv", b"file_name,caption\n0.png,caf\xe9\n", "not UTF-8"),
        ("captions.csv", b"file_name,caption\n0.png,a\n0.png,b\n", "duplicate file_name"),
    ],
)
def test_bad_caption_files_are_source_errors(tmp_path, name, data, message):
    # the same strictness as the test-set builder: a SourceError (one-line `error:`), never a traceback
    kind = "coco" if name.startswith("annotations") else "folder"
    images = tmp_path / ("train2017" if kind == "coco" else "")
    images.mkdir(parents=True, exist_ok=True)
    (images / "0.png").write_bytes(png_bytes(0))
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_bytes(data)
    with pytest.raises(SourceError, match=message):
        open_source(SourceConfig(kind=kind, root=str(tmp_path)))


def test_captions_csv_with_a_byte_order_mark(tmp_path):
    (tmp_path / "0.png").write_bytes(png_bytes(0))
    (tmp_path / "captions.csv").write_bytes("\ufefffile_name,caption\n0.png,zero\n".encode())
    assert open_source(SourceConfig(kind="folder", root=str(tmp_path))).items[0].captions == ("zero",)


def test_training_crops_decode_like_the_test_sets():
    # a 16-bit grayscale PNG: Pillow's convert("RGB") alone clips it at 255 (a white image); the builder scales it
    from data_recipes.config import CropConfig
    from data_recipes.samples import SkipSample, crop_image

    levels = (np.arange(64 * 64, dtype=np.uint16).reshape(64, 64) * 16).astype(np.uint16)  # 0 … 65520
    buffer = io.BytesIO()
    Image.fromarray(levels).save(buffer, format="PNG")
    crop = crop_image(buffer.getvalue(), CropConfig(mode="center", min_short_side=32), 32, seed=0, index=0)
    assert crop.shape == (32, 32, 3) and crop.min() < 100 < 200 < crop.max() < 255
    with pytest.raises(SkipSample, match="cannot decode"):
        crop_image(b"not an image", CropConfig(mode="center", min_short_side=32), 32, seed=0, index=0)
