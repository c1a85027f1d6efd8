"""Only the paper's own sources can be comparable: COCO val2017 with the protocol's selection, the StableSR DIV2K
test set by sha256, DIV2K_valid_HR. A `folder` source never is, whatever it holds (tipbench.paper_data)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from build_helpers import make_coco_tree, smooth_image
from PIL import Image

from tipbench import paper_data as verdicts
from tipbench.build.cli import main as build_main
from tipbench.contracts.split_folder import SplitFolder, read_split_folder
from tipbench.io import read_json
from tipbench.paper_data import COCO_VAL2017_IMAGES, DIV2K_VALID_STEMS, paper_data, read_stablesr_hashes
from tipbench.sources.base import stems_sha256
from tipbench.sources.stablesr import ZIP_SHA256


def _build(*args: str) -> int:
    return build_main([*args, "--no-progress"])


def test_a_folder_source_is_never_the_papers_data(tmp_path, caplog):
    source = tmp_path / "photos"
    source.mkdir()
    for number in range(3):
        Image.fromarray(smooth_image(300, 280, number)).save(source / f"shot{number}.png")
    with caplog.at_level(logging.WARNING):
        assert _build("--split", "coco-param", "--source-root", str(source), "--limit", "2", "--out",
                      str(tmp_path / "splits")) == 0
    split = read_split_folder(tmp_path / "splits" / "coco-param")
    assert split.source == "folder" and split.info["source_fingerprint"] == {"images": 3}
    verdict = paper_data(split)
    assert not verdict.ok and "user image folder" in verdict.reason
    assert "is not the paper's test data (a user image folder" in caplog.text
    # even a folder as large as the benchmark, with every other piece of evidence a COCO build would have
    forged = SplitFolder(split.path, split.rows, {**split.info, "source_fingerprint": {"images": COCO_VAL2017_IMAGES}},
                         split.manifest_sha256)
    assert not paper_data(forged).ok


def test_a_coco_tree_that_is_not_val2017_is_not_the_papers_selection(tmp_path):
    make_coco_tree(tmp_path / "coco", 4)
    assert _build("--split", "coco-param", "--source-root", str(tmp_path / "coco"), "--limit", "2", "--out",
                  str(tmp_path / "splits")) == 0
    info = read_json(tmp_path / "splits" / "coco-param" / "split.json")
    assert info["source"] == "coco" and info["source_fingerprint"]["images"] == 4
    assert len(info["source_fingerprint"]["annotations_sha256"]) == 64
    verdict = paper_data(read_split_folder(tmp_path / "splits" / "coco-param"))
    assert not verdict.ok and "lists 4 images, not val2017's 5000" in verdict.reason


def test_a_div2k_folder_is_fingerprinted_by_its_image_names(tmp_path):
    source = tmp_path / "DIV2K_valid_HR"
    source.mkdir()
    for stem in ("0801", "0802"):
        Image.fromarray(smooth_image(520, 516, int(stem))).save(source / f"{stem}.png")
    assert _build("--split", "div2k-realesrgan", "--source-root", str(source), "--limit", "1", "--out",
                  str(tmp_path / "splits")) == 0
    split = read_split_folder(tmp_path / "splits" / "div2k-realesrgan")
    assert split.info["source_fingerprint"] == {"images": 2, "stems_sha256": stems_sha256(["0801", "0802"])}
    assert not paper_data(split).ok


def _info(source: str, fingerprint: dict | None, seed: int = 0) -> SplitFolder:
    info = {"source": source, "seed": seed}
    if fingerprint is not None:
        info["source_fingerprint"] = fingerprint
    return SplitFolder(Path("."), (), info, "")


@pytest.mark.parametrize(("source", "fingerprint", "seed", "ok"), [
    ("coco", {"images": COCO_VAL2017_IMAGES}, 0, True),
    ("coco", {"images": COCO_VAL2017_IMAGES}, 1, False),  # another seed selects other ids
    ("coco", {"images": COCO_VAL2017_IMAGES - 1}, 0, False),
    ("div2k", {"stems_sha256": stems_sha256(DIV2K_VALID_STEMS)}, 0, True),
    ("div2k", {"stems_sha256": stems_sha256(DIV2K_VALID_STEMS[:-1])}, 0, False),
    ("stablesr-zip", {"zip_sha256": ZIP_SHA256}, 0, True),
    ("stablesr-zip", {"zip_sha256": "0" * 64}, 0, False),  # a build told to accept another zip
    ("coco", None, 0, False),  # built before fingerprints existed: rebuild
    ("sample", {"images": 9}, 0, False),
    ("folder", {"images": 3000}, 0, False),
])
def test_each_paper_source_passes_only_with_its_evidence(source, fingerprint, seed, ok):
    assert paper_data(_info(source, fingerprint, seed)).ok is ok


def test_an_extracted_stablesr_folder_needs_the_recorded_file_hashes(tmp_path, monkeypatch):
    from tests.tiny_splits import make_param_split

    split = read_split_folder(make_param_split(tmp_path / "splits", n=2, size=32))
    split = SplitFolder(split.path, split.rows, {"source": "stablesr", "seed": 0, "source_fingerprint": {"pairs": 2}},
                        split.manifest_sha256)
    # the shipped list is honest: not filled yet (it could not be made without the zip), so nothing passes
    assert read_stablesr_hashes() == {}
    assert "not filled yet" in paper_data(split).reason
    listed = tmp_path / "hashes.txt"
    lines = [f"{row.id} {row.gt_sha256} {row.lq_sha256}" for row in split.rows]
    listed.write_text("# comment\n" + "\n".join(lines) + "\n")
    monkeypatch.setattr(verdicts, "STABLESR_HASHES", listed)
    assert paper_data(split).ok
    listed.write_text("\n".join([*lines[:-1], f"{split.rows[-1].id} {'0' * 64} {split.rows[-1].lq_sha256}"]) + "\n")
    verdict = paper_data(split)
    assert not verdict.ok and f"first: {split.rows[-1].id}" in verdict.reason
