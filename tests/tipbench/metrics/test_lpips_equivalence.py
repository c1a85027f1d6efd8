"""LPIPS equals the `lpips` package (v0.1 alex heads from its wheel) on the same backbone weights."""

from __future__ import annotations

import warnings

import lpips as lpips_package
import numpy as np
import pytest
import torch
import torchvision

from tipbench.errors import ConfigError
from tipbench.metrics.functional import lpips as lpips_fn
from tipbench.metrics.lpips import LPIPS
from tipbench.metrics.networks import load_alexnet_backbone, random_alexnet_state


def _reference() -> torch.nn.Module:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with torch.random.fork_rng(devices=[]):
            return lpips_package.LPIPS(net="alex", pnet_rand=True, verbose=False).eval()


def _batch(seed: int, shape=(3, 3, 64, 64)) -> torch.Tensor:
    return torch.from_numpy(np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8))


def test_lpips_equals_lpips_package_with_the_same_backbone():
    ours = LPIPS(weights="random")
    reference = _reference()
    reference.net.load_state_dict(ours.net.net.state_dict())  # the same random backbone in both
    pred, target = _batch(0), _batch(1)
    with torch.no_grad():
        expected = reference(pred.float() / 127.5 - 1, target.float() / 127.5 - 1).reshape(-1).double()
    got = ours.update(pred, target)
    torch.testing.assert_close(got, expected, rtol=0, atol=1e-6)
    assert ours.compute() == pytest.approx(float(expected.mean()), abs=1e-6)
    assert float(lpips_fn(pred, pred, ours.net).abs().max()) < 1e-7


def test_backbone_loader_maps_torchvision_alexnet_exactly():
    state = random_alexnet_state(seed=7)
    module = _reference()
    load_alexnet_backbone(module, state)
    alexnet = torchvision.models.alexnet(weights=None)
    alexnet.load_state_dict(state)
    x = torch.randn(1, 3, 64, 64)
    with torch.inference_mode():
        relu5 = module.net(x)[-1]
        expected = alexnet.features[:12](x)
    torch.testing.assert_close(relu5, expected)


def test_inputs_outside_unit_range_are_rejected():
    net = LPIPS(weights="random").net
    good = torch.zeros(1, 3, 32, 32)
    with pytest.raises(ConfigError, match=r"\[-1, 1\]"):
        lpips_fn(good + 1.5, good, net)
    with pytest.raises(ConfigError, match="NaN"):
        lpips_fn(torch.full_like(good, float("nan")), good, net)
    with pytest.raises(ConfigError, match="Nx3xHxW"):
        lpips_fn(torch.zeros(1, 1, 32, 32), good, net)
