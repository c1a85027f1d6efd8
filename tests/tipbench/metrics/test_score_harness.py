"""`tipbench.score` end to end on tiny split/run folders: outputs, GT cache, missing weights, bad input."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest
import torch
from metrics_helpers import gt_images, make_run, noisy

from tests.conftest import error_text
from tests.tiny_splits import edit_manifest, make_noise_split
from tipbench import weights as weights_registry
from tipbench.contracts.scores import SCORE_COLUMNS
from tipbench.errors import ConfigError, ManifestError, MissingWeightsError
from tipbench.io import read_json, write_json, write_png
from tipbench.metrics import networks
from tipbench.metrics.functional import psnr
from tipbench.score import ScoreConfig, main, score_run

SUMMARY_KEYS = {"method", "variant", "split", "prompts", "source", "n", "psnr", "ssim", "psnr_y", "ssim_y", "lpips",
                "clip_i", "clip_t", "fid", "null_reasons", "missing_weights", "metric_settings", "metric_weights",
                "weights", "protocol", "versions", "comparable_to_paper"}


def _random(run_dir, splits, **extra) -> ScoreConfig:
    return ScoreConfig(run_dir=str(run_dir), splits_dir=str(splits), metric_weights="random", allow_small_fid=True,
                       progress=False, **extra)


@pytest.fixture
def counted(monkeypatch):
    """Counts images that reach the Inception extractor and the CLIP encoders (real calls, wrapped)."""
    calls: Counter = Counter()
    build_inception, build_clip = networks.build_inception, networks.build_clip

    class Counting(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            calls["inception"] += x.shape[0]
            return self.inner(x)

    def counting_inception(*args, **kwargs):
        model, weight_id = build_inception(*args, **kwargs)
        calls["inception"] -= 1  # FID probes the feature size with one blank image
        return Counting(model), weight_id

    def counting_clip(*args, **kwargs):
        bundle = build_clip(*args, **kwargs)
        encode_image, encode_text = bundle.model.encode_image, bundle.model.encode_text

        def image(x, *a, **k):
            calls["clip_image"] += x.shape[0]
            return encode_image(x, *a, **k)

        def text(t, *a, **k):
            calls["clip_text"] += t.shape[0]
            return encode_text(t, *a, **k)

        bundle.model.encode_image, bundle.model.encode_text = image, text
        return bundle

    monkeypatch.setattr(networks, "build_inception", counting_inception)
    monkeypatch.setattr(networks, "build_clip", counting_clip)
    return calls


def test_scores_and_summary_follow_the_contract(tmp_path):
    split = make_noise_split(tmp_path / "splits", n=4, captions=["a cat", "", "a dog on grass", "two birds"])
    run = make_run(tmp_path / "runs", split)
    summary = score_run(_random(run, tmp_path / "splits", batch_size=3))
    assert SUMMARY_KEYS <= summary.keys()
    assert summary["weights"] == "random" and summary["comparable_to_paper"] is False
    assert summary["n"] == 4 and summary["method"] == "noise" and summary["source"] == "folder"
    scores = pd.read_parquet(run / "scores.parquet")
    assert tuple(scores.columns) == SCORE_COLUMNS
    assert list(scores["id"]) == sorted(gt_images(split))
    gts, outs = gt_images(split), {p.stem: p for p in (run / "out").glob("*.png")}
    from tipbench.io import decode_png

    for row in scores.itertuples():
        assert row.psnr == pytest.approx(float(psnr(decode_png(outs[row.id]), gts[row.id])[0]), abs=1e-9)
    assert scores["lpips"].notna().all() and scores["clip_i"].notna().all()
    assert scores["clip_t"].isna().tolist() == [False, True, False, False]  # row 1 has c_s ""
    assert summary["clip_t"] == pytest.approx(scores["clip_t"].dropna().mean())
    assert summary["fid"] is not None and np.isfinite(summary["fid"])
    assert any("not comparable" in note for note in summary["notes"])
    assert read_json(run / "summary.json") == summary


def test_clip_t_uses_the_manifest_caption(tmp_path):
    from PIL import Image

    from tipbench.metrics.clip import build_encoder

    captions = ["a yellow taxi", "a plate of food"]
    split = make_noise_split(tmp_path / "splits", n=2, captions=captions)
    run = make_run(tmp_path / "runs", split)
    score_run(_random(run, tmp_path / "splits", metrics=("clip",)))
    scores = pd.read_parquet(run / "scores.parquet")
    encoder = build_encoder(weights="random")
    for row, caption in zip(scores.itertuples(), captions):
        image = encoder.images(encoder.bundle.preprocess(Image.open(run / "out" / f"{row.id}.png"))[None])[0].double()
        text = encoder.texts([caption])[0].double()
        assert row.clip_t == pytest.approx(float(image @ text / image.norm() / text.norm()), abs=1e-6)


def test_second_run_on_a_split_does_no_gt_feature_work(tmp_path, counted):
    split = make_noise_split(tmp_path / "splits", n=3)
    first = make_run(tmp_path / "runs", split, method="first")
    summary = score_run(_random(first, tmp_path / "splits"))
    assert summary["gt_cache"] == {"fid": "miss", "clip": "miss"}
    assert counted == Counter(inception=6, clip_image=6, clip_text=3)
    assert list((split / ".cache" / "metrics").glob("*.npz"))
    counted.clear()
    second = make_run(tmp_path / "runs", split, method="second")
    summary2 = score_run(_random(second, tmp_path / "splits"))
    assert summary2["gt_cache"] == {"fid": "hit", "clip": "hit"}
    assert counted == Counter(inception=3, clip_image=3, clip_text=0)
    # Same outputs as the first run ⇒ the cached GT side gives the same numbers.
    cold = score_run(_random(second, tmp_path / "splits", use_gt_cache=False))
    for key in ("fid", "clip_i", "clip_t", "lpips"):
        assert summary2[key] == pytest.approx(cold[key], rel=1e-6, abs=1e-9)


def test_without_weights_scoring_succeeds_with_nulls(tmp_path, no_weights, capsys):
    split = make_noise_split(tmp_path / "splits", n=3)
    run = make_run(tmp_path / "runs", split)
    assert main([str(run), "--splits-dir", str(tmp_path / "splits"), "-q"]) == 0
    summary = read_json(run / "summary.json")
    assert summary["psnr"] is not None and summary["ssim"] is not None and summary["psnr_y"] is not None
    for key in ("lpips", "fid", "clip_i", "clip_t"):
        assert summary[key] is None and "weights missing" in summary["null_reasons"][key]
    named = {item["name"]: item for item in summary["missing_weights"]}
    assert set(named) == {"lpips-alexnet", "inception-fid", "clip-vit-l-14-openai"}
    assert named["lpips-alexnet"]["file_name"] == "alexnet-owt-7be5be79.pth"
    assert named["lpips-alexnet"]["source"].startswith("https://download.pytorch.org/")
    assert "huggingface.co/timm/vit_large_patch14_clip_224.openai" in named["clip-vit-l-14-openai"]["source"]
    assert summary["weights"] == "real" and summary["comparable_to_paper"] is False
    scores = pd.read_parquet(run / "scores.parquet")
    assert scores["psnr"].notna().all() and scores["lpips"].isna().all()
    # --strict-metrics: one error naming every missing file, exit 1.
    capsys.readouterr()
    assert main([str(run), "--splits-dir", str(tmp_path / "splits"), "--strict-metrics", "-q"]) == 1
    err = capsys.readouterr().err
    assert error_text(err).startswith("error: 3 weight file(s)") and "inception-2015-12-05.pt" in err
    with pytest.raises(MissingWeightsError):
        score_run(ScoreConfig(run_dir=str(run), splits_dir=str(tmp_path / "splits"), strict_metrics=True))


def test_score_says_what_was_computed_when_every_metric_weight_is_missing(tmp_path, no_weights, capsys):
    split = make_noise_split(tmp_path / "splits", n=3)
    run = make_run(tmp_path / "runs", split)
    record = read_json(run / "run.json")
    write_json(run / "run.json", {**record, "weights": "none"})  # a weightless method (bicubic, classical)
    assert main([str(run), "--splits-dir", str(tmp_path / "splits"), "-q"]) == 0
    out = capsys.readouterr().out
    summary = read_json(run / "summary.json")
    assert summary["weights"] == "none" and summary["comparable_to_paper"] is False
    assert (f"wrote {run / 'summary.json'}; weights: none (PSNR/SSIM only; missing: lpips-alexnet, inception-fid, "
            "clip-vit-l-14-openai)") in out
    assert "lpips   null (weights missing: lpips-alexnet)" in out and "weights: real" not in out
    assert "not comparable to the paper: N = 3, not 3000; " in out and "weight files missing" in out
    # summary.json `config` holds the scoring options only: no null `method`/`split` beside the run's identity
    assert not {"method", "split", "prompts", "variant", "outputs"} & set(summary["config"])
    assert summary["method"] == "noise" and summary["config"]["metrics"] == ["lpips", "fid", "clip"]
    # a method with unknown weight provenance is never reported as real
    write_json(run / "run.json", {**record, "weights": "unknown"})
    assert main([str(run), "--splits-dir", str(tmp_path / "splits"), "-q"]) == 0
    assert "weights: unknown (PSNR/SSIM only" in capsys.readouterr().out


def test_small_n_fid_is_null_unless_allowed(tmp_path):
    split = make_noise_split(tmp_path / "splits", n=3)
    run = make_run(tmp_path / "runs", split)
    config = ScoreConfig(run_dir=str(run), splits_dir=str(tmp_path / "splits"), metric_weights="random",
                         metrics=("fid",), progress=False)
    summary = score_run(config)
    assert summary["fid"] is None and "allow-small-fid" in summary["null_reasons"]["fid"]
    assert summary["null_reasons"]["lpips"].startswith("not requested")


def test_reference_target_writes_separate_files(tmp_path):
    split = make_noise_split(tmp_path / "splits", n=2)
    with pytest.raises(ManifestError, match="target_path"):
        score_run(_random(make_run(tmp_path / "runs", split), tmp_path / "splits", reference="target"))
    images = gt_images(split)

    def add_targets(rows):
        for row in rows:
            row["target_path"] = f"target/{row['id']}.png"
            row["target_sha256"] = write_png(split / row["target_path"], 255 - images[row["id"]])
        return rows

    edit_manifest(split, add_targets)
    run = make_run(tmp_path / "runs", split, method="sel")
    target = score_run(_random(run, tmp_path / "splits", reference="target", metrics=()))
    gt = score_run(_random(run, tmp_path / "splits", metrics=()))
    assert (run / "scores_target.parquet").is_file() and (run / "summary_target.json").is_file()
    assert target["reference"] == "target" and target["psnr"] < gt["psnr"]


def _expect_error(tmp_path, run, match):
    with pytest.raises(ManifestError, match=match):
        score_run(_random(run, tmp_path / "splits", metrics=()))


def test_bad_run_folders_list_offending_ids(tmp_path):
    split = make_noise_split(tmp_path / "splits", n=4)
    run = make_run(tmp_path / "runs", split)
    (run / "out" / "img001.png").unlink()
    (run / "out" / "img003.png").unlink()
    _expect_error(tmp_path, run, r"2 missing output\(s\).*img001, img003")
    images = gt_images(split)
    write_png(run / "out" / "img001.png", noisy(images["img001"], 1))
    write_png(run / "out" / "img003.png", np.zeros((16, 32, 3), np.uint8))
    _expect_error(tmp_path, run, r"wrong size.*img003 \(32×16, expected 32×32\)")
    from PIL import Image

    Image.fromarray(images["img003"][..., 0], mode="L").save(run / "out" / "img003.png")
    _expect_error(tmp_path, run, r"not 8-bit RGB PNGs.*img003 \(8-bit L PNG\)")
    write_png(run / "out" / "img003.png", images["img003"])
    write_png(run / "out" / "stray.png", images["img003"])
    _expect_error(tmp_path, run, r"not in split.*stray")


def test_run_for_another_split_or_build_is_refused(tmp_path):
    split = make_noise_split(tmp_path / "splits", n=2)
    run = make_run(tmp_path / "runs", split)
    meta = read_json(run / "run.json")
    write_json(run / "run.json", {**meta, "split_manifest_sha256": "0" * 64})
    _expect_error(tmp_path, run, "another build")
    other = make_noise_split(tmp_path / "splits", name="other-split", n=2)
    write_json(run / "run.json", {**meta, "split": "other-split", "split_manifest_sha256": None})
    (run / "out").rename(run / "out_old")
    make_run(tmp_path / "runs", other)  # outputs exist for the other split, but run.json is in this folder
    write_json(run / "run.json", {**meta, "split": "tiny-split", "split_dir": str(other)})
    with pytest.raises(ManifestError, match="is for split `tiny-split`, not `other-split`"):
        score_run(ScoreConfig(run_dir=str(run), metric_weights="random", metrics=(), progress=False))


def test_duplicate_manifest_ids_are_an_error(tmp_path):
    split = make_noise_split(tmp_path / "splits", n=3)

    def duplicate(rows):
        rows[2]["id"] = rows[1]["id"]
        return rows

    edit_manifest(split, duplicate)
    run = make_run(tmp_path / "runs", split)
    _expect_error(tmp_path, run, "duplicate ids: img001")


def test_config_round_trip_and_validation():
    config = ScoreConfig(run_dir="r", metrics=("fid",), device="cuda", batch_size=64)
    assert ScoreConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="unknown ScoreConfig key"):
        ScoreConfig.from_dict({"run_dir": "r", "colour": 1})
    with pytest.raises(ConfigError, match="either a run folder"):
        ScoreConfig()
    with pytest.raises(ConfigError, match="unknown metric"):
        ScoreConfig(run_dir="r", metrics=("kid",))

def test_gelu_clip_model_is_refused_before_any_work(tmp_path):
    split = make_noise_split(tmp_path / "splits", n=2)
    run = make_run(tmp_path / "runs", split)
    with pytest.raises(ConfigError, match="QuickGELU"):
        score_run(ScoreConfig(run_dir=str(run), splits_dir=str(tmp_path / "splits"), clip_model="ViT-L-14"))
    assert not (run / "summary.json").exists()


def test_cli_usage_errors_exit_2(tmp_path):
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    with pytest.raises(SystemExit) as info:
        main(["--outputs", str(tmp_path)])
    assert info.value.code == 2


def test_weights_lookup_finds_files_in_the_weights_dir(tmp_path, no_weights):
    assert weights_registry.status("lpips-alexnet")["found"] is False
    (no_weights / "lpips-alexnet").mkdir(parents=True)
    (no_weights / "lpips-alexnet" / "alexnet-owt-7be5be79.pth").write_bytes(b"not the real file")
    status = weights_registry.status("lpips-alexnet")
    assert status["problem"].startswith("corrupt")


def test_random_networks_leave_every_global_generator_alone(monkeypatch):
    # protocol §2: no global RNG state is touched. Seeding the CPU default generator inside fork_rng is undone on
    # exit, but torch.manual_seed would also reseed every CUDA device's generator, which fork_rng(devices=[]) keeps.
    def refuse(seed):
        raise AssertionError("a CUDA global generator was reseeded")

    monkeypatch.setattr(torch.cuda, "manual_seed_all", refuse)
    before = torch.random.get_rng_state()
    first = networks._seeded(lambda: torch.nn.Linear(3, 2))
    second = networks._seeded(lambda: torch.nn.Linear(3, 2))
    assert torch.equal(torch.random.get_rng_state(), before)
    assert torch.equal(first.weight, second.weight)  # seeded: the same random network every time


def test_scoring_leaves_the_global_torch_rng_alone(tmp_path):
    # protocol §2; a DataLoader without its own generator draws a base seed from the global RNG on every pass
    split = make_noise_split(tmp_path / "splits", n=3)
    run = make_run(tmp_path / "runs", split)
    before = torch.random.get_rng_state()
    score_run(_random(run, tmp_path / "splits"))
    assert torch.equal(torch.random.get_rng_state(), before)


def test_real_clip_build_initialises_without_the_global_rng(monkeypatch, tmp_path):
    # open_clip initialises random weights before loading the checkpoint; that draw must stay inside the fork
    import open_clip

    monkeypatch.setattr(networks, "resolve_all", lambda names: {name: tmp_path / "w.bin" for name in names})
    monkeypatch.setattr(networks, "file_sha256", lambda path: "0" * 64)
    monkeypatch.setattr(open_clip, "create_model", lambda *a, **k: torch.nn.Linear(2, 2))  # random init only
    before = torch.random.get_rng_state()
    bundle = networks.build_clip("ViT-B-32-quickgelu", "real")
    assert torch.equal(torch.random.get_rng_state(), before) and bundle.weight_id == "0" * 64
