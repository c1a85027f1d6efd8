"""The bad-input table: one test per row of docs/reliability.md "Bad inputs: what happens" (issue 13), each through
the command a user would run (`main([...])` of build, run, score, shards) where that is cheap, else the library call
that command makes. A row is a kind of bad input with its outcome: an `error:` line naming the problem, a skip
recorded with its reason, or a documented conversion. `test_the_doc_table_and_the_cases_match` keeps the two lists
equal."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Callable
from contextlib import redirect_stderr
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.bad_input_sources import (
    COCO_BUILT,
    COCO_SKIPPED,
    make_coco_accidents,
    make_stablesr_folder,
    make_training_coco,
    photo,
    png_16bit_rgb,
)
from tests.conftest import error_text
from tests.tiny_splits import edit_manifest, make_noise_split, make_param_split
from tipbench.errors import ManifestError, PromptError
from tipbench.io import decode_png, write_png

DOC = Path(__file__).resolve().parent.parent / "docs" / "reliability.md"
CASES: dict[str, tuple[Callable[[pytest.FixtureRequest], None], bool]] = {}


def case(key: str, *, slow: bool = False) -> Callable:
    def register(check: Callable[[pytest.FixtureRequest], None]) -> Callable:
        assert key not in CASES, key
        CASES[key] = (check, slow)
        return check
    return register


def jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def call(main: Callable[[list[str]], int], argv: list[str]) -> tuple[int, str]:
    """A command's exit status and everything it wrote to stderr."""
    err = StringIO()
    with redirect_stderr(err):
        code = main(argv)
    return code, err.getvalue()


def fails_with(main: Callable[[list[str]], int], argv: list[str], fragment: str) -> str:
    code, err = call(main, argv)
    assert code == 1, err
    text = error_text(err)
    assert fragment in text, text
    return text


# ---------------------------------------------------------------------------------------------- shared sources
@pytest.fixture(scope="module")
def coco_build(tmp_path_factory) -> dict:
    """One `tipbench.build` over a COCO tree holding every accident (the skipped ones come first in the order)."""
    from tipbench.build import main

    base = tmp_path_factory.mktemp("coco-accidents")
    roles = make_coco_accidents(base / "coco")
    code, err = call(main, ["--split", "coco-param", "--source-root", str(base / "coco"), "--out", str(base / "out"),
                            "--limit", str(len(COCO_BUILT))])
    assert code == 0, err
    split_dir = base / "out" / "coco-param"
    import pyarrow.parquet as pq

    rows = {row["id"]: row for row in pq.read_table(split_dir / "manifest.parquet").to_pylist()}
    skipped = jsonl(split_dir / "skipped.jsonl")
    return {"roles": roles, "dir": split_dir, "rows": rows, "skipped": skipped, "err": err, "root": base / "coco"}


def skip_reason(build: dict, role: str) -> str:
    item_id = build["roles"][role]
    found = [s for s in build["skipped"] if s["id"] == item_id and s["kind"] == "item"]
    assert len(found) == 1 and item_id not in build["rows"], (role, found)
    return found[0]["reason"]


def set_aside(build: dict, kind: str, fragment: str) -> list[dict]:
    found = [s for s in build["skipped"] if s["kind"] == kind and fragment in s["reason"]]
    assert found, (kind, fragment, build["skipped"])
    return found


@pytest.fixture(scope="module")
def stablesr_build(tmp_path_factory) -> dict:
    from tipbench.build import main

    base = tmp_path_factory.mktemp("stablesr")
    make_stablesr_folder(base / "src")
    code, err = call(main, ["--split", "div2k-stablesr", "--source-root", str(base / "src"), "--out",
                            str(base / "out"), "--limit", "1"])
    assert code == 0, err
    split_dir = base / "out" / "div2k-stablesr"
    return {"dir": split_dir, "skipped": {s["id"]: s["reason"] for s in jsonl(split_dir / "skipped.jsonl")}}


