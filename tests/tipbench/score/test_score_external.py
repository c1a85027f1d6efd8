"""Scoring a folder of outputs made elsewhere: laid out as a run folder, or refused with the offending ids."""

from __future__ import annotations

import numpy as np
import pytest
from metrics_helpers import gt_images, noisy

from tests.tiny_splits import make_noise_split
from tipbench.errors import ManifestError
from tipbench.io import read_json, write_png
from tipbench.score import ScoreConfig, main, score_run


def _outputs(tmp_path, split):
    folder = tmp_path / "external"
    for i, (item_id, image) in enumerate(gt_images(split).items()):
        write_png(folder / f"{item_id}.png", noisy(image, i))
    return folder


def _config(tmp_path, outputs, **extra) -> ScoreConfig:
    return ScoreConfig(split="tiny-split", outputs=str(outputs), method="my-method", splits_dir=str(tmp_path / "splits"),
                       runs_dir=str(tmp_path / "runs"), metrics=(), progress=False, **extra)


def test_complete_folder_is_laid_out_and_scored(tmp_path, capsys):
    split = make_noise_split(tmp_path / "splits", n=3)
    outputs = _outputs(tmp_path, split)
    argv = ["--split", "tiny-split", "--outputs", str(outputs), "--method", "my-method", "--variant", "v2",
            "--splits-dir", str(tmp_path / "splits"), "--runs-dir", str(tmp_path / "runs"), "--metrics", "", "-q"]
    assert main(argv) == 0
    run = tmp_path / "runs" / "tiny-split" / "my-method" / "both@v2"
    assert f"wrote {run / 'summary.json'}" in capsys.readouterr().out
    meta = read_json(run / "run.json")
    assert meta["external"] is True and meta["method"] == "my-method" and meta["variant"] == "v2"
    assert sorted(p.stem for p in (run / "out").glob("*.png")) == sorted(gt_images(split))
    summary = read_json(run / "summary.json")
    assert summary["external"] is True and summary["n"] == 3 and summary["psnr"] > 20


def test_float_npy_outputs_are_rounded_like_the_protocol(tmp_path):
    split = make_noise_split(tmp_path / "splits", n=2)
    outputs = tmp_path / "external"
    outputs.mkdir()
    images = gt_images(split)
    for item_id, image in images.items():
        np.save(outputs / f"{item_id}.npy", image.astype(np.float32) / 255.0)
    summary = score_run(_config(tmp_path, outputs))
    assert summary["psnr"] == 100.0  # k/255 rounds back to k exactly


@pytest.mark.parametrize("problem, match", [
    ("missing", r"1 missing id\(s\): img001"),
    ("extra", r"1 id\(s\) not in split `tiny-split`: zzz_extra"),
    ("size", r"img002 \(size 16×16, expected 32×32\)"),
    ("mode", r"img000 \(8-bit RGBA PNG, expected an 8-bit RGB PNG\)"),
    ("nan", r"img001 \(contains NaN or inf\)"),
])
def test_bad_folders_fail_listing_the_ids(tmp_path, problem, match):
    from PIL import Image

    split = make_noise_split(tmp_path / "splits", n=3)
    outputs = _outputs(tmp_path, split)
    if problem == "missing":
        (outputs / "img001.png").unlink()
    elif problem == "extra":
        write_png(outputs / "zzz_extra.png", np.zeros((32, 32, 3), np.uint8))
    elif problem == "size":
        write_png(outputs / "img002.png", np.zeros((16, 16, 3), np.uint8))
    elif problem == "mode":
        Image.new("RGBA", (32, 32)).save(outputs / "img000.png")
    else:
        (outputs / "img001.png").unlink()
        np.save(outputs / "img001.npy", np.full((32, 32, 3), np.nan, np.float32))
    with pytest.raises(ManifestError, match=match):
        score_run(_config(tmp_path, outputs))
    assert not (tmp_path / "runs" / "tiny-split" / "my-method").exists()


def test_external_outputs_never_overwrite_a_real_run(tmp_path):
    from tipbench.io import write_json

    split = make_noise_split(tmp_path / "splits", n=2)
    run = tmp_path / "runs" / "tiny-split" / "my-method" / "both"
    write_json(run / "run.json", {"method": "my-method", "split": "tiny-split"})
    with pytest.raises(ManifestError, match="refusing to overwrite"):
        score_run(_config(tmp_path, _outputs(tmp_path, split)))
