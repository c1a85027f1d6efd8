"""The bundled-sample build with no set-up, source resolution errors, and coco-selective (issue 9 item 1)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from build_helpers import folder_hashes, make_coco_tree

from tests.conftest import error_text
from tests.tiny_splits import manifest_frame
from tipbench import paths
from tipbench.build import BuildConfig, build_split, main
from tipbench.contracts.split_folder import OPTIONAL_MANIFEST_COLUMNS
from tipbench.degradations import param_ops
from tipbench.degradations.selective import SelectiveDegradation, apply
from tipbench.images import quantize, to_float01
from tipbench.io import decode_png, sha256_file
from tipbench.prompts import RestorationOp, parse_restoration_prompt
from tipbench.seeding import rng_from_seed


def test_sample_build_with_no_setup(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   caplog: pytest.LogCaptureFixture) -> None:
    assert main(["--split", "coco-param", "--out", str(tmp_path), "--no-progress"]) == 0
    captured = capsys.readouterr()
    assert any(r.levelname == "WARNING" and "BUNDLED SAMPLE" in r.getMessage() for r in caplog.records)
    assert captured.out.strip() == f"wrote {tmp_path / 'coco-param'}"
    split_dir = tmp_path / "coco-param"
    info = json.loads((split_dir / "split.json").read_text())
    assert info["source"] == "sample" and info["source_root"] is None
    assert info["n_built"] == info["n_requested"] == 9 and info["n_skipped"] == 0
    frame = manifest_frame(split_dir)
    assert (frame["semantic_prompt"].str.len() > 10).all()  # every sample photo has its hand-written caption
    assert all(decode_png(split_dir / path).shape == (512, 512, 3) for path in frame["gt_path"])


def test_sample_div2k_shape(tmp_path: Path) -> None:
    split_dir = build_split(BuildConfig(split="div2k-realesrgan", out=str(tmp_path), limit=3, progress=False))
    frame = manifest_frame(split_dir)
    assert list(frame["id"]) == ["astronaut_c00", "astronaut_c01", "astronaut_c02"]
    assert (frame["semantic_prompt"] == "").all() and (frame["width_lq"] == 128).all()
    assert json.loads((split_dir / "split.json").read_text())["source"] == "sample"
    crops = [json.loads(params)["crop"] for params in frame["params"]]
    assert all(crop == {"size": 512, "top": 0, "left": 0} for crop in crops)  # astronaut is exactly 512x512


@pytest.mark.parametrize("how", ["flag", "env"])
def test_wrong_explicit_root_is_an_error(how: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "nowhere"
    args = ["--split", "coco-param", "--out", str(tmp_path / "out")]
    if how == "flag":
        args += ["--source-root", str(missing)]
    else:
        monkeypatch.setenv(paths.ENV_COCO_ROOT, str(missing))
    assert main(args) == 1
    err = capsys.readouterr().err
    assert error_text(err).startswith("error: ") and str(missing) in err and "SAMPLE" not in err
    assert not (tmp_path / "out" / "coco-param" / "manifest.parquet").exists()


@pytest.fixture(scope="module")
def selective(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("coco")
    make_coco_tree(root, 8)
    out = tmp_path_factory.mktemp("splits")
    made = [build_split(BuildConfig(split=split, source_root=str(root), out=str(out), limit=8, progress=False))
            for split in ("coco-selective", "coco-param")]
    return root, made[0], made[1]


def test_selective_targets_reproducible_from_manifest(selective) -> None:
    _, split_dir, param_dir = selective
    frame = manifest_frame(split_dir)
    assert set(OPTIONAL_MANIFEST_COLUMNS) <= set(frame.columns)
    assert list(frame["gt_sha256"]) == list(manifest_frame(param_dir)["gt_sha256"])  # same ids, same GT bytes
    assert (frame["pipeline"] == "selective").all()
    named_kinds = set()
    for row in frame.to_dict("records"):
        params = SelectiveDegradation.from_dict(json.loads(row["params"]))
        named_kinds.add(params.named)
        value = params.blur_sigma if params.named == "blur" else params.noise_sigma
        assert parse_restoration_prompt(row["restoration_prompt"]) == (RestorationOp(params.named, value),)
        assert row["restoration_prompt_type"] == {"blur": "Deblur", "noise": "Denoise"}[params.named]
        assert row["target_path"] == f"target/{row['id']}.png"
        assert sha256_file(split_dir / row["target_path"]) == row["target_sha256"]
        gt = decode_png(split_dir / row["gt_path"])
        result = apply(gt, params)
        target = decode_png(split_dir / row["target_path"])
        assert np.array_equal(result.lq, decode_png(split_dir / row["lq_path"]))
        assert np.array_equal(result.target, target)
        # independent re-derivation of the target from the protocol text
        clean = to_float01(gt)
        noise = rng_from_seed(params.noise_seed).standard_normal(clean.shape, dtype=np.float32)
        if params.named == "noise":
            expected = quantize(param_ops.gaussian_blur(clean, params.blur_sigma))
        else:
            expected = quantize(np.clip(clean + np.float32(params.noise_sigma) * noise, 0, 1))
        assert np.array_equal(target, expected)
        assert not np.array_equal(target, result.lq)
    assert named_kinds == {"blur", "noise"}  # p = 0.5 over 8 rows (fixed seed)


def test_selective_build_is_deterministic(selective, tmp_path: Path) -> None:
    root, split_dir, _ = selective
    again = build_split(BuildConfig(split="coco-selective", source_root=str(root), out=str(tmp_path), limit=8,
                                    workers=2, progress=False))
    assert folder_hashes(again) == folder_hashes(split_dir)