@pytest.fixture(scope="module")
def shards_run(tmp_path_factory) -> dict:
    """One `data_recipes.shards` run over a training source with a missing file, an undecodable one, an id with
    two files and a dangling annotation."""
    from data_recipes.shards import main

    base = tmp_path_factory.mktemp("shards")
    names = make_training_coco(base / "coco")
    recipe = base / "recipe.yaml"
    recipe.write_text("\n".join(["name: bad-inputs", "source:", "  kind: coco", f"  root: {base / 'coco'}",
                                 "crop:", "  min_short_side: 100", "mixture:", "  realesrgan_probability: 0.0",
                                 "resolution: 64", "num_samples: 12", "seed: 0"]) + "\n", encoding="utf-8")
    code, err = call(main, [str(recipe), "--out", str(base / "out"), "--num-shards", "2"])
    assert code == 0, err
    per_shard = [s for k in range(2) for s in jsonl(base / "out" / f"shard-{k:06d}.skipped.jsonl")]
    return {"out": base / "out", "recipe": recipe, "names": names, "err": err, "samples": per_shard,
            "source": jsonl(base / "out" / "skipped.jsonl")}


@pytest.fixture(scope="module")
def tiny_split(tmp_path_factory) -> Path:
    """A 3-item split to score outputs folders against (ids img000…img002, 32×32 GT)."""
    return make_noise_split(tmp_path_factory.mktemp("splits"), n=3)


# ------------------------------------------------------------------------------------------------ COCO captions
@case("coco-duplicate-image-id")
def _(request):
    build = request.getfixturevalue("coco_build")
    records = set_aside(build, "image", "COCO image id 900001")
    assert sorted(r["source_path"] for r in records) == ["val2017/dup_a.jpg", "val2017/dup_b.jpg"]
    assert all("`dup_a.jpg` and `dup_b.jpg`" in r["reason"] for r in records)
    assert not {"dup_a", "dup_b"} & set(build["rows"])
    assert "image entries skipped" in build["err"]  # the warning line, at default verbosity


@case("coco-file-under-two-ids")
def _(request):
    build = request.getfixturevalue("coco_build")
    records = set_aside(build, "image", "file name `shared.jpg`")
    assert len(records) == 2 and all("900002" in r["reason"] and "900003" in r["reason"] for r in records)
    assert "shared" not in build["rows"]


@case("coco-dangling-annotation")
def _(request):
    build = request.getfixturevalue("coco_build")
    [record] = set_aside(build, "annotation", "image id 999999")
    assert record["id"] is None and record["index"] is None
    assert "1 annotations without an image entry" in build["err"]


@case("coco-non-string-caption")
def _(request):
    build = request.getfixturevalue("coco_build")
    item_id = build["roles"]["one-non-string-caption"]
    [record] = [r for r in set_aside(build, "caption", "not a string") if r["id"] == item_id]
    assert "NoneType" in record["reason"]
    assert build["rows"][item_id]["semantic_prompt"] in ("a photo of one-non-string-caption",
                                                         "another photo of one-non-string-caption")


@case("coco-only-non-string-captions")
def _(request):
    reason = skip_reason(request.getfixturevalue("coco_build"), "only-non-string-captions")
    assert reason == "no non-empty caption (1 caption(s) that are not strings dropped)"


@case("coco-whitespace-captions")
def _(request):
    assert skip_reason(request.getfixturevalue("coco_build"), "whitespace-captions") == "no non-empty caption"


@case("coco-malformed-json")
def _(request):
    from tipbench.build import main

    root = request.getfixturevalue("tmp_path") / "coco"
    (root / "val2017").mkdir(parents=True)
    (root / "annotations").mkdir()
    (root / "annotations" / "captions_val2017.json").write_text('{"images": [', encoding="utf-8")
    fails_with(main, ["--split", "coco-param", "--source-root", str(root), "--limit", "1"], "malformed annotation JSON")


