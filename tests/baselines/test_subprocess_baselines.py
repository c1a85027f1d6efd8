"""StableSR and DiffBIR adapters against a stand-in obeying their command-line contract (temp-folder protocol,
naming, error and timeout paths are real)."""

from __future__ import annotations

import json
import shlex

import numpy as np
import pytest

from tipbench.errors import MissingWeightsError, RestorerError
from tipbench.methods import RestorerOptions, load_restorer


def _items(sizes=((16, 16), (16, 16), (20, 24))):
    rng = np.random.default_rng(0)
    return [{"lq": rng.integers(0, 256, (h, w, 3), dtype=np.uint8), "semantic_prompt": f"caption {i}",
             "restoration_prompt": "", "out_size": (64, 64), "seed": 100 + i} for i, (h, w) in enumerate(sizes)]


def test_stablesr_runs_the_program_with_the_paper_settings(stablesr_clone, tmp_path, monkeypatch):
    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("STANDIN_LOG", str(log))
    restorer = load_restorer("stablesr", options=RestorerOptions(batch_size=8))
    items = _items()
    outputs = restorer.restore_batch(items)
    assert [out.shape for out in outputs] == [(64, 64, 3)] * 3
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert len(calls) == 2  # the ×4 group and the pre-resized group
    native = next(c["argv"] for c in calls if c["argv"][c["argv"].index("--upscale") + 1] == "4")
    assert native[native.index("--ddpm_steps") + 1] == "200" and native[native.index("--dec_w") + 1] == "0.5"
    assert native[native.index("--colorfix_type") + 1] == "adain"
    assert native[native.index("--seed") + 1] == "100"
    assert calls[0]["cwd"] == str(stablesr_clone)
    described = restorer.describe()
    assert len(described["command"]) == 2 and "stablesr_000117.ckpt" in described["command"][0]
    assert set(described["checkpoints"]) == {"stablesr", "stablesr-cfw"}
    # the ×4 output is the stand-in's bicubic upscale of the exact input bytes (nothing else touched them)
    from PIL import Image

    expected = np.asarray(Image.fromarray(items[0]["lq"]).resize((64, 64), Image.BICUBIC))
    assert np.array_equal(outputs[0], expected)


def test_program_failure_names_the_command_and_its_stderr(stablesr_clone, monkeypatch):
    monkeypatch.setenv("STANDIN_MODE", "fail")
    restorer = load_restorer("stablesr")
    with pytest.raises(RestorerError, match="exited with status 3") as info:
        restorer.restore_batch(_items()[:1])
    assert "CUDA out of memory" in str(info.value) and "--ddpm_steps" in str(info.value)


def test_timeout_is_an_error(stablesr_clone, monkeypatch):
    monkeypatch.setenv("STANDIN_MODE", "hang")
    restorer = load_restorer("stablesr", options=RestorerOptions(timeout_s=1.0))
    with pytest.raises(RestorerError, match="timed out after 1 s"):
        restorer.restore_batch(_items()[:1])


def test_missing_output_fails_only_that_item(diffbir_clone, monkeypatch):
    monkeypatch.setenv("STANDIN_MODE", "skip-first")
    restorer = load_restorer("diffbir", options=RestorerOptions(batch_size=4))
    outputs = restorer.restore_batch(_items()[:2])
    assert isinstance(outputs[0], RestorerError) and "wrote no" in str(outputs[0])
    assert isinstance(outputs[1], np.ndarray) and outputs[1].shape == (64, 64, 3)


def test_diffbir_v1_overrides_every_current_default(diffbir_clone):
    restorer = load_restorer("diffbir")
    restorer.restore_batch(_items()[:1])
    argv = shlex.split(restorer.describe()["command"][0])
    expected = {"--version": "v1", "--sampler": "spaced", "--steps": "50", "--captioner": "none",
                "--pos_prompt": "", "--neg_prompt": "", "--cfg_scale": "1.0", "--precision": "fp32"}
    assert {flag: argv[argv.index(flag) + 1] for flag in expected} == expected


def test_diffbir_clip_feeds_each_caption_in_its_own_call(diffbir_clone):
    restorer = load_restorer("diffbir-clip", options=RestorerOptions(batch_size=8))
    restorer.restore_batch(_items()[:2])
    commands = [shlex.split(c) for c in restorer.describe()["command"]]
    assert sorted(argv[argv.index("--pos_prompt") + 1] for argv in commands) == ["caption 0", "caption 1"]


def test_missing_clone_says_which_variable_to_set(weights_dir, monkeypatch):
    monkeypatch.delenv("TIPBENCH_DIFFBIR_REPO", raising=False)
    with pytest.raises(RestorerError) as info:
        load_restorer("diffbir")
    assert "$TIPBENCH_DIFFBIR_REPO" in str(info.value) and "github.com/XPixelGroup/DiffBIR" in str(info.value)


def test_missing_stablesr_weights_name_file_and_source(tmp_path, monkeypatch, weights_dir):
    from baseline_helpers import make_clone

    from tipbench.methods import STABLESR_CLONE

    monkeypatch.setenv(STABLESR_CLONE.repo_env, str(make_clone(tmp_path / "StableSR", STABLESR_CLONE)))
    with pytest.raises(MissingWeightsError) as info:
        load_restorer("stablesr")
    message = str(info.value)
    assert "stablesr_000117.ckpt" in message and "vqgan_cfw_00011.ckpt" in message
    assert "huggingface.co/Iceclear/StableSR" in message


