"""Bad input (issue 3 item 5): each case is converted, recorded as a skip, or stopped with `error: …` exit 1."""

from __future__ import annotations

import hashlib
import io
import json
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from build_helpers import make_coco_tree, smooth_image
from PIL import Image

from tests.conftest import error_text
from tests.tiny_splits import manifest_frame
from tipbench.build import BuildConfig, build_split, main
from tipbench.io import decode_png


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int = 20000, height: int = 20000) -> bytes:
    """A tiny file whose header claims a huge image (the decoder would allocate width×height×3 bytes)."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(b""))
            + png_chunk(b"IEND", b""))


def jpeg_bytes(image: Image.Image, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=95, **options)
    return buffer.getvalue()


def make_bad_folder(root: Path) -> None:
    root.mkdir()
    rgb = Image.fromarray(smooth_image(300, 280, seed=1))
    rgb.save(root / "normal_a.jpg", quality=95)
    Image.fromarray(smooth_image(280, 300, seed=2)).save(root / "normal_b.png")
    (root / "truncated.jpg").write_bytes(jpeg_bytes(rgb)[:3000])
    (root / "corrupt.jpg").write_bytes(b"this is not an image at all" * 50)
    Image.new("CMYK", (300, 300), (0, 255, 255, 0)).save(root / "cmyk.jpg", quality=95)  # pure red in CMYK
    ramp = (np.arange(300 * 300).reshape(300, 300) % 256).astype(np.uint16) * 257  # 16-bit gray, high byte = ramp
    Image.fromarray(ramp).save(root / "gray16.png")
    Image.new("RGBA", (300, 300), (10, 200, 30, 0)).save(root / "rgba.png")  # fully transparent: alpha dropped
    Image.new("RGB", (300, 300), (40, 90, 160)).convert("P", palette=Image.ADAPTIVE).save(root / "palette.png")
    Image.fromarray(smooth_image(300, 300, seed=3)[..., 0]).save(root / "gray.png")
    stripes = np.zeros((300, 400, 3), np.uint8)
    stripes[:, :200] = (255, 0, 0)
    stripes[:, 200:] = (0, 0, 255)  # red left, blue right as stored; EXIF 6 shows it rotated 90° clockwise
    exif = Image.Exif()
    exif[0x0112] = 6
    Image.fromarray(stripes).save(root / "exif_rotated.jpg", quality=95, exif=exif.tobytes())
    Image.fromarray(smooth_image(200, 300, seed=4)).save(root / "small.png")
    (root / "bomb.png").write_bytes(bomb_png())
    (root / "captions.csv").write_text("file_name,caption\nnormal_a.jpg,a normal photo\nrgba.png,\n", encoding="utf-8")


EXPECTED_SKIPS = {"truncated.jpg": "truncated", "corrupt.jpg": "not a readable image", "small.png": "short side",
                  "bomb.png": "decompression bomb"}
USABLE = 8


@pytest.fixture(scope="module")
def bad_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("src") / "bad"
    make_bad_folder(root)
    out = tmp_path_factory.mktemp("out")
    split_dir = build_split(BuildConfig(split="coco-param", source_root=str(root), out=str(out), limit=USABLE,
                                        progress=False))
    return root, split_dir


def test_skips_are_recorded_and_replaced(bad_build) -> None:
    _, split_dir = bad_build
    frame = manifest_frame(split_dir)
    assert len(frame) == USABLE  # still N images: skipped inputs were replaced by the next ids of the order
    skipped = {entry["source_path"]: entry["reason"]
               for entry in map(json.loads, (split_dir / "skipped.jsonl").read_text().splitlines())}
    assert set(skipped) == set(EXPECTED_SKIPS)
    for name, word in EXPECTED_SKIPS.items():
        assert word in skipped[name], skipped[name]
    info = json.loads((split_dir / "split.json").read_text())
    assert info["source"] == "folder" and info["n_skipped"] == 4 and info["n_candidates_read"] == 12


def gt_of(split_dir: Path, item_id: str) -> np.ndarray:
    return decode_png(split_dir / "gt" / f"{item_id}.png")


def test_conversions(bad_build) -> None:
    _, split_dir = bad_build
    for item_id in manifest_frame(split_dir)["id"]:
        assert gt_of(split_dir, item_id).shape == (512, 512, 3)
    cmyk = gt_of(split_dir, "cmyk").astype(int)
    assert cmyk[..., 0].min() > 200 and cmyk[..., 1:].max() < 60  # CMYK (0,255,255,0) is red
    assert (gt_of(split_dir, "rgba") == (10, 200, 30)).all()  # alpha discarded, colour kept
    assert (np.abs(gt_of(split_dir, "palette").astype(int) - (40, 90, 160)) <= 2).all()
    gray = gt_of(split_dir, "gray")
    assert (gray[..., 0] == gray[..., 1]).all() and (gray[..., 1] == gray[..., 2]).all()
    gray16 = gt_of(split_dir, "gray16")
    assert 100 < gray16.mean() < 156 and gray16.min() < 10  # scaled to 8 bits, not clipped to white
    rotated = gt_of(split_dir, "exif_rotated").astype(int)  # displayed: red on top, blue at the bottom
    assert rotated[:200, :, 0].mean() > 200 and rotated[:200, :, 2].mean() < 50
    assert rotated[-200:, :, 2].mean() > 200 and rotated[-200:, :, 0].mean() < 50


def test_missing_and_empty_captions(bad_build) -> None:
    _, split_dir = bad_build
    captions = dict(zip(manifest_frame(split_dir)["id"], manifest_frame(split_dir)["semantic_prompt"]))
    assert captions["normal_a"] == "a normal photo"
    assert captions["rgba"] == "" and captions["normal_b"] == ""  # empty row, and no row at all


def test_too_few_usable_images_is_an_error(bad_build, capsys: pytest.CaptureFixture[str]) -> None:
    root, split_dir = bad_build
    args = ["--split", "coco-param", "--source-root", str(root), "--out", str(split_dir.parent), "--no-progress"]
    assert main([*args, "--limit", "13"]) == 1
    assert "has 12 candidate items" in capsys.readouterr().err
    assert main([*args, "--limit", str(USABLE + 1), "--resume"]) == 1  # every record is reused: no image re-read
    err = capsys.readouterr().err
    assert error_text(err).startswith("error: only 8 usable items of 12") and "skipped.jsonl" in err


def write_annotations(root: Path, data: bytes) -> None:
    (root / "annotations" / "captions_val2017.json").write_bytes(data)


@pytest.mark.parametrize("case, data, message", [
    ("syntax", b'{"images": [', "malformed annotation JSON"),
    ("not-utf8", '{"images": [], "annotations": [{"caption": "caf\u00e9"}]}'.encode("latin-1"), "not UTF-8"),
    ("list", b"[]", "malformed annotation JSON"),
    ("no-image-id", json.dumps({"images": [{"id": 1, "file_name": "000000000001.jpg"}],
                                "annotations": [{"id": 1, "caption": "x"}]}).encode(), "malformed annotation JSON"),
])
def test_bad_annotations(case: str, data: bytes, message: str, tmp_path: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "coco"
    make_coco_tree(root, 1)
    write_annotations(root, data)
    assert main(["--split", "coco-param", "--source-root", str(root), "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err
    assert error_text(err).startswith("error: ") and message in err and error_text(err).count("\n") == 1


@pytest.mark.parametrize("content, message", [
    ("file_name,caption\na.png,caf\u00e9\n".encode("latin-1"), "not UTF-8"),
    (b"name,text\na.png,x\n", "header `file_name,caption`"),
    (b"file_name,caption\na.png,x\na.png,y\n", "duplicate file_name"),
], ids=["not-utf8", "bad-header", "duplicate-row"])
def test_bad_captions_csv(content: bytes, message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "folder"
    root.mkdir()
    Image.fromarray(smooth_image(260, 260, seed=0)).save(root / "a.png")
    (root / "captions.csv").write_bytes(content)
    assert main(["--split", "coco-param", "--source-root", str(root), "--out", str(tmp_path / "out")]) == 1
    assert message in capsys.readouterr().err


def test_folder_id_collision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "folder"
    root.mkdir()
    for name in ("a.png", "a.jpg"):
        Image.fromarray(smooth_image(260, 260, seed=0)).save(root / name)
    assert main(["--split", "coco-param", "--source-root", str(root), "--out", str(tmp_path / "out")]) == 1
    assert "same id `a`" in capsys.readouterr().err


def test_unwritable_output_and_bad_usage(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    assert main(["--split", "coco-param", "--out", str(blocker / "splits"), "-q"]) == 1
    assert error_text(capsys.readouterr().err).startswith("error: cannot write to output folder")
    assert main(["--split", "coco-parm", "--out", str(tmp_path)]) == 1
    assert "available: coco-param" in capsys.readouterr().err
    for bad in (["--workers", "0"], ["--limit", "-1"], ["--resume", "--overwrite"], ["--seed", "x"]):
        with pytest.raises(SystemExit) as exit_info:
            main(["--split", "coco-param", *bad])
        assert exit_info.value.code == 2


def make_pairs(folder: Path, names: list[str]) -> dict[str, tuple[bytes, bytes]]:
    pairs = {}
    for number, name in enumerate(names):
        gt, lq = io.BytesIO(), io.BytesIO()
        Image.fromarray(smooth_image(512, 512, seed=number)).save(gt, format="PNG")
        Image.fromarray(smooth_image(128, 128, seed=number)).save(lq, format="PNG")
        pairs[name] = (gt.getvalue(), lq.getvalue())
    return pairs


def test_stablesr_zip_checksum_and_pairs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pairs = make_pairs(tmp_path, ["0001.png", "0002.png"])
    zip_path = tmp_path / "StableSR_testsets.zip"
    with zipfile.ZipFile(zip_path, "w") as archive:
        for name, (gt, lq) in pairs.items():
            archive.writestr(f"StableSR_testsets/DIV2K_V2_val/gt/{name}", gt)
            archive.writestr(f"StableSR_testsets/DIV2K_V2_val/lq/{name}", lq)
    assert main(["--split", "div2k-stablesr", "--source-root", str(tmp_path), "--out", str(tmp_path / "o1")]) == 1
    assert "sha256" in capsys.readouterr().err  # not the published zip
    digest = hashlib.sha256(zip_path.read_bytes()).hexdigest()
    split_dir = build_split(BuildConfig(split="div2k-stablesr", source_root=str(zip_path), out=str(tmp_path / "o2"),
                                        limit=2, stablesr_zip_sha256=digest, progress=False))
    frame = manifest_frame(split_dir)
    assert json.loads((split_dir / "split.json").read_text())["source"] == "stablesr-zip"
    assert list(frame["id"]) == ["0001", "0002"] and (frame["pipeline"] == "published").all()
    for row in frame.to_dict("records"):
        gt, lq = pairs[f"{row['id']}.png"]
        assert (split_dir / row["gt_path"]).read_bytes() == gt and (split_dir / row["lq_path"]).read_bytes() == lq
        assert (row["width_lq"], row["height_lq"], row["restoration_prompt"]) == (128, 128, "Remove all degradation")


def test_stablesr_folder_with_missing_lq(tmp_path: Path) -> None:
    folder = tmp_path / "DIV2K_V2_val"
    pairs = make_pairs(tmp_path, ["0001.png", "0002.png", "0003.png"])
    for name, (gt, lq) in pairs.items():
        (folder / "gt").mkdir(parents=True, exist_ok=True)
        (folder / "lq").mkdir(exist_ok=True)
        (folder / "gt" / name).write_bytes(gt)
        if name != "0001.png":
            (folder / "lq" / name).write_bytes(lq)
    split_dir = build_split(BuildConfig(split="div2k-stablesr", source_root=str(tmp_path), out=str(tmp_path / "o"),
                                        limit=2, progress=False))
    assert list(manifest_frame(split_dir)["id"]) == ["0002", "0003"]
    assert "no lq/0001.png" in (split_dir / "skipped.jsonl").read_text()


def test_div2k_crops(tmp_path: Path) -> None:
    hr = tmp_path / "DIV2K_valid_HR"
    hr.mkdir()
    Image.fromarray(smooth_image(300, 300, seed=0)).save(hr / "0801.png")  # too small for a 512 crop
    source = smooth_image(600, 560, seed=1)
    Image.fromarray(source).save(hr / "0802.png")
    split_dir = build_split(BuildConfig(split="div2k-realesrgan", source_root=str(tmp_path), out=str(tmp_path / "o"),
                                        limit=2, progress=False))
    frame = manifest_frame(split_dir)
    assert list(frame["id"]) == ["0802_c00", "0802_c01"] and list(frame["index"]) == [30, 31]
    assert len((split_dir / "skipped.jsonl").read_text().splitlines()) == 30
    for row in frame.to_dict("records"):
        crop = json.loads(row["params"])["crop"]
        assert 0 <= crop["top"] <= 560 - 512 and 0 <= crop["left"] <= 600 - 512
        expected = source[crop["top"]:crop["top"] + 512, crop["left"]:crop["left"] + 512]
        assert np.array_equal(decode_png(split_dir / row["gt_path"]), expected)
