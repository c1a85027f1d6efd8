"""Removal / preservation on oracle outputs, and the selective split reader's checks."""

from __future__ import annotations

import json
import math
import shutil

import pytest

from tests.tiny_splits import edit_manifest, make_selective_split
from tipbench.adherence.scoring import diagnose_item
from tipbench.adherence.split import named_operation, read_selective_items
from tipbench.contracts.split_folder import read_split_folder
from tipbench.errors import ManifestError


@pytest.fixture(scope="module")
def items(selective_split):
    return read_selective_items(read_split_folder(selective_split))


def test_reader_gives_both_named_operations_with_their_params(items):
    assert {item.named for item in items} == {"noise", "blur"}
    for item in items:
        assert item.target_path.is_file() and item.lq_path.is_file() and item.gt_path.is_file()
        assert 0.2 <= item.blur_sigma <= 4.0 and 0.01 <= item.noise_sigma <= 0.25
    assert [item.index for item in items] == sorted(item.index for item in items)


@pytest.mark.parametrize("kind, expected_removal, expected_preservation", [
    ("target", 1.0, 1.0),  # the selective target is by definition fully adherent
    ("lq", 0.0, None),  # doing nothing removes nothing
    ("gt", None, 0.0),  # blind restoration (everything removed) preserves nothing
])
def test_oracle_outputs_hit_the_anchors(items, kind, expected_removal, expected_preservation):
    measured = 0
    for item in items:
        result = diagnose_item(item, getattr(item, f"{kind}_path"))
        for name, expected in (("removal", expected_removal), ("preservation", expected_preservation)):
            if expected is None or math.isnan(result[name]):
                continue
            measured += 1
            assert result[f"{name}_raw"] == pytest.approx(expected, abs=1e-9), (item.id, item.named, name)
    assert measured >= len(items)  # the anchors of most rows are measurable


def test_doing_nothing_preserves_and_blind_restoration_removes(items):
    for item in items:
        nothing = diagnose_item(item, item.lq_path)
        if not math.isnan(nothing["preservation"]):
            assert nothing["preservation"] > 0.9, item.id
        blind = diagnose_item(item, item.gt_path)
        if not math.isnan(blind["removal"]):
            assert blind["removal"] > 0.9, item.id


def test_named_operation_parses_one_op_only():
    assert named_operation("Denoise with sigma 0.10") == "noise"
    assert named_operation("deblur with sigma 2.0;") == "blur"
    for bad in ("Deblur with sigma 2.0; Denoise with sigma 0.10", "Dejpeg with quality 40", "", "Remove all degradation",
                "Sharpen"):
        with pytest.raises(ManifestError):
            named_operation(bad)


def _copy_with(split_dir, tmp_path, edit):
    copy = tmp_path / "copy"
    shutil.copytree(split_dir, copy)
    edit_manifest(copy, edit)
    return copy


def test_reader_refuses_non_selective_splits(selective_split, tmp_path):
    def param_rows(rows):
        for row in rows:
            row["pipeline"] = "param"
        return rows

    with pytest.raises(ManifestError, match="selective"):
        read_selective_items(read_split_folder(_copy_with(selective_split, tmp_path, param_rows)))


def test_reader_refuses_a_split_without_targets(tmp_path):
    split = make_selective_split(tmp_path, n=2, size=64)
    edit_manifest(split, lambda rows: [{**row, "target_path": None, "target_sha256": None} for row in rows])
    with pytest.raises(ManifestError, match="target_path"):
        read_selective_items(read_split_folder(split))


def test_reader_refuses_a_prompt_that_disagrees_with_params(selective_split, tmp_path):
    def flip(rows):
        params = json.loads(rows[0]["params"])
        params["named"] = "blur" if params["named"] == "noise" else "noise"
        rows[0]["params"] = json.dumps(params)
        return rows

    with pytest.raises(ManifestError, match="names"):
        read_selective_items(read_split_folder(_copy_with(selective_split, tmp_path, flip)))


def test_anchor_cache_is_written_once_and_read_back_unchanged(selective_split, tmp_path, caplog):
    import logging

    from tipbench.adherence.scoring import split_anchors

    copy = tmp_path / "split"
    shutil.copytree(selective_split, copy, ignore=shutil.ignore_patterns(".cache"))
    items = read_selective_items(read_split_folder(copy))
    fresh = split_anchors(items, copy, use_cache=False)
    assert not (copy / ".cache").exists()
    assert split_anchors(items, copy) == fresh
    assert len(list((copy / ".cache" / "metrics").glob("adherence-anchors-*.npz"))) == 1
    with caplog.at_level(logging.INFO, logger="tipbench.metrics.gt_cache"):
        assert split_anchors(items, copy) == fresh
    assert "cache hit" in caplog.text
    # with the anchors given, an item's diagnosis is the same as computing them on the spot
    assert diagnose_item(items[0], items[0].lq_path, fresh[0]) == diagnose_item(items[0], items[0].lq_path)
