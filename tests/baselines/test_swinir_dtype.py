"""`--dtype` for SwinIR: bf16 runs through spandrel (which has no fp16 SwinIR), is recorded, and stays close to fp32."""

from __future__ import annotations

import numpy as np
import pytest

from tipbench.errors import ConfigError
from tipbench.methods import RestorerOptions, check_dtype, load_restorer, method_spec

M_FILE = "003_realSR_BSRGAN_DFO_s64w8_SwinIR-M_x4_GAN.pth"


@pytest.fixture
def tiny_swinir(weights_dir):
    import torch
    from spandrel.architectures.SwinIR import SwinIR

    torch.manual_seed(0)
    network = SwinIR(img_size=16, embed_dim=12, depths=[1], num_heads=[2], window_size=8, mlp_ratio=2.0, upscale=4,
                     img_range=1.0, upsampler="nearest+conv", resi_connection="1conv")
    torch.save({"params_ema": network.state_dict()}, weights_dir / M_FILE)
    return weights_dir / M_FILE


def test_swinir_in_bf16_is_recorded_and_close_to_fp32(tiny_swinir):
    lq = np.random.default_rng(0).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    fp32 = load_restorer("swinir", options=RestorerOptions())
    bf16 = load_restorer("swinir", options=RestorerOptions(dtype="bf16"))
    assert fp32.describe()["settings"]["dtype"] == "fp32" and bf16.describe()["settings"]["dtype"] == "bf16"
    low, full = bf16.restore(lq, out_size=(64, 64)), fp32.restore(lq, out_size=(64, 64))
    assert low.dtype == np.uint8 and low.shape == (64, 64, 3)
    difference = np.abs(low.astype(int) - full.astype(int))
    assert 0 < difference.max() and difference.mean() < 8  # computed in bf16 (not equal), and still the same image


def test_swinir_has_no_fp16():
    with pytest.raises(ConfigError, match="runs in fp32, bf16 only"):
        check_dtype(method_spec("swinir"), "fp16")
