"""The frozen UNet's forward with TIP's fusion applied where the decoder consumes each skip.

`UNet2DConditionModel.forward` only knows additive ControlNet residuals, so this function re-runs the UNet's own
submodules (time embedding, conv_in, down blocks, mid block, up blocks, output head) in the same order, and
modulates the skip tuple after the whole down pass, exactly where diffusers adds ControlNet residuals. No weights
are copied and the UNet class is not forked; features this loop does not implement are refused up front.
"""

from __future__ import annotations

import torch
from diffusers import UNet2DConditionModel

from reference_model.adapter import AdapterOutput

#: (config key, value meaning "off"): UNet features the fused loop does not implement.
_UNSUPPORTED_CONFIG = (
    ("class_embed_type", None),
    ("num_class_embeds", None),
    ("addition_embed_type", None),
    ("time_cond_proj_dim", None),
    ("encoder_hid_dim_type", None),
    ("center_input_sample", False),
)


def check_unet_supported(unet: UNet2DConditionModel) -> None:
    """Raise `ValueError` naming the first UNet feature the fused forward would silently drop."""
    for key, off in _UNSUPPORTED_CONFIG:
        value = unet.config.get(key, off)
        if value != off:
            raise ValueError(
                f"the TIP fused UNet forward does not support `{key}={value!r}` (SD1.x/2.x UNets only); "
                "use a UNet without it"
            )
    if getattr(unet, "position_net", None) is not None:
        raise ValueError("the TIP fused UNet forward does not support GLIGEN (`position_net`)")


def _fuse(feature: torch.Tensor, scale: torch.Tensor | None, shift: torch.Tensor | None) -> torch.Tensor:
    """(1 + gamma) * f + beta, or f + residual when there is no gamma; terms cast to the feature's dtype."""
    if shift is None:
        return feature
    if scale is None:
        return feature + shift.to(feature.dtype)
    return feature * (1 + scale.to(feature.dtype)) + shift.to(feature.dtype)


def _repeat(terms: AdapterOutput, times: int) -> AdapterOutput:
    """The same fusion terms for a batch stacked `times` over (classifier-free guidance halves)."""
    if times == 1:
        return terms

    def rep(t: torch.Tensor | None) -> torch.Tensor | None:
        return None if t is None else t.repeat(times, *([1] * (t.ndim - 1)))

    return AdapterOutput(
        [rep(t) for t in terms.skip_scale], [rep(t) for t in terms.skip_shift], rep(terms.mid_scale),
        rep(terms.mid_shift), [rep(t) for t in terms.up_scale], [rep(t) for t in terms.up_shift],
    )


def fused_unet_forward(
    unet: UNet2DConditionModel,
    sample: torch.Tensor,
    timestep: torch.Tensor | float | int,
    encoder_hidden_states: torch.Tensor,
    fusion: AdapterOutput | None,
) -> torch.Tensor:
    """Noise prediction of the frozen UNet with the adapter's fusion terms applied.

    Args:
        unet: the frozen SD UNet (checked with `check_unet_supported`).
        sample: z_t, (B, C, h, w); B may be a multiple of the fusion terms' batch (CFG halves), which are repeated.
        timestep: scalar or (B,) timesteps.
        encoder_hidden_states: semantic-prompt states c_s, (B, 77, D).
        fusion: the adapter's output, or None for the plain UNet.

    Returns:
        The UNet's prediction (B, out_channels, h, w).
    """
    check_unet_supported(unet)
    if fusion is not None:
        n_skips = len(fusion.skip_shift)
        if sample.shape[0] % fusion.skip_shift[0].shape[0]:
            raise ValueError(
                f"batch {sample.shape[0]} is not a multiple of the adapter batch {fusion.skip_shift[0].shape[0]}"
            )
        fusion = _repeat(fusion, sample.shape[0] // fusion.skip_shift[0].shape[0])

    # 1. time embedding (as UNet2DConditionModel.forward, minus the refused features)
    upsample_factor = 2**unet.num_upsamplers
    forward_upsample_size = any(dim % upsample_factor for dim in sample.shape[-2:])
    emb = unet.time_embedding(unet.get_time_embed(sample=sample, timestep=timestep), None)
    if unet.time_embed_act is not None:
        emb = unet.time_embed_act(emb)

    # 2. encoder: collect skips exactly as diffusers does
    hidden = unet.conv_in(sample)
    skips: tuple[torch.Tensor, ...] = (hidden,)
    for block in unet.down_blocks:
        if getattr(block, "has_cross_attention", False):
            hidden, res = block(hidden_states=hidden, temb=emb, encoder_hidden_states=encoder_hidden_states)
        else:
            hidden, res = block(hidden_states=hidden, temb=emb)
        skips += res

    # 3. fusion on the skips, after the whole down pass (the encoder itself is unchanged)
    if fusion is not None:
        if n_skips != len(skips):
            raise ValueError(f"adapter gives {n_skips} skip terms but the UNet collects {len(skips)} skips")
        skips = tuple(_fuse(f, s, b) for f, s, b in zip(skips, fusion.skip_scale, fusion.skip_shift))

    # 4. mid block and its fusion
    if unet.mid_block is not None:
        if getattr(unet.mid_block, "has_cross_attention", False):
            hidden = unet.mid_block(hidden, emb, encoder_hidden_states=encoder_hidden_states)
        else:
            hidden = unet.mid_block(hidden, emb)
    if fusion is not None:
        hidden = _fuse(hidden, fusion.mid_scale, fusion.mid_shift)

    # 5. decoder, popping len(resnets) skips per block; optional f_up modulation at each block's input
    for index, block in enumerate(unet.up_blocks):
        if fusion is not None:
            hidden = _fuse(hidden, fusion.up_scale[index], fusion.up_shift[index])
        res = skips[-len(block.resnets) :]
        skips = skips[: -len(block.resnets)]
        is_final = index == len(unet.up_blocks) - 1
        upsample_size = skips[-1].shape[2:] if (forward_upsample_size and not is_final) else None
        if getattr(block, "has_cross_attention", False):
            hidden = block(
                hidden_states=hidden, temb=emb, res_hidden_states_tuple=res,
                encoder_hidden_states=encoder_hidden_states, upsample_size=upsample_size,
            )
        else:
            hidden = block(hidden_states=hidden, temb=emb, res_hidden_states_tuple=res, upsample_size=upsample_size)

    # 6. output head
    if unet.conv_norm_out is not None:
        hidden = unet.conv_act(unet.conv_norm_out(hidden))
    return unet.conv_out(hidden)