def test_missing_diffbir_weights_point_into_the_clone(diffbir_clone):
    (diffbir_clone / "weights" / "v1_general.pth").unlink()
    with pytest.raises(MissingWeightsError) as info:
        load_restorer("diffbir")
    message = str(info.value)
    assert "v1_general.pth" in message and str(diffbir_clone / "weights") in message
    assert "huggingface.co/lxq007/DiffBIR-v2" in message


def test_sdedit_needs_the_sd_base(diffbir_clone):
    with pytest.raises(MissingWeightsError, match=r"stable-diffusion-v1-5"):
        load_restorer("diffbir-sdedit")


def test_stablesr_runs_the_readme_128_to_512_script_and_records_which_ran(stablesr_clone, tmp_path, monkeypatch):
    from PIL import Image

    from baselines.stablesr import OLD_SCRIPT, TILE_SCRIPT

    log = tmp_path / "calls.jsonl"
    monkeypatch.setenv("STANDIN_LOG", str(log))
    restorer = load_restorer("stablesr", options=RestorerOptions(batch_size=8))
    rng = np.random.default_rng(1)
    readme = [{"lq": rng.integers(0, 256, (128, 128, 3), dtype=np.uint8), "out_size": (512, 512), "seed": 3 + i}
              for i in range(2)]
    outputs = restorer.restore_batch([*readme, *_items()[:1]])
    calls = {json.loads(line)["argv"][0]: json.loads(line)["argv"] for line in log.read_text().splitlines()}
    assert set(calls) == {OLD_SCRIPT, TILE_SCRIPT}
    old = calls[OLD_SCRIPT]
    settings = {flag: old[old.index(flag) + 1] for flag in ("--ddpm_steps", "--dec_w", "--colorfix_type", "--seed",
                                                             "--input_size")}
    assert settings == {"--ddpm_steps": "200", "--dec_w": "0.5", "--colorfix_type": "adain", "--seed": "3",
                        "--input_size": "512"}
    assert "--upscale" not in old  # `_old.py` has no such flag: it resizes the LQ itself
    # the script got the raw 128² LQ and did the resize itself (the stand-in: bilinear short side, centre crop)
    expected = np.asarray(Image.fromarray(readme[0]["lq"]).resize((512, 512), Image.BILINEAR))
    assert np.array_equal(outputs[0], expected)
    settings = restorer.describe()["settings"]
    assert settings["items_per_script"] == {OLD_SCRIPT: 2, TILE_SCRIPT: 1}
    assert set(settings["script_rule"]) == {OLD_SCRIPT, TILE_SCRIPT}
    assert settings["upstream"]["checked_commit"].startswith("398ee93")


def test_stablesr_colour_fix_values_are_upstreams(stablesr_clone):
    from tipbench.errors import ConfigError

    with pytest.raises(ConfigError, match="adain, wavelet, nofix"):
        load_restorer("stablesr", options=RestorerOptions(extra=(("colorfix", "nocolor"),)))
    restorer = load_restorer("stablesr", options=RestorerOptions(extra=(("colorfix", "nofix"),)))
    restorer.restore_batch(_items()[:1])
    argv = shlex.split(restorer.describe()["command"][0])
    assert argv[argv.index("--colorfix_type") + 1] == "nofix" and "--nocolor" not in argv


def test_diffbir_records_the_v1_model_and_upstream_commit(diffbir_clone):
    restorer = load_restorer("diffbir")
    restorer.restore_batch(_items()[:1])
    settings = restorer.describe()["settings"]
    assert settings["version"] == "v1" and "inference.py --version v1" in settings["model"]
    assert settings["upstream"]["checked_commit"].startswith("3f8b530")
    assert settings["upstream"]["clone_commit"] is None  # the fake clone is no git checkout


def test_clone_commit_is_the_clones_own_head(tmp_path):
    import shutil
    import subprocess

    from baselines._subprocess import clone_commit

    if shutil.which("git") is None:
        pytest.skip("needs git")
    clone = tmp_path / "clone"
    (clone / "scripts").mkdir(parents=True)
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@t", "-C", str(clone)]
    subprocess.run([*git, "init", "-q"], check=True)
    (clone / "x").write_text("x")
    subprocess.run([*git, "add", "x"], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "x"], check=True)
    head = subprocess.run([*git, "rev-parse", "HEAD"], capture_output=True, text=True, check=True).stdout.strip()
    assert clone_commit(str(clone)) == head
    assert clone_commit(str(clone / "scripts")) is None  # a folder inside another checkout is not a clone
    assert clone_commit(str(tmp_path)) is None
def test_one_diffbir_weight_location_everywhere(diffbir_clone, capsys):
    """run, `weights list` / `verify` and the leaderboard's note all name `<clone>/weights/`, from the registry."""
    from leaderboard.readiness import registry_reason
    from tipbench import weights

    (diffbir_clone / "weights" / "v1_general.pth").unlink()
    where = f"$TIPBENCH_DIFFBIR_REPO/weights/ (now {diffbir_clone / 'weights'})"
    with pytest.raises(MissingWeightsError) as info:
        load_restorer("diffbir")
    assert f"put `v1_general.pth` in {where}" in str(info.value)
    assert weights.main(["verify", "diffbir-v1-general"]) == 1
    assert f"put `v1_general.pth` in {where}" in capsys.readouterr().err
    assert weights.main(["verify", "diffbir-v1-swinir"]) == 0
    assert str(diffbir_clone / "weights" / "general_swinir_v1.ckpt") in capsys.readouterr().out
    assert weights.main(["list"]) == 0
    listing = [line for line in capsys.readouterr().out.splitlines() if line.startswith("diffbir-v1-general ")]
    assert listing and f"goes in {where}" in listing[0]
    assert f"put `v1_general.pth` in {where}" in registry_reason("diffbir", None)
