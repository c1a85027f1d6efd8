"""SwinIR through the real spandrel loading path (a tiny random SwinIR saved as the registry's file) and the
reference-model family's missing-checkpoint paths."""

from __future__ import annotations

import numpy as np
import pytest

from tipbench.errors import ConfigError, MissingWeightsError, RestorerError
from tipbench.methods import RestorerOptions, load_restorer, readiness

M_FILE = "003_realSR_BSRGAN_DFO_s64w8_SwinIR-M_x4_GAN.pth"


def _tiny_network():
    import torch
    from spandrel.architectures.SwinIR import SwinIR

    torch.manual_seed(0)
    return SwinIR(img_size=16, embed_dim=12, depths=[1], num_heads=[2], window_size=8, mlp_ratio=2.0, upscale=4,
                  img_range=1.0, upsampler="nearest+conv", resi_connection="1conv").eval()


@pytest.fixture
def tiny_swinir(weights_dir):
    import torch

    torch.save({"params_ema": _tiny_network().state_dict()}, weights_dir / M_FILE)
    return weights_dir / M_FILE


def _direct_forward(lq: np.ndarray) -> np.ndarray:
    """The official test script's recipe written out with numpy padding, on the same tiny network."""
    import torch

    height, width = lq.shape[:2]
    image = lq.astype(np.float32) / 255.0
    image = np.concatenate([image, image[::-1]], 0)[: (height // 8 + 1) * 8]
    image = np.concatenate([image, image[:, ::-1]], 1)[:, : (width // 8 + 1) * 8]
    with torch.no_grad():
        out = _tiny_network()(torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None])
    out = out[0, :, : 4 * height, : 4 * width].clamp(0, 1).permute(1, 2, 0).numpy()
    return (out * 255.0).round().astype(np.uint8)


def test_swinir_output_is_the_network_forward(tiny_swinir):
    from PIL import Image

    restorer = load_restorer("swinir")
    lq = np.random.default_rng(3).integers(0, 256, (13, 21, 3), dtype=np.uint8)
    out = restorer.restore(lq, out_size=(52, 84))
    expected = _direct_forward(lq)
    assert np.abs(out.astype(int) - expected.astype(int)).max() <= 1
    # the check has teeth: a plain bicubic upscale is nowhere near the network's output
    bicubic = np.asarray(Image.fromarray(lq).resize((84, 52), Image.BICUBIC))
    assert np.abs(bicubic.astype(int) - expected.astype(int)).mean() > 10


def test_swinir_loads_with_spandrel_and_returns_out_size(tiny_swinir):
    restorer = load_restorer("swinir")
    lq = np.random.default_rng(0).integers(0, 256, (13, 21, 3), dtype=np.uint8)
    out = restorer.restore(lq, out_size=(52, 84), semantic_prompt="ignored")
    assert out.shape == (52, 84, 3) and out.dtype == np.uint8
    resized = restorer.restore(lq, out_size=(40, 40))
    assert resized.shape == (40, 40, 3)
    assert restorer.describe()["checkpoints"]["swinir-realsr-x4-gan-m"]


def test_swinir_flip_pad_adds_at_least_one_row():
    import torch

    from baselines.swinir import flip_pad

    tensor = torch.arange(16.0).reshape(1, 1, 4, 4)
    padded = flip_pad(tensor, 4)
    assert padded.shape == (1, 1, 8, 8)
    assert torch.equal(padded[..., 4, :4], tensor[..., 3, :])  # mirrored, not reflected around the edge


def test_swinir_missing_weights_name_file_and_source(weights_dir):
    with pytest.raises(MissingWeightsError) as info:
        load_restorer("swinir", variant="l")
    message = str(info.value)
    assert "SwinIR-L_x4_GAN.pth" in message and "github.com/JingyunLiang/SwinIR/releases" in message


def test_swinir_rejects_a_checkpoint_flag(tiny_swinir):
    with pytest.raises(ConfigError, match="takes no --checkpoint"):
        load_restorer("swinir", checkpoint=str(tiny_swinir))


def test_swinir_rejects_a_non_swinir_file(weights_dir):
    (weights_dir / M_FILE).write_bytes(b"not a checkpoint")
    with pytest.raises(RestorerError, match="spandrel cannot load"):
        load_restorer("swinir")


@pytest.mark.parametrize("method", ["tip", "controlnet-sr", "controlnet-sr-clip"])
def test_reference_family_without_checkpoint_says_where_to_get_one(method, weights_dir):
    problems = readiness(method)
    assert len(problems) == 1
    problem = problems[0]
    if method == "tip":
        assert problem.kind == "weights" and "tip_adapter" in problem.message and "TIPBENCH_WEIGHTS" in problem.message
        assert problem.short == "missing tip_adapter" and problem.missing[0]["name"] == "tip"
    else:
        assert problem.kind == "checkpoint" and "--checkpoint" in problem.message
    with pytest.raises((MissingWeightsError, ConfigError)):
        load_restorer(method)


def test_reference_family_with_a_missing_checkpoint_folder(tmp_path, weights_dir):
    with pytest.raises(RestorerError, match="is not a directory"):
        load_restorer("tip", options=RestorerOptions(checkpoint=str(tmp_path / "nope")))


def test_unknown_variant_lists_the_valid_ones():
    with pytest.raises(ConfigError, match="valid: m, l"):
        load_restorer("swinir", variant="xl")