@case("coco-annotations-not-utf8")
def _(request):
    from tipbench.build import main

    root = request.getfixturevalue("tmp_path") / "coco"
    (root / "val2017").mkdir(parents=True)
    (root / "annotations").mkdir()
    (root / "annotations" / "captions_val2017.json").write_bytes(b'{"images": [], "caption": "caf\xe9"}')
    fails_with(main, ["--split", "coco-param", "--source-root", str(root), "--limit", "1"], "are not UTF-8")


# ----------------------------------------------------------------------------------------- source image files
@case("image-missing-file")
def _(request):
    assert "No such file or directory" in skip_reason(request.getfixturevalue("coco_build"), "missing-file")


@case("image-not-an-image")
def _(request):
    assert skip_reason(request.getfixturevalue("coco_build"), "corrupt") == "not a readable image file"


@case("image-truncated")
def _(request):
    assert skip_reason(request.getfixturevalue("coco_build"), "truncated").startswith("corrupt or truncated")


@case("image-too-small")
def _(request):
    assert skip_reason(request.getfixturevalue("coco_build"), "too-small").startswith("short side 150 px < 256 px")


@case("image-decompression-bomb")
def _(request):
    assert skip_reason(request.getfixturevalue("coco_build"), "bomb").startswith("decompression bomb guard")


@case("image-cmyk")
def _(request):
    build = request.getfixturevalue("coco_build")
    gt = decode_png(build["dir"] / "gt" / f"{build['roles']['cmyk']}.png")
    assert gt.shape == (512, 512, 3)


@case("image-16-bit-gray")
def _(request):
    """Scaled by its high byte, as Pillow does for 16-bit RGB; a plain `convert("RGB")` would clip it to white."""
    from tipbench.canonical import load_canonical

    build = request.getfixturevalue("coco_build")
    gt = decode_png(build["dir"] / "gt" / f"{build['roles']['gray16']}.png")
    with Image.open(build["root"] / "val2017" / f"{build['roles']['gray16']}.png") as source:
        high = (np.asarray(source, dtype=np.int64) >> 8).astype(np.uint8)
    expected = load_canonical(_png_bytes(Image.fromarray(high).convert("RGB")))
    assert np.array_equal(gt, expected) and gt.mean() < 200


@case("image-rgba")
def _(request):
    from tipbench.canonical import load_canonical

    build = request.getfixturevalue("coco_build")
    path = build["root"] / "val2017" / f"{build['roles']['rgba']}.png"
    with Image.open(path) as source:
        assert source.mode == "RGBA"
        rgb = np.asarray(source)[..., :3].copy()  # alpha dropped, colour kept (no compositing)
    gt = decode_png(build["dir"] / "gt" / f"{build['roles']['rgba']}.png")
    assert np.array_equal(gt, load_canonical(_png_bytes(Image.fromarray(rgb))))


@case("image-palette")
def _(request):
    build = request.getfixturevalue("coco_build")
    assert decode_png(build["dir"] / "gt" / f"{build['roles']['palette']}.png").shape == (512, 512, 3)


@case("image-exif-rotated")
def _(request):
    """The GT is the image as displayed: the same as a file stored already rotated, without EXIF."""
    from tipbench.canonical import load_canonical

    build = request.getfixturevalue("coco_build")
    with Image.open(build["root"] / "val2017" / f"{build['roles']['exif']}.jpg") as source:
        upright = np.rot90(np.asarray(source.convert("RGB")), k=-1)  # orientation 6: 90° clockwise
    gt = decode_png(build["dir"] / "gt" / f"{build['roles']['exif']}.png")
    assert np.array_equal(gt, load_canonical(_png_bytes(Image.fromarray(np.ascontiguousarray(upright)))))


def _png_bytes(image: Image.Image) -> bytes:
    import io

    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


@case("build-summary-line")
def _(request):
    """Built, skipped and set-aside counts with the top reasons, without -v."""
    err = request.getfixturevalue("coco_build")["err"]
    line = next(line for line in err.splitlines() if "built " in line)
    assert line.startswith(f"INFO tipbench.build.runner: built {len(COCO_BUILT)} items, skipped {len(COCO_SKIPPED)} "
                           "(and 7 source entries set aside)")
    assert "top reasons: " in line and "skipped.jsonl" in line


