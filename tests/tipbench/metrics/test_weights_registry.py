"""The weights registry: lookup order, sha256 checks, one error listing every missing file, the CLI."""

from __future__ import annotations

import hashlib

import pytest

from tests.conftest import error_text
from tipbench import weights
from tipbench.errors import MissingWeightsError


def test_every_entry_is_complete_data():
    assert {"inception-fid", "lpips-alexnet", "lpips-alex-head", "clip-vit-l-14-openai", "clip-vit-b-32-openai",
            "sd15", "swinir-realsr-x4-gan-m", "swinir-realsr-x4-gan-l", "stablesr", "diffbir-v1-full",
            "diffbir-v2", "tip"} <= set(weights.WEIGHTS)
    for name, spec in weights.WEIGHTS.items():
        assert spec.name == name and spec.file_name and spec.licence and spec.source
        assert spec.sha256 is None or len(spec.sha256) == 64


def test_lpips_head_is_found_in_the_wheel_and_verified():
    path = weights.resolve("lpips-alex-head")
    assert path.name == "alex.pth" and "lpips" in str(path)
    assert hashlib.sha256(path.read_bytes()).hexdigest() == weights.WEIGHTS["lpips-alex-head"].sha256


def test_resolve_all_lists_every_missing_or_corrupt_file(no_weights):
    (no_weights / "lpips-alexnet").mkdir(parents=True)
    (no_weights / "lpips-alexnet" / "alexnet-owt-7be5be79.pth").write_bytes(b"truncated")
    with pytest.raises(MissingWeightsError) as info:
        weights.resolve_all(["lpips-alexnet", "swinir-realsr-x4-gan-m", "lpips-alex-head", "stablesr"])
    names = [item["name"] for item in info.value.missing]
    assert names == ["lpips-alexnet", "swinir-realsr-x4-gan-m", "stablesr"]
    message = str(info.value)
    assert "3 weight file(s)" in message and "corrupt" in message
    assert "huggingface.co/Iceclear/StableSR" in message and str(no_weights / "stablesr") in message


def test_files_in_the_weights_dir_are_found_first(no_weights):
    target = no_weights / "swinir-realsr-x4-gan-m" / "003_realSR_BSRGAN_DFO_s64w8_SwinIR-M_x4_GAN.pth"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"weights")
    assert weights.resolve("swinir-realsr-x4-gan-m") == target
    assert weights.status("swinir-realsr-x4-gan-m")["found"] is True
    flat = no_weights / "003_realSR_BSRGAN_DFOWMFC_s64w8_SwinIR-L_x4_GAN.pth"
    flat.write_bytes(b"x")
    assert weights.resolve("swinir-realsr-x4-gan-l") == flat
    # a file DiffBIR loads from its own clone has that one place: not $TIPBENCH_WEIGHTS
    (no_weights / "BSRNet.pth").write_bytes(b"x")
    assert weights.status("diffbir-v2-bsrnet")["found"] is False


def test_directory_entries_need_their_marker(no_weights):
    folder = no_weights / "tip" / "tip_adapter"
    folder.mkdir(parents=True)
    assert weights.status("tip")["found"] is False
    (folder / "config.json").write_text("{}")
    assert weights.resolve("tip") == folder


def test_cli_list_verify_and_fetch(no_weights, capsys):
    assert weights.main(["list"]) == 0
    listing = capsys.readouterr().out
    assert "inception-fid" in listing and "lpips-alex-head" in listing and "missing" in listing
    assert weights.main(["verify", "lpips-alex-head"]) == 0
    assert weights.main(["verify", "lpips-alexnet", "inception-fid"]) == 1
    err = capsys.readouterr().err
    assert error_text(err).startswith("error: 2 weight file(s)")
    # `tip` is produced locally: fetch says so clearly, with no network access attempted.
    assert weights.main(["fetch", "tip"]) == 1
    err = capsys.readouterr().err
    assert "cannot be fetched" in err and "python -m reference_model.train" in err
    assert weights.main(["fetch", "lpips-alex-head"]) == 0  # already present: nothing to download
    assert weights.main(["verify", "no-such"]) == 1
    with pytest.raises(SystemExit):
        weights.main(["fetch"])


def test_fetch_offline_fails_with_a_clear_message(no_weights, monkeypatch, capsys):
    import huggingface_hub.constants

    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    assert weights.main(["fetch", "stablesr"]) == 1
    err = capsys.readouterr().err
    assert "could not download `stablesr`" in err and "no internet here?" in err
