"""HF export: round trip through `load_dataset("parquet")` and `load_from_disk`, the card, and `--push` offline."""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tipbench.contracts import PROTOCOL
from tipbench.contracts.split_folder import new_item, write_split_folder
from tipbench.degradations import DEGRADATIONS
from tipbench.publish import main
from tipbench.publish.card import REQUIRED_SECTIONS, front_matter

N = 7


def make_split(splits: Path, name: str = "coco-param", source: str = "coco", *, with_target: bool = False) -> Path:
    """A small split folder in the contracts §1 layout, degraded with the param pipeline."""
    param = DEGRADATIONS.get("param")
    items = []
    for index in range(N):
        rng = np.random.default_rng(index)
        gt = (rng.random((64, 64, 3)) * 255).astype(np.uint8)
        result = param.degrade(gt, seed=0, index=index)
        items.append(new_item(
            f"{index:012d}", index, gt=gt, lq=result.lq, target=255 - gt if with_target else None,
            semantic_prompt=f"caption {index}" if index % 3 else "", restoration_prompt=result.restoration_prompt,
            restoration_prompt_type=result.restoration_prompt_type, params=result.params,
            source_path=f"val2017/{index:012d}.jpg"))
    return write_split_folder(splits / name, items, {
        "split": name, "seed": 0, "source": source, "source_root": "/data/coco", "n_requested": N, "n_skipped": 0,
        "pipeline": "param", "param_set": None, "versions": {"numpy": np.__version__}}).path


def file_sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    base = tmp_path_factory.mktemp("publish")
    split_dir = make_split(base / "splits")
    out = base / "hf"
    assert main(["--split", "coco-param", "--splits-dir", str(base / "splits"), "--out", str(out),
                 "--rows-per-shard", "3", "-q"]) == 0
    return split_dir, out


def test_parquet_round_trip_keeps_bytes_and_columns(exported):
    from datasets import Image as ImageFeature
    from datasets import load_dataset

    split_dir, out = exported
    files = sorted(str(p) for p in (out / "data").glob("*.parquet"))
    assert len(files) == 3  # 7 rows, 3 per shard
    dataset = load_dataset("parquet", data_files=files, split="train")
    assert isinstance(dataset.features["gt"], ImageFeature) and isinstance(dataset.features["lq"], ImageFeature)
    raw = dataset.cast_column("gt", ImageFeature(decode=False)).cast_column("lq", ImageFeature(decode=False))
    import pandas as pd

    manifest = pd.read_parquet(split_dir / "manifest.parquet")
    assert list(raw["id"]) == list(manifest["id"])
    for row, (_, expected) in zip(raw, manifest.iterrows()):
        assert hashlib.sha256(row["gt"]["bytes"]).hexdigest() == expected["gt_sha256"] == file_sha(
            split_dir / expected["gt_path"])
        assert hashlib.sha256(row["lq"]["bytes"]).hexdigest() == expected["lq_sha256"]
        for column in ("semantic_prompt", "restoration_prompt", "restoration_prompt_type", "pipeline", "params"):
            assert row[column] == expected[column]
        params = json.loads(expected["params"])
        for column in ("blur_sigma", "downsample_factor", "noise_sigma", "jpeg_quality"):
            value = params[column]
            # exactly the recorded value (a float32 column would turn 0.6 into 0.6000000238418579)
            assert (row[column] is None) if value is None else (row[column] == value and type(row[column]) is type(value))
    decoded = dataset[0]["gt"]
    expected_pixels = np.asarray(Image.open(split_dir / manifest["gt_path"][0]).convert("RGB"))
    assert (np.asarray(decoded.convert("RGB")) == expected_pixels).all()


def test_load_from_disk_round_trip(exported):
    from datasets import Image as ImageFeature
    from datasets import load_from_disk

    split_dir, out = exported
    dataset = load_from_disk(str(out / "disk"))["test"]
    assert str(dataset.split) == "test"  # generated as `test` (no "Generating train split" for a test split)
    dataset = dataset.cast_column("lq", ImageFeature(decode=False))
    assert len(dataset) == N and "target" not in dataset.features
    for row in dataset:
        assert hashlib.sha256(row["lq"]["bytes"]).hexdigest() == file_sha(split_dir / "lq" / f"{row['id']}.png")


def test_dataset_card_front_matter_and_sections(exported):
    _, out = exported
    text = (out / "README.md").read_text(encoding="utf-8")
    meta = front_matter(text)
    assert meta["license"] == "other" and meta["license_name"] == "coco-terms"
    assert meta["configs"][0]["config_name"] == "coco-param"
    assert meta["configs"][0]["data_files"][0] == {"split": "test", "path": "data/test-*.parquet"}
    assert meta["task_categories"] == ["image-to-image"]
    for section in REQUIRED_SECTIONS:
        assert section in text
    for column in ("restoration_prompt_type", "blur_sigma", "gt_sha256"):
        assert f"| `{column}` |" in text
    assert "Global seed `0`" in text and PROTOCOL in text and "2312.11595" in text