# ------------------------------------------------------------------------------------------------ folder source
def _folder(request, files: dict[str, bytes]) -> list[str]:
    root = request.getfixturevalue("tmp_path") / "folder"
    root.mkdir()
    for name, data in files.items():
        (root / name).write_bytes(data)
    return ["--split", "coco-param", "--source-root", str(root), "--limit", "1",
            "--out", str(request.getfixturevalue("tmp_path") / "out")]


def _jpeg() -> bytes:
    return _png_bytes(Image.fromarray(photo(300, 280, 0)))


@case("folder-id-collision")
def _(request):
    from tipbench.build import main

    fails_with(main, _folder(request, {"a b.png": _jpeg(), "a_b.png": _jpeg()}), "map to the same id `a_b`")


@case("folder-captions-not-utf8")
def _(request):
    from tipbench.build import main

    argv = _folder(request, {"a.png": _jpeg(), "captions.csv": b"file_name,caption\na.png,caf\xe9\n"})
    fails_with(main, argv, "is not UTF-8 text")


@case("folder-captions-bad-header")
def _(request):
    from tipbench.build import main

    argv = _folder(request, {"a.png": _jpeg(), "captions.csv": b"name,text\na.png,a cat\n"})
    fails_with(main, argv, "must have a header `file_name,caption`")


@case("folder-captions-duplicate-row")
def _(request):
    from tipbench.build import main

    argv = _folder(request, {"a.png": _jpeg(), "captions.csv": b"file_name,caption\na.png,x\na.png,y\n"})
    fails_with(main, argv, "duplicate file_name `a.png`")


# ---------------------------------------------------------------------------------------------- StableSR source
@case("stablesr-zip-wrong-sha256")
def _(request):
    from tipbench.build import main

    root = request.getfixturevalue("tmp_path")
    with zipfile.ZipFile(root / "StableSR_testsets.zip", "w") as archive:
        archive.writestr("StableSR_testsets/DIV2K_V2_val/gt/x.png", _jpeg())
    fails_with(main, ["--split", "div2k-stablesr", "--source-root", str(root), "--limit", "1"], "has sha256")


@case("stablesr-gt-without-lq")
def _(request):
    assert request.getfixturevalue("stablesr_build")["skipped"]["a_no_lq"] == "no lq/a_no_lq.png beside gt/a_no_lq.png"


@case("stablesr-16-bit-pair")
def _(request):
    reason = request.getfixturevalue("stablesr_build")["skipped"]["b_16bit"]
    assert reason == "published gt is a 16-bit RGB PNG, not an 8-bit RGB PNG"


@case("stablesr-gt-wrong-size")
def _(request):
    assert request.getfixturevalue("stablesr_build")["skipped"]["c_size"] == "published gt is 256x256, not 512x512"


# ------------------------------------------------------------------------------------------------------ prompts
def _prompt_fails(text: str, fragment: str) -> None:
    from tipbench.prompts import parse_restoration_prompt

    with pytest.raises(PromptError, match=re.escape(fragment)):
        parse_restoration_prompt(text)


@case("prompt-unknown-operation")
def _(request):
    _prompt_fails("Sharpen with sigma 2.0", "unknown operation `Sharpen with sigma 2.0`")


@case("prompt-non-finite-number")
def _(request):
    _prompt_fails("Deblur with sigma nan", "non-finite number")


@case("prompt-out-of-range")
def _(request):
    _prompt_fails("Upsample to 40x", "value 40 out of range [1, 16]")


@case("prompt-duplicate-operation")
def _(request):
    _prompt_fails("Denoise with sigma 0.1; Denoise", "duplicate operation(s): noise")


