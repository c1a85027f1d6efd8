"""Acceptance of issue 3: coco-param and coco-realesrgan from a synthetic COCO tree (the real captions reader)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from build_helpers import folder_hashes, make_coco_tree

from tests.tiny_splits import manifest_frame
from tipbench.build import BuildConfig, build_split
from tipbench.contracts.split_folder import MANIFEST_COLUMNS
from tipbench.degradations.base import DEGRADATIONS
from tipbench.io import decode_png, sha256_file
from tipbench.prompts import BLIND_PROMPT, parse_restoration_prompt, to_type_only

N_IMAGES, N = 8, 6
NO_CAPTION = 1000 + 7 * 3  # this image has only an empty caption → skipped, the next id takes its place


@pytest.fixture(scope="module")
def coco(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[str]]]:
    root = tmp_path_factory.mktemp("coco")
    return root, make_coco_tree(root, N_IMAGES, no_caption_ids=(NO_CAPTION,))


@pytest.fixture(scope="module")
def built(coco, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root, _ = coco
    out = tmp_path_factory.mktemp("splits")
    return {split: build_split(BuildConfig(split=split, source_root=str(root), out=str(out), limit=N,
                                           progress=False))
            for split in ("coco-param", "coco-realesrgan")}


def check_common_columns(split_dir: Path, captions: dict[str, list[str]]) -> None:
    frame = manifest_frame(split_dir)
    assert list(frame.columns) == list(MANIFEST_COLUMNS)
    assert len(frame) == N and frame["index"].is_monotonic_increasing
    for row in frame.to_dict("records"):
        assert len(row["id"]) == 12 and row["id"].isdigit()
        assert row["source_path"] == f"val2017/{row['id']}.jpg"
        assert row["gt_path"] == f"gt/{row['id']}.png" and row["lq_path"] == f"lq/{row['id']}.png"
        assert sha256_file(split_dir / row["gt_path"]) == row["gt_sha256"]
        assert sha256_file(split_dir / row["lq_path"]) == row["lq_sha256"]
        assert decode_png(split_dir / row["gt_path"]).shape == (512, 512, 3)
        lq = decode_png(split_dir / row["lq_path"])
        assert (row["width_lq"], row["height_lq"]) == (lq.shape[1], lq.shape[0])
        assert row["semantic_prompt"] in captions[row["id"]]
        assert row["seed"] == 0
        json.loads(row["params"])


def test_coco_param_manifest(built, coco) -> None:
    root, captions = coco
    split_dir = built["coco-param"]
    check_common_columns(split_dir, captions)
    frame = manifest_frame(split_dir)
    assert (frame["pipeline"] == "param").all()
    # the image without a caption sits inside the built prefix, is recorded, and the next id replaces it
    skipped = [json.loads(line) for line in (split_dir / "skipped.jsonl").read_text().splitlines()]
    no_caption_id = f"{NO_CAPTION:012d}"
    assert no_caption_id not in set(frame["id"])
    assert [(entry["id"], entry["reason"]) for entry in skipped] == [(no_caption_id, "no non-empty caption")]
    assert frame["index"].max() == N  # seed 0 puts it at index 2, so index N takes the N-th place
    info = json.loads((split_dir / "split.json").read_text())
    assert info["n_built"] == N and info["n_skipped"] == len(skipped) and info["source"] == "coco"
    assert info["manifest_sha256"] == sha256_file(split_dir / "manifest.parquet")
    pipeline = DEGRADATIONS.get("param")
    for row in frame.to_dict("records"):
        params = pipeline.params_from_dict(json.loads(row["params"]))
        assert parse_restoration_prompt(row["restoration_prompt"]) == params.ops()
        assert row["restoration_prompt_type"] == to_type_only(row["restoration_prompt"])
        expected = round(512 / params.downsample_factor) if params.downsample_factor else 512
        assert (row["width_lq"], row["height_lq"]) == (expected, expected)
        regenerated = pipeline.apply(decode_png(split_dir / row["gt_path"]), params).lq
        assert np.array_equal(regenerated, decode_png(split_dir / row["lq_path"]))


def test_coco_realesrgan_shares_ids_and_gt(built, coco) -> None:
    _, captions = coco
    check_common_columns(built["coco-realesrgan"], captions)
    param, real = manifest_frame(built["coco-param"]), manifest_frame(built["coco-realesrgan"])
    assert list(param["id"]) == list(real["id"]) and list(param["index"]) == list(real["index"])
    assert list(param["gt_sha256"]) == list(real["gt_sha256"])
    assert list(param["semantic_prompt"]) == list(real["semantic_prompt"])
    assert (real["restoration_prompt"] == BLIND_PROMPT).all() and (real["restoration_prompt_type"] == BLIND_PROMPT).all()
    assert (real["pipeline"] == "realesrgan").all()
    assert ((real["width_lq"] == 128) & (real["height_lq"] == 128)).all()
    pipeline = DEGRADATIONS.get("realesrgan")
    row = real.iloc[0]
    regenerated = pipeline.apply(decode_png(built["coco-realesrgan"] / row["gt_path"]),
                                 pipeline.params_from_dict(json.loads(row["params"]))).lq
    assert np.array_equal(regenerated, decode_png(built["coco-realesrgan"] / row["lq_path"]))


def test_rebuild_and_limit_give_identical_bytes(built, coco, tmp_path: Path) -> None:
    root, _ = coco
    again = build_split(BuildConfig(split="coco-param", source_root=str(root), out=str(tmp_path / "a"), limit=N,
                                    progress=False))
    assert folder_hashes(again) == folder_hashes(built["coco-param"])
    shorter = build_split(BuildConfig(split="coco-param", source_root=str(root), out=str(tmp_path / "b"), limit=2,
                                      progress=False))
    full, prefix = manifest_frame(built["coco-param"]), manifest_frame(shorter)
    assert list(prefix["lq_sha256"]) == list(full["lq_sha256"][:2])
    assert list(prefix["params"]) == list(full["params"][:2])


def test_other_seed_changes_order(coco, built, tmp_path: Path) -> None:
    root, _ = coco
    other = build_split(BuildConfig(split="coco-param", source_root=str(root), out=str(tmp_path), limit=N, seed=1,
                                    progress=False))
    assert list(manifest_frame(other)["params"]) != list(manifest_frame(built["coco-param"])["params"])
    assert (manifest_frame(other)["seed"] == 1).all()
