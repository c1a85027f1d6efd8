"""The fused forward against diffusers' own UNet forward (exact identity, residual-trick oracle, scale 0)."""

from __future__ import annotations

import pytest
import torch

from reference_model.fused_unet import check_unet_supported, fused_unet_forward
from reference_model.tiny import randomize_heads, tiny_adapter

#: Fused (multiplicative) vs additive-residual formulation: same maths, different summation order in float32.
RESIDUAL_ATOL = 1e-5


def _inputs(batch: int = 2, seed: int = 0):
    generator = torch.Generator().manual_seed(seed)
    z = torch.randn(batch, 4, 16, 16, generator=generator)
    c_s = torch.randn(batch, 77, 32, generator=generator)
    c_r = torch.randn(batch, 77, 32, generator=generator)
    y = torch.rand(batch, 3, 32, 32, generator=generator)
    t = torch.tensor([10, 700][:batch])
    return z, t, c_s, c_r, y


def _unet_own_skips(unet, z, t, c_s):
    """The skips and mid output of diffusers' plain forward, captured with hooks (independent of our loop)."""
    skips, mid = [], []
    hooks = [unet.conv_in.register_forward_hook(lambda m, i, o: skips.append(o))]
    for block in unet.down_blocks:
        hooks.append(block.register_forward_hook(lambda m, i, o: skips.extend(o[1])))
    hooks.append(unet.mid_block.register_forward_hook(lambda m, i, o: mid.append(o)))
    with torch.no_grad():
        plain = unet(z, t, c_s).sample
    for hook in hooks:
        hook.remove()
    return plain, skips, mid[0]


def test_zero_heads_equal_plain_unet_exactly(tiny_components):
    unet = tiny_components["unet"]
    adapter = tiny_adapter(unet)
    z, t, c_s, c_r, y = _inputs()
    with torch.no_grad():
        terms = adapter(z, t, c_r, y)
        assert all(float(g.abs().max()) == 0 for g in terms.skip_scale)
        assert torch.equal(fused_unet_forward(unet, z, t, c_s, terms), unet(z, t, c_s).sample)


def test_random_heads_equal_residual_formulation(tiny_components):
    unet = tiny_components["unet"]
    adapter = tiny_adapter(unet)
    randomize_heads(adapter, seed=3, std=0.2)
    z, t, c_s, c_r, y = _inputs()
    plain, skips, mid = _unet_own_skips(unet, z, t, c_s)
    with torch.no_grad():
        terms = adapter(z, t, c_r, y)
        fused = fused_unet_forward(unet, z, t, c_s, terms)
        residuals = [g * f + b for f, g, b in zip(skips, terms.skip_scale, terms.skip_shift)]
        oracle = unet(z, t, c_s, down_block_additional_residuals=residuals,
                      mid_block_additional_residual=terms.mid_scale * mid + terms.mid_shift).sample
    difference = float((fused - oracle).abs().max())
    print(f"fused vs residual formulation: max abs diff {difference:.2e} (tolerance {RESIDUAL_ATOL})")
    assert float((fused - plain).abs().max()) > 1e-2  # the heads really act
    assert difference < RESIDUAL_ATOL


def test_adapter_scale_zero_is_plain_unet(tiny_components):
    unet = tiny_components["unet"]
    adapter = tiny_adapter(unet)
    randomize_heads(adapter, seed=1)
    z, t, c_s, c_r, y = _inputs()
    with torch.no_grad():
        out = fused_unet_forward(unet, z, t, c_s, adapter(z, t, c_r, y, scale=0.0))
        assert torch.equal(out, unet(z, t, c_s).sample)


def test_additive_fusion_equals_diffusers_controlnet_path(tiny_components):
    unet = tiny_components["unet"]
    adapter = tiny_adapter(unet, fusion="additive")
    randomize_heads(adapter, seed=2)
    z, t, c_s, c_r, y = _inputs()
    with torch.no_grad():
        terms = adapter(z, t, c_r, y)
        assert all(g is None for g in terms.skip_scale)
        fused = fused_unet_forward(unet, z, t, c_s, terms)
        stock = unet(z, t, c_s, down_block_additional_residuals=terms.skip_shift,
                     mid_block_additional_residual=terms.mid_shift).sample
    assert float((fused - stock).abs().max()) < RESIDUAL_ATOL


def test_modulate_up_heads_reach_the_decoder(tiny_components):
    unet = tiny_components["unet"]
    adapter = tiny_adapter(unet, modulate_up=True)
    z, t, c_s, c_r, y = _inputs()
    with torch.no_grad():
        assert torch.equal(fused_unet_forward(unet, z, t, c_s, adapter(z, t, c_r, y)), unet(z, t, c_s).sample)
        randomize_heads(adapter, seed=4)
        terms = adapter(z, t, c_r, y)
    assert terms.up_scale[0] is None and terms.up_scale[1] is not None
    assert terms.up_scale[1].shape[1] == adapter.config.up_hidden_channels[1]
    # Only the f_up part of the heads non-zero: the output must still move.
    with torch.no_grad():
        for head, channels in zip(adapter.controlnet.controlnet_down_blocks, adapter.config.skip_channels):
            head.weight[: 2 * channels].zero_()
            head.bias[: 2 * channels].zero_()
        adapter.controlnet.controlnet_mid_block.weight.zero_()
        adapter.controlnet.controlnet_mid_block.bias.zero_()
        out = fused_unet_forward(unet, z, t, c_s, adapter(z, t, c_r, y))
    assert float((out - unet(z, t, c_s).sample).abs().max()) > 1e-3


def test_step_zero_gradients_reach_heads_only(tiny_components):
    unet = tiny_components["unet"]
    adapter = tiny_adapter(unet)
    z, t, c_s, c_r, y = _inputs()
    loss = fused_unet_forward(unet, z, t, c_s, adapter(z, t, c_r, y)).pow(2).mean()
    loss.backward()
    head_ids = {id(p) for p in adapter.head_parameters()}
    head_grads = [p.grad.abs().sum() for p in adapter.head_parameters()]
    body_grads = [p.grad for p in adapter.parameters() if id(p) not in head_ids and p.grad is not None]
    assert sum(float(g) for g in head_grads) > 0
    assert all(float(g.abs().max()) == 0 for g in body_grads)


def test_gradient_checkpointing_gives_equal_gradients(tiny_components):
    from reference_model.tiny import tiny_base

    unet = tiny_base(seed=0)["unet"].requires_grad_(False)
    grads = []
    for checkpointing in (False, True):
        adapter = tiny_adapter(unet)
        randomize_heads(adapter, seed=5)
        if checkpointing:
            adapter.enable_gradient_checkpointing()
            unet.enable_gradient_checkpointing()
        adapter.train()
        unet.train()
        z, t, c_s, c_r, y = _inputs()
        fused_unet_forward(unet, z, t, c_s, adapter(z, t, c_r, y)).pow(2).mean().backward()
        grads.append(torch.cat([p.grad.flatten() for p in adapter.parameters() if p.grad is not None]))
    difference = float((grads[0] - grads[1]).abs().max())
    print(f"gradient checkpointing on vs off: max abs grad diff {difference:.2e}")
    assert difference <= 1e-5 * float(grads[0].abs().max())


def test_unsupported_unet_features_are_refused():
    from diffusers import UNet2DConditionModel

    from reference_model.tiny import TINY_UNET

    unet = UNet2DConditionModel(**{**TINY_UNET, "class_embed_type": "timestep"})
    with pytest.raises(ValueError, match="class_embed_type"):
        check_unet_supported(unet)