@case("prompt-malformed-in-manifest")
def _(request):
    """A manifest prompt a prompt-reading method cannot parse fails that item alone, recorded with the reason."""
    from tipbench.run import main

    root = request.getfixturevalue("tmp_path")
    split_dir = make_param_split(root / "splits", n=2)
    edit_manifest(split_dir, lambda rows: [dict(r, restoration_prompt="Sharpen a lot") if r["index"] == 1 else r
                                           for r in rows])
    fails_with(main, ["--method", "classical-prompted", "--split", "synthetic-param", "--splits-dir",
                      str(root / "splits"), "--runs-dir", str(root / "runs"), "--no-score"], "1 item(s) failed")
    [failure] = jsonl(root / "runs" / "synthetic-param" / "classical-prompted" / "both" / "failures.jsonl")
    assert failure["id"] == "000000000001" and "unknown operation `Sharpen a lot`" in failure["error"]


# ---------------------------------------------------------------------------------------------- outputs folders
def _outputs(request, damage: Callable[[Path], None], fragment: str) -> None:
    from tipbench.score import main

    split_dir = request.getfixturevalue("tiny_split")
    root = request.getfixturevalue("tmp_path")
    outputs = root / "outputs"
    for gt in sorted((split_dir / "gt").glob("*.png")):
        write_png(outputs / gt.name, decode_png(gt))
    damage(outputs)
    fails_with(main, ["--split", "tiny-split", "--outputs", str(outputs), "--method", "m", "--splits-dir",
                      str(split_dir.parent), "--runs-dir", str(root / "runs"), "--metrics", ""], fragment)
    assert not (root / "runs" / "tiny-split").exists()  # nothing laid out, nothing scored


@case("outputs-16-bit-png")
def _(request):
    _outputs(request, lambda out: png_16bit_rgb(out / "img001.png", photo(32, 32, 0)),
             "img001 (16-bit RGB PNG, expected an 8-bit RGB PNG)")


@case("outputs-rgba-png")
def _(request):
    _outputs(request, lambda out: Image.new("RGBA", (32, 32)).save(out / "img000.png"),
             "img000 (8-bit RGBA PNG, expected an 8-bit RGB PNG)")


@case("outputs-palette-png")
def _(request):
    _outputs(request, lambda out: Image.new("RGB", (32, 32)).convert("P").save(out / "img002.png"),
             "img002 (8-bit P PNG, expected an 8-bit RGB PNG)")


@case("outputs-jpeg-named-png")
def _(request):
    _outputs(request, lambda out: Image.new("RGB", (32, 32)).save(out / "img000.png", format="JPEG"),
             "img000 (JPEG RGB (not a PNG), expected an 8-bit RGB PNG)")


@case("outputs-wrong-size")
def _(request):
    _outputs(request, lambda out: write_png(out / "img001.png", np.zeros((16, 16, 3), np.uint8)),
             "img001 (size 16×16, expected 32×32)")


@case("outputs-missing-id")
def _(request):
    _outputs(request, lambda out: (out / "img002.png").unlink(), "1 missing id(s): img002")


@case("outputs-extra-id")
def _(request):
    _outputs(request, lambda out: write_png(out / "zzz.png", np.zeros((32, 32, 3), np.uint8)),
             "1 id(s) not in split `tiny-split`: zzz")


@case("outputs-npy-nan")
def _(request):
    def damage(out: Path) -> None:
        (out / "img000.png").unlink()
        np.save(out / "img000.npy", np.full((32, 32, 3), np.nan, np.float32))
    _outputs(request, damage, "img000 (contains NaN or inf)")


@case("run-output-16-bit-png")
def _(request):
    """The same check for a run folder's `out/` (a method that saved 16-bit PNGs)."""
    from tipbench.score import main

    split_dir = request.getfixturevalue("tiny_split")
    root = request.getfixturevalue("tmp_path")
    argv = ["--split", "tiny-split", "--outputs", str(split_dir / "gt"), "--method", "m", "--splits-dir",
            str(split_dir.parent), "--runs-dir", str(root / "runs"), "--metrics", ""]
    assert call(main, argv)[0] == 0
    run_dir = root / "runs" / "tiny-split" / "m" / "both"
    png_16bit_rgb(run_dir / "out" / "img001.png", photo(32, 32, 0))
    fails_with(main, [str(run_dir), "--splits-dir", str(split_dir.parent), "--metrics", ""],
               "outputs that are not 8-bit RGB PNGs (save them with mode RGB, 8 bits; never converted here): "
               "img001 (16-bit RGB PNG)")


