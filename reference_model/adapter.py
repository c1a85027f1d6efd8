"""The TIP adapter: a ControlNet branch whose zero convs are replaced by modulation heads (paper §3.4, Eq. 3).

The ControlNet (encoder copied from the UNet, degraded-image embedding E'(y), cross-attention on the restoration
prompt c_r) is diffusers' own `ControlNetModel`, held as a submodule. Only its output convs change:

* `fusion="modulation"` (TIP): each 1x1 output conv maps C -> 2C and is zero-initialised; the output splits into
  (gamma, beta) and the frozen UNet applies `(1 + gamma) * f_skip + beta` where its decoder consumes the skip.
* `fusion="additive"` (ControlNet-SR): the stock C -> C zero convs, added to the skips as residuals.
* `modulate_up=True` (Table 6): the heads feeding each up block's first skip also emit (gamma, beta) for the decoder
  feature entering that up block (blocks 1..n-1; block 0's input is the mid output, modulated by the mid head).

The ControlNet keeps its own forward; we only reshape its outputs, so every diffusers feature of the encoder
(attention processors, gradient checkpointing) keeps working.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import torch
from diffusers import ControlNetModel, UNet2DConditionModel
from diffusers.configuration_utils import ConfigMixin, register_to_config
from diffusers.models.modeling_utils import ModelMixin
from torch import nn

from tipbench.config import as_json

Fusion = Literal["modulation", "additive"]
FUSIONS = ("modulation", "additive")
RESTORATION_PROMPT_FORMS = ("full", "type-only", "none")

#: ControlNetModel.from_unet copies these submodules from the UNet (the encoder half).
_COPIED_FROM_UNET = ("conv_in", "time_proj", "time_embedding", "down_blocks", "mid_block")


@dataclass
class AdapterOutput:
    """What the frozen UNet needs from the adapter for one denoising step.

    `skip_scale[i]` is gamma_i (None under additive fusion) and `skip_shift[i]` is beta_i (or the additive residual);
    `mid_*` act on the mid-block output (None when `modulate_mid` is off); `up_*[k]` on the hidden state entering
    up block k (None where not modulated).
    """

    skip_scale: list[torch.Tensor | None]
    skip_shift: list[torch.Tensor]
    mid_scale: torch.Tensor | None
    mid_shift: torch.Tensor | None
    up_scale: list[torch.Tensor | None]
    up_shift: list[torch.Tensor | None]


def _zero_conv(channels_in: int, channels_out: int) -> nn.Conv2d:
    conv = nn.Conv2d(channels_in, channels_out, kernel_size=1)
    nn.init.zeros_(conv.weight)
    nn.init.zeros_(conv.bias)
    return conv


def skip_channels(unet: UNet2DConditionModel) -> list[int]:
    """Channels of the skip tensors the UNet's encoder collects, in collection order (conv_in first)."""
    channels = [unet.conv_in.out_channels]
    for block in unet.down_blocks:
        for resnet in block.resnets:
            channels.append(resnet.out_channels)
        if block.downsamplers is not None:
            channels.append(block.downsamplers[0].out_channels)
    return channels


def up_block_plan(unet: UNet2DConditionModel) -> list[tuple[int, int]]:
    """Per up block: (index of the skip it consumes first, channels of the hidden state entering it)."""
    n_skips = len(skip_channels(unet))
    plan, end = [], n_skips
    for block in unet.up_blocks:
        first_skip = end - 1
        # The first resnet sees cat([hidden, skip]); its in_channels minus the skip's channels is the hidden width.
        hidden = block.resnets[0].in_channels - skip_channels(unet)[first_skip]
        plan.append((first_skip, hidden))
        end -= len(block.resnets)
    return plan


