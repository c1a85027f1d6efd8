"""Parameter accounting on the real SD1.5 config (empty weights) and adapter save/load."""

from __future__ import annotations

import torch

from reference_model.tiny import randomize_heads, tiny_adapter

# Protocol §9.1 (counted with init_empty_weights on the SD1.5 config).
SD15_UNET = 859_520_964
SD15_CONTROLNET = 361_279_120
SD15_HEAD_EXTRA = 11_479_680
SD15_HEAD_EXTRA_NO_MID = 9_840_000


def _count(module) -> int:
    return sum(p.numel() for p in module.parameters())


def test_sd15_modulation_heads_add_about_three_percent():
    from diffusers import ControlNetModel

    from reference_model.adapter import TIPAdapter, skip_channels
    from reference_model.components import build_sd15

    sd15 = build_sd15(empty=True)
    unet = sd15["unet"]
    assert _count(unet) == SD15_UNET
    assert skip_channels(unet) == [320] * 4 + [640] * 3 + [1280] * 5
    with __import__("accelerate").init_empty_weights():
        stock = ControlNetModel.from_unet(unet, load_weights_from_unet=False)
        tip = TIPAdapter.from_unet(unet, load_weights_from_unet=False)
        tip_no_mid = TIPAdapter.from_unet(unet, load_weights_from_unet=False, modulate_mid=False)
        additive = TIPAdapter.from_unet(unet, load_weights_from_unet=False, fusion="additive")
    extra = _count(tip) - _count(stock)
    extra_no_mid = _count(tip_no_mid) - _count(stock)
    share = 100 * extra / _count(stock)
    print(f"SD1.5: ControlNet {_count(stock):,}; TIP adapter {_count(tip):,}; heads add {extra:,} "
          f"(+{share:.2f}%); without mid head +{extra_no_mid:,} (+{100 * extra_no_mid / _count(stock):.2f}%)")
    assert _count(stock) == SD15_CONTROLNET
    assert _count(additive) == SD15_CONTROLNET
    assert extra == SD15_HEAD_EXTRA and extra_no_mid == SD15_HEAD_EXTRA_NO_MID
    assert 2.5 < share < 3.5  # the paper's "~3% extra adaptor params" (Table 6)


def test_save_load_round_trip_is_bit_exact(tmp_path, tiny_components):
    from reference_model.adapter import TIPAdapter

    adapter = tiny_adapter(tiny_components["unet"], modulate_up=True, prompts="both-type-only")
    randomize_heads(adapter, seed=11)
    adapter.save_pretrained(tmp_path / "adapter")
    loaded = TIPAdapter.from_pretrained(tmp_path / "adapter")
    public = lambda config: {k: v for k, v in config.items() if not k.startswith("_")}  # noqa: E731
    assert public(loaded.config) == public(adapter.config)
    assert loaded.config.restoration_prompt_form == "type-only" and loaded.config.modulate_up
    original, restored = adapter.state_dict(), loaded.state_dict()
    assert original.keys() == restored.keys()
    assert all(torch.equal(original[k], restored[k]) for k in original)


def test_encoder_copies_unet_and_heads_start_at_zero(tiny_components):
    unet = tiny_components["unet"]
    adapter = tiny_adapter(unet)
    assert torch.equal(adapter.controlnet.conv_in.weight, unet.conv_in.weight)
    assert torch.equal(adapter.controlnet.down_blocks[0].resnets[0].conv1.weight,
                       unet.down_blocks[0].resnets[0].conv1.weight)
    assert all(float(p.detach().abs().max()) == 0 for p in adapter.head_parameters())
    assert all(conv.out_channels == 2 * conv.in_channels for conv in adapter.controlnet.controlnet_down_blocks)


def test_seeded_init_leaves_every_global_generator_alone(monkeypatch):
    from reference_model.seeding import seeded_init

    def refuse(seed):
        raise AssertionError("a CUDA global generator was reseeded")

    monkeypatch.setattr(torch.cuda, "manual_seed_all", refuse)
    before = torch.random.get_rng_state()
    with seeded_init(3):
        first = torch.nn.Linear(3, 2)
    with seeded_init(3):
        second = torch.nn.Linear(3, 2)
    assert torch.equal(torch.random.get_rng_state(), before)
    assert torch.equal(first.weight, second.weight)