# ---------------------------------------------------------------------------------------------------- manifests
def _run_on_damaged_split(request, damage: Callable[[Path], None], fragment: str) -> None:
    from tipbench.run import main

    root = request.getfixturevalue("tmp_path")
    damage(make_param_split(root / "splits", n=2))
    fails_with(main, ["--method", "bicubic", "--split", "synthetic-param", "--splits-dir", str(root / "splits"),
                      "--runs-dir", str(root / "runs"), "--no-score"], fragment)


def _rewrite_manifest(split_dir: Path, edit: Callable) -> None:
    import pyarrow.parquet as pq

    pq.write_table(edit(pq.read_table(split_dir / "manifest.parquet")), split_dir / "manifest.parquet")


@case("manifest-missing-column")
def _(request):
    _run_on_damaged_split(request, lambda d: _rewrite_manifest(d, lambda t: t.drop(["lq_path"])),
                          "manifest.parquet` lacks columns: lq_path")


@case("manifest-duplicate-ids")
def _(request):
    import pyarrow as pa

    _run_on_damaged_split(request, lambda d: _rewrite_manifest(d, lambda t: pa.concat_tables([t, t.slice(0, 1)])),
                          "has duplicate ids: 000000000000")


@case("manifest-not-parquet")
def _(request):
    _run_on_damaged_split(request, lambda d: (d / "manifest.parquet").write_bytes(b"garbage"),
                          "is not a readable parquet file")


@case("manifest-lq-file-missing")
def _(request):
    root = request.getfixturevalue("tmp_path")
    # a split that lost a file is not the split that was built: refused before anything is restored
    _run_on_damaged_split(request, lambda d: (d / "lq" / "000000000001.png").unlink(),
                          "lq/000000000001.png: missing; check every file with `python -m tipbench.build --verify")
    assert not (root / "runs" / "synthetic-param" / "bicubic" / "both" / "out").exists()


# ------------------------------------------------------------------------------------------------------- shards
@case("shards-source-missing-file")
def _(request):
    run = request.getfixturevalue("shards_run")
    found = [s for s in run["samples"] if s["source_path"] == f"train2017/{run['names']['missing']}"]
    assert found and all(s["reason"].startswith("cannot read source file: No such file") for s in found)
    markers = [json.loads((run["out"] / f"shard-{k:06d}.json").read_text()) for k in range(2)]
    assert [m["num_written"] for m in markers] == [6, 6]  # replaced: every shard still full
    assert "skipped and replaced" in run["err"]


@case("shards-source-undecodable")
def _(request):
    run = request.getfixturevalue("shards_run")
    found = [s for s in run["samples"] if s["source_path"] == f"train2017/{run['names']['undecodable']}"]
    assert found and all(s["reason"] == "cannot decode image: not a readable image file" for s in found)


@case("shards-coco-duplicate-id")
def _(request):
    run = request.getfixturevalue("shards_run")
    assert sorted(s["source_path"] for s in run["source"] if s["kind"] == "image") == [
        f"train2017/{run['names']['good0']}", "train2017/twin.jpg"]
    assert [s["kind"] for s in run["source"]].count("annotation") == 1


@case("shards-truncated-tar")
def _(request):
    from data_recipes.reader import iter_shard_samples

    run = request.getfixturevalue("shards_run")
    damaged = request.getfixturevalue("tmp_path") / "shard-000000.tar"
    damaged.write_bytes((run["out"] / "shard-000000.tar").read_bytes()[:20_000])
    with pytest.raises(ManifestError, match="cannot read shard"):
        list(iter_shard_samples(damaged))


