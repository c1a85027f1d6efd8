"""A bad source file costs one sample, never the job (issue 13 points 1 and 3): it is recorded in the shard's
skipped.jsonl and replaced from the shard's own stream, so shard k's bytes do not depend on the other shards' files,
nor on whether shards are built alone or together; the COCO captions go through the test-set builder's reader."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from data_recipes.reader import iter_shard_samples
from data_recipes.shards import main

N_IMAGES, SAMPLES, SHARDS = 10, 8, 2


def make_coco_train(root: Path, *, duplicate_id: bool = False) -> dict[str, list[str]]:
    """`train2017/` + `annotations/captions_train2017.json`; returns file name → captions."""
    (root / "train2017").mkdir(parents=True)
    (root / "annotations").mkdir()
    images, annotations, captions = [], [], {}
    for k in range(N_IMAGES):
        name = f"{k + 1:012d}.jpg"
        rng = np.random.default_rng(k)
        Image.fromarray(rng.integers(0, 256, (120, 140, 3), dtype=np.uint8)).save(root / "train2017" / name)
        images.append({"id": k + 1, "file_name": name})
        captions[name] = [f"photo {k + 1}, caption {c}" for c in range(2)]
        annotations += [{"id": 10 * k + c, "image_id": k + 1, "caption": text} for c, text in enumerate(captions[name])]
    if duplicate_id:  # image id 3 listed a second time with another file: both entries must be set aside
        Image.fromarray(np.zeros((120, 140, 3), np.uint8)).save(root / "train2017" / "other.jpg")
        images.append({"id": 3, "file_name": "other.jpg"})
    (root / "annotations" / "captions_train2017.json").write_text(
        json.dumps({"images": images, "annotations": annotations}), encoding="utf-8")
    return captions


def write_coco_recipe(path: Path, root: Path) -> Path:
    path.write_text("\n".join([
        "name: coco-bad-files", "source:", "  kind: coco", f"  root: {root}", "crop:", "  min_short_side: 100",
        "mixture:", "  realesrgan_probability: 0.0", "resolution: 96", "mode: paired", f"num_samples: {SAMPLES}",
        "seed: 0"]) + "\n", encoding="utf-8")
    return path


def shard_bytes(out: Path, k: int) -> str:
    return hashlib.sha256((out / f"shard-{k:06d}.tar").read_bytes()).hexdigest()


def build(recipe: Path, out: Path, *extra: str) -> int:
    return main([str(recipe), "--out", str(out), "--num-shards", str(SHARDS), "--no-progress", *extra])


@pytest.fixture(scope="module")
def clean(tmp_path_factory) -> tuple[Path, Path]:
    """The reference: a clean source, both shards built in one process."""
    base = tmp_path_factory.mktemp("clean")
    make_coco_train(base / "coco")
    recipe = write_coco_recipe(base / "recipe.yaml", base / "coco")
    assert build(recipe, base / "out") == 0
    return base, recipe


def source_of(out: Path, index: int) -> str:
    """The source file sample `index` was made from (its metadata member)."""
    return json.loads(_member(out, f"{index:09d}.json"))["source_path"]


def _member(out: Path, name: str) -> bytes:
    import tarfile

    for tar in sorted(out.glob("shard-*.tar")):
        with tarfile.open(tar) as archive:
            if name in archive.getnames():
                return archive.extractfile(name).read()
    raise KeyError(name)


def test_a_missing_file_is_skipped_replaced_and_leaves_the_other_shard_alone(clean, tmp_path, capsys):
    base, _ = clean
    victim = source_of(base / "out", 5)  # a sample of shard 1
    root = tmp_path / "coco"
    make_coco_train(root)
    (root / victim).unlink()  # listed in the captions file, gone from disk
    recipe = write_coco_recipe(tmp_path / "recipe.yaml", root)
    together, alone = tmp_path / "together", tmp_path / "alone"
    assert build(recipe, together) == 0
    err = capsys.readouterr().err
    assert "1 skipped and replaced" in err and "cannot read source file" in err  # the count, at default verbosity
    assert build(recipe, alone, "--shard-index", "1", "-q") == 0
    # shard 0 never touched the missing file: the same bytes as from the clean source
    assert shard_bytes(together, 0) == shard_bytes(base / "out", 0)
    # shard 1 is the same built alone or together, still full, and says what it skipped
    assert shard_bytes(together, 1) == shard_bytes(alone, 1) != shard_bytes(base / "out", 1)
    marker = json.loads((together / "shard-000001.json").read_text())
    assert marker["num_written"] == SAMPLES // SHARDS and marker["num_short"] == 0
    skipped = [json.loads(line) for line in (together / "shard-000001.skipped.jsonl").read_text().splitlines()]
    assert [(s["index"], s["id"], s["source_path"]) for s in skipped] == [(5, "000000005", victim)]
    assert "No such file" in skipped[0]["reason"]
    assert (together / "shard-000000.skipped.jsonl").read_text() == ""
    indices = sorted(s["index"] for s in iter_shard_samples(together / "shard-000001.tar"))
    assert indices == [4, 6, 7, SAMPLES + 1]  # the replacement is the first of shard 1's stream N + 1, N + 3, ...


def test_a_bad_file_in_shard_0_leaves_shard_1_alone(clean, tmp_path):
    base, _ = clean
    root = tmp_path / "coco"
    make_coco_train(root)
    (root / source_of(base / "out", 1)).write_bytes(b"not an image")  # undecodable, sample 1 of shard 0
    out = tmp_path / "out"
    assert build(write_coco_recipe(tmp_path / "recipe.yaml", root), out, "-q") == 0
    assert shard_bytes(out, 1) == shard_bytes(base / "out", 1)
    assert shard_bytes(out, 0) != shard_bytes(base / "out", 0)


def test_a_duplicated_coco_id_is_set_aside_never_mis_paired(tmp_path, capsys):
    captions = make_coco_train(tmp_path / "coco", duplicate_id=True)
    out = tmp_path / "out"
    assert build(write_coco_recipe(tmp_path / "recipe.yaml", tmp_path / "coco"), out) == 0
    assert "2 image entries skipped" in capsys.readouterr().err
    set_aside = [json.loads(line) for line in (out / "skipped.jsonl").read_text().splitlines()]
    assert sorted(s["source_path"] for s in set_aside) == ["train2017/000000000003.jpg", "train2017/other.jpg"]
    assert all("COCO image id 3" in s["reason"] and "`other.jpg`" in s["reason"] and s["kind"] == "image"
               for s in set_aside)
    samples = list(iter_shard_samples(out))
    assert len(samples) == SAMPLES
    for sample in samples:  # every caption belongs to the image it is paired with
        meta = json.loads(_member(out, f"{sample['index']:09d}.json"))
        assert meta["source_path"] not in ("train2017/000000000003.jpg", "train2017/other.jpg")
        assert meta["caption"] in captions[Path(meta["source_path"]).name]