class TIPAdapter(ModelMixin, ConfigMixin):
    """ControlNet branch + fusion heads; trainable part of TIP (and of the retrained ControlNet-SR baseline).

    Config (saved by `save_pretrained`): `controlnet_kwargs` (the JSON config of the inner `ControlNetModel`),
    `skip_channels` / `up_hidden_channels` / `up_first_skips` (derived from the UNet it was built for), `fusion`,
    `modulate_mid`, `modulate_up`, and the prompt switches the checkpoint was trained with.
    """

    config_name = "config.json"
    _supports_gradient_checkpointing = True

    @register_to_config
    def __init__(
        self,
        controlnet_kwargs: dict[str, Any],
        skip_channels: list[int],
        up_hidden_channels: list[int],
        up_first_skips: list[int],
        fusion: str = "modulation",
        modulate_mid: bool = True,
        modulate_up: bool = False,
        use_semantic_prompt: bool = True,
        restoration_prompt_form: str = "full",
    ) -> None:
        super().__init__()
        if fusion not in FUSIONS:
            raise ValueError(f"`fusion` must be one of {FUSIONS}, got {fusion!r}")
        if restoration_prompt_form not in RESTORATION_PROMPT_FORMS:
            raise ValueError(
                f"`restoration_prompt_form` must be one of {RESTORATION_PROMPT_FORMS}, got {restoration_prompt_form!r}"
            )
        if modulate_up and fusion != "modulation":
            raise ValueError("`modulate_up` needs `fusion='modulation'` (Table 6 modulates, it does not add)")
        kwargs = {k: v for k, v in controlnet_kwargs.items() if not k.startswith("_")}
        self.controlnet = ControlNetModel(**kwargs)
        if len(self.controlnet.controlnet_down_blocks) != len(skip_channels):
            raise ValueError(
                f"ControlNet has {len(self.controlnet.controlnet_down_blocks)} output convs but the UNet collects "
                f"{len(skip_channels)} skips"
            )
        if fusion == "modulation":
            up_extra = {skip: hidden for skip, hidden in zip(up_first_skips[1:], up_hidden_channels[1:])}
            heads = []
            for index, channels in enumerate(skip_channels):
                extra = 2 * up_extra.get(index, 0) if modulate_up else 0
                heads.append(_zero_conv(channels, 2 * channels + extra))
            self.controlnet.controlnet_down_blocks = nn.ModuleList(heads)
            if modulate_mid:
                mid_channels = self.controlnet.controlnet_mid_block.in_channels
                self.controlnet.controlnet_mid_block = _zero_conv(mid_channels, 2 * mid_channels)
        if not modulate_mid:
            # The stock mid conv stays (the ControlNet forward always calls it); its output is unused, so freeze it
            # (an unused trainable parameter would also break DDP without find_unused_parameters).
            self.controlnet.controlnet_mid_block.requires_grad_(False)

    @classmethod
    def from_unet(
        cls,
        unet: UNet2DConditionModel,
        *,
        conditioning_embedding_out_channels: tuple[int, ...] = (16, 32, 96, 256),
        load_weights_from_unet: bool = True,
        seed: int = 0,
        **options: Any,
    ) -> TIPAdapter:
        """Build an adapter for `unet`: the ControlNet encoder copies the UNet's weights, heads start at zero.

        The only random init (the E'(y) convs) is drawn from `seed`, never from the caller's global RNG state.
        """
        from accelerate import init_empty_weights

        from reference_model.seeding import seeded_init

        with init_empty_weights():  # only its config is needed: no memory, no draws from any RNG
            reference = ControlNetModel.from_unet(
                unet,
                conditioning_embedding_out_channels=tuple(conditioning_embedding_out_channels),
                load_weights_from_unet=False,
            )
        controlnet_kwargs = {k: as_json(v) for k, v in reference.config.items() if not k.startswith("_")}
        del reference
        plan = up_block_plan(unet)
        with seeded_init(seed):
            adapter = cls(
                controlnet_kwargs=controlnet_kwargs,
                skip_channels=skip_channels(unet),
                up_hidden_channels=[hidden for _, hidden in plan],
                up_first_skips=[skip for skip, _ in plan],
                **options,
            )
        if load_weights_from_unet:
            for name in _COPIED_FROM_UNET:
                getattr(adapter.controlnet, name).load_state_dict(getattr(unet, name).state_dict())
        return adapter

    def head_parameters(self) -> list[nn.Parameter]:
        """Parameters of the fusion heads (the 1x1 output convs), for accounting and tests."""
        heads = [*self.controlnet.controlnet_down_blocks.parameters()]
        if self.config.modulate_mid:
            heads += [*self.controlnet.controlnet_mid_block.parameters()]
        return heads

    def forward(
        self,
        sample: torch.Tensor,
        timestep: torch.Tensor | float | int,
        restoration_embeds: torch.Tensor,
        degraded: torch.Tensor,
        scale: float = 1.0,
    ) -> AdapterOutput:
        """Run the ControlNet on (z_t, t, c_r, y) and split its head outputs into fusion terms.

        Args:
            sample: noisy latents z_t, (B, 4, h, w).
            timestep: scalar or (B,) timesteps.
            restoration_embeds: text-encoder states of c_r, (B, 77, D).
            degraded: y as RGB float in [0, 1], (B, 3, h * f, w * f) with f the VAE factor.
            scale: multiplies every gamma and beta; 0 gives the plain frozen UNet.
        """
        down, mid = self.controlnet(
            sample, timestep, encoder_hidden_states=restoration_embeds, controlnet_cond=degraded,
            conditioning_scale=scale, return_dict=False,
        )
        n_up = len(self.config.up_first_skips)
        up_scale: list[torch.Tensor | None] = [None] * n_up
        up_shift: list[torch.Tensor | None] = [None] * n_up
        if self.config.fusion == "additive":
            mid_residual = mid if self.config.modulate_mid else None
            return AdapterOutput([None] * len(down), list(down), None, mid_residual, up_scale, up_shift)
        skip_scale, skip_shift = [], []
        up_slot = {skip: k for k, skip in enumerate(self.config.up_first_skips) if k > 0}
        for index, (head_out, channels) in enumerate(zip(down, self.config.skip_channels)):
            gamma, beta = head_out[:, :channels], head_out[:, channels : 2 * channels]
            skip_scale.append(gamma)
            skip_shift.append(beta)
            if self.config.modulate_up and index in up_slot:
                k = up_slot[index]
                hidden = self.config.up_hidden_channels[k]
                up_scale[k] = head_out[:, 2 * channels : 2 * channels + hidden]
                up_shift[k] = head_out[:, 2 * channels + hidden :]
        if self.config.modulate_mid:
            mid_channels = mid.shape[1] // 2
            mid_scale, mid_shift = mid[:, :mid_channels], mid[:, mid_channels:]
        else:
            mid_scale = mid_shift = None
        return AdapterOutput(skip_scale, skip_shift, mid_scale, mid_shift, up_scale, up_shift)