@case("shards-corrupt-marker")
def _(request):
    """A done marker that is not JSON means "not done": the shard is built again, to the same bytes."""
    from data_recipes.shards import main

    run = request.getfixturevalue("shards_run")
    out = request.getfixturevalue("tmp_path") / "out"
    shutil.copytree(run["out"], out)
    (out / "shard-000001.json").write_text("{half a marker", encoding="utf-8")
    assert call(main, [str(run["recipe"]), "--out", str(out), "--num-shards", "2", "-q"])[0] == 0
    for name in ("shard-000001.tar", "shard-000001.json"):
        assert (out / name).read_bytes() == (run["out"] / name).read_bytes()


# -------------------------------------------------------------------------------------- checkpoints and weights
@case("checkpoint-missing-directory")
def _(request):
    from tipbench.run import main

    root = request.getfixturevalue("tmp_path")
    make_param_split(root / "splits", n=1)
    fails_with(main, ["--method", "tip", "--checkpoint", str(root / "nowhere"), "--split", "synthetic-param",
                      "--splits-dir", str(root / "splits"), "--runs-dir", str(root / "runs")], "is not a directory")


@case("checkpoint-corrupt-marker", slow=True)  # imports the diffusers stack (~20 s on the dev box)
def _(request):
    from tipbench.run import main

    root = request.getfixturevalue("tmp_path")
    make_param_split(root / "splits", n=1)
    (root / "ckpt").mkdir()
    (root / "ckpt" / "tipbench.json").write_text("{not json", encoding="utf-8")
    fails_with(main, ["--method", "tip", "--checkpoint", str(root / "ckpt"), "--split", "synthetic-param",
                      "--splits-dir", str(root / "splits"), "--runs-dir", str(root / "runs")], "is not valid JSON")


@case("checkpoint-truncated-weights", slow=True)  # writes a tiny pipeline first (~1 min on the dev box)
def _(request):
    from reference_model.tiny import save_tiny_pipeline
    from tipbench.run import main

    root = request.getfixturevalue("tmp_path")
    make_param_split(root / "splits", n=1)
    checkpoint = Path(save_tiny_pipeline(root / "ckpt"))
    weights = checkpoint / "unet" / "diffusion_pytorch_model.safetensors"
    weights.write_bytes(weights.read_bytes()[:1000])
    fails_with(main, ["--method", "tip", "--checkpoint", str(checkpoint), "--split", "synthetic-param",
                      "--splits-dir", str(root / "splits"), "--runs-dir", str(root / "runs")],
               "Unable to load weights from checkpoint file")


@case("weights-corrupt-file")
def _(request):
    from tipbench.score import main

    split_dir = request.getfixturevalue("tiny_split")
    root = request.getfixturevalue("tmp_path")
    request.getfixturevalue("monkeypatch").setenv("TIPBENCH_WEIGHTS", str(root / "weights"))
    (root / "weights").mkdir()
    (root / "weights" / "alex.pth").write_bytes(b"not the LPIPS head")
    text = fails_with(main, ["--split", "tiny-split", "--outputs", str(split_dir / "gt"), "--method", "m",
                             "--splits-dir", str(split_dir.parent), "--runs-dir", str(root / "runs"),
                             "--metrics", "lpips", "--strict-metrics"], "missing or corrupt")
    assert "lpips-alex-head: corrupt: sha256 of" in text


# ------------------------------------------------------------------------------------------------- the checks
@pytest.mark.parametrize("key", [pytest.param(key, marks=[pytest.mark.slow] if slow else [])
                                 for key, (_, slow) in CASES.items()])
def test_bad_input(key: str, request: pytest.FixtureRequest) -> None:
    CASES[key][0](request)


def doc_rows() -> list[str]:
    """The row keys of the table under "## Bad inputs: what happens" in docs/reliability.md."""
    text = DOC.read_text(encoding="utf-8")
    section = text.split("## Bad inputs: what happens", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([a-z0-9-]+)` \|", section, flags=re.M)


def test_the_doc_table_and_the_cases_match() -> None:
    rows = doc_rows()
    assert len(rows) == len(set(rows)), "a row is listed twice"
    assert set(rows) == set(CASES), (sorted(set(rows) - set(CASES)), sorted(set(CASES) - set(rows)))
    assert len(rows) >= 25