def test_target_column_and_sample_warning(tmp_path):
    from datasets import load_dataset

    make_split(tmp_path / "splits", "coco-selective", source="sample", with_target=True)
    out = tmp_path / "hf"
    assert main(["--split", "coco-selective", "--splits-dir", str(tmp_path / "splits"), "--out", str(out),
                 "--no-disk", "-q"]) == 0
    assert not (out / "disk").exists()
    dataset = load_dataset("parquet", data_files=str(out / "data" / "*.parquet"), split="train")
    target = np.asarray(dataset[0]["target"].convert("RGB"))
    gt = np.asarray(dataset[0]["gt"].convert("RGB"))
    assert (target == 255 - gt).all()
    text = (out / "README.md").read_text(encoding="utf-8")
    assert front_matter(text)["license"] == "cc0-1.0" and "not the benchmark" in text.lower()


def test_card_shows_the_build_command_that_ran_and_never_none(tmp_path, caplog):
    import logging

    split_dir = make_split(tmp_path / "splits")
    info = json.loads((split_dir / "split.json").read_text())
    info.update({"build": {"split": "coco-param", "seed": 0, "limit": N, "source_root": "/data/coco"},
                 "split_spec": {"source_kind": "coco"}, "n_built": N})
    (split_dir / "split.json").write_text(json.dumps(info))
    out = tmp_path / "hf"
    assert main(["--split", "coco-param", "--splits-dir", str(tmp_path / "splits"), "--out", str(out), "--no-disk",
                 "-q"]) == 0
    card = (out / "README.md").read_text(encoding="utf-8")
    assert f"python -m tipbench.build --split coco-param --source-root /data/coco --limit {N}\n" in card
    assert "None" not in card and "parameter set" not in card  # the param pipeline has no parameter set
    assert f"**{N} items, not 3000**" in card
    # the same split as a sample build, published without -q: a loud warning, and the card says so
    info.update({"source": "sample", "source_root": None, "build": {"split": "coco-param", "seed": 0, "limit": None,
                                                                    "source_root": None}})
    (split_dir / "split.json").write_text(json.dumps(info))
    with caplog.at_level(logging.WARNING):
        assert main(["--split", "coco-param", "--splits-dir", str(tmp_path / "splits"), "--out", str(out),
                     "--no-disk"]) == 0
    assert "publishing `coco-param`, which is NOT the benchmark: the bundled sample photos" in caplog.text
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "python -m tipbench.build --split coco-param\n" in card and "None" not in card
    assert "**Sample build**" in card


def test_card_names_an_environment_root_as_such():
    from tipbench.publish.card import card_text

    info = {"source": "coco", "source_root": "/env/coco", "split_spec": {"source_kind": "coco"}, "seed": 0,
            "build": {"split": "coco-param", "seed": 0, "limit": None, "source_root": None}, "n_requested": 3000,
            "n_built": 3000, "pipeline": "realesrgan", "param_set": "realesrgan-x4plus", "protocol": PROTOCOL}
    card = card_text("coco-param", info, ["id"], 3000, "data/test-*.parquet")
    assert "TIPBENCH_COCO_ROOT=/env/coco python -m tipbench.build --split coco-param\n" in card
    assert "parameter set `realesrgan-x4plus`" in card and "None" not in card and "items, not 3000" not in card


def test_push_without_token_says_what_is_missing_and_keeps_the_export(exported, tmp_path, capsys, monkeypatch):
    split_dir, _ = exported
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    monkeypatch.delenv("HF_TOKEN", raising=False)
    out = tmp_path / "pushed"
    code = main(["--split", "coco-param", "--splits-dir", str(split_dir.parent), "--out", str(out),
                 "--repo-id", "org/name", "--push", "-q", "--no-disk"])
    err = capsys.readouterr().err
    assert code == 1
    assert "HF_HUB_OFFLINE" in err and "token" in err and "local export" in err
    assert (out / "README.md").is_file() and list((out / "data").glob("*.parquet"))


def test_errors_for_missing_split_and_tampered_files(tmp_path, capsys):
    assert main(["--split", "coco-param", "--splits-dir", str(tmp_path), "--out", str(tmp_path / "o")]) == 1
    err = capsys.readouterr().err
    assert "does not exist" in err and "python -m tipbench.build --split coco-param" in err
    split_dir = make_split(tmp_path / "splits")
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64)).save(buffer, format="PNG")
    (split_dir / "gt" / f"{3:012d}.png").write_bytes(buffer.getvalue())
    assert main(["--split", "coco-param", "--splits-dir", str(tmp_path / "splits"), "--out", str(tmp_path / "o")]) == 1
    assert "sha256" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()
    with pytest.raises(SystemExit) as exc:
        main(["--split", "coco-param", "--push"])
    assert exc.value.code == 2


def test_every_source_kind_has_its_licence_on_the_card():
    from tipbench.publish.card import SOURCE_LICENCES

    # the `source` labels tipbench.build writes to split.json (tipbench/sources: ResolvedSource kinds)
    for kind in ("coco", "div2k", "stablesr", "stablesr-zip", "folder", "sample"):
        assert kind in SOURCE_LICENCES, kind
    assert SOURCE_LICENCES["stablesr-zip"] == SOURCE_LICENCES["stablesr"]
