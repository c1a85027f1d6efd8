"""TIPPipeline: shapes, range, odd sizes, batching, seeds, and classifier-free guidance on c_s only."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from reference_model.pipeline import pad_to_multiple
from reference_model.tiny import randomize_heads
from tipbench.seeding import torch_generator

STEPS = 2


def _lq(height: int, width: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype=np.uint8)


def _count_calls(pipe):
    """Hooks counting UNet samples per step (conv_in sees B or 2B) and adapter calls."""
    counts = {"unet_batches": [], "adapter_calls": 0}

    def on_unet(module, inputs, output):
        counts["unet_batches"].append(inputs[0].shape[0])

    def on_adapter(module, inputs, output):
        counts["adapter_calls"] += 1

    hooks = [pipe.unet.conv_in.register_forward_hook(on_unet), pipe.adapter.register_forward_hook(on_adapter)]
    return counts, hooks


def test_output_shape_range_and_odd_sizes(tiny_pipe):
    out = tiny_pipe(_lq(50, 37), semantic_prompt="a cat", restoration_prompt="Deblur with sigma 2.0",
                    num_inference_steps=STEPS, generator=torch_generator(0))
    assert out.shape == (1, 50, 37, 3) and out.dtype == np.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    tensor = tiny_pipe(torch.rand(1, 3, 64, 64), num_inference_steps=STEPS, output_type="pt")
    assert tuple(tensor.shape) == (1, 3, 64, 64)


def test_padding_reaches_multiple_of_64_and_crops_back():
    image = torch.rand(2, 3, 50, 37, generator=torch_generator(0))
    padded, size = pad_to_multiple(image, 64)
    assert tuple(padded.shape[-2:]) == (64, 64) and size == (50, 37)
    assert torch.equal(padded[:, :, :50, :37], image)
    tiny, _ = pad_to_multiple(torch.rand(1, 3, 3, 5, generator=torch_generator(1)), 64)  # replicate
    assert tuple(tiny.shape[-2:]) == (64, 64)


def test_same_seed_same_output_and_batch_equals_single(tiny_pipe):
    randomize_heads(tiny_pipe.adapter, seed=7)
    images = [_lq(40, 40, seed=i) for i in range(2)]
    prompts = dict(semantic_prompt=["a dog", ""], restoration_prompt=["Denoise with sigma 0.10", "Deblur"])
    batch = tiny_pipe(images, num_inference_steps=STEPS, generator=[torch_generator(1), torch_generator(2)],
                      **prompts)
    again = tiny_pipe(images, num_inference_steps=STEPS, generator=[torch_generator(1), torch_generator(2)],
                      **prompts)
    assert np.array_equal(batch, again)
    for index in range(2):
        single = tiny_pipe(images[index], semantic_prompt=prompts["semantic_prompt"][index],
                           restoration_prompt=prompts["restoration_prompt"][index], num_inference_steps=STEPS,
                           generator=[torch_generator(index + 1)])
        # Batched vs single matmuls may round differently in float32; well below one 8-bit level.
        assert np.abs(single[0] - batch[index]).max() < 1e-4
    other = tiny_pipe(images[0], num_inference_steps=STEPS, generator=torch_generator(99), **{
        k: v[0] for k, v in prompts.items()})
    assert np.abs(other[0] - batch[0]).max() > 1e-3


def test_empty_semantic_prompt_runs_one_unet_pass_per_step(tiny_pipe):
    counts, hooks = _count_calls(tiny_pipe)
    low = tiny_pipe(_lq(32, 32), semantic_prompt="", num_inference_steps=STEPS, guidance_scale=7.5,
                    generator=torch_generator(0))
    for hook in hooks:
        hook.remove()
    assert counts["unet_batches"] == [1] * STEPS
    assert counts["adapter_calls"] == STEPS
    high = tiny_pipe(_lq(32, 32), semantic_prompt="", num_inference_steps=STEPS, guidance_scale=1.0,
                     generator=torch_generator(0))
    assert np.array_equal(low, high)


def test_guidance_doubles_unet_batch_but_runs_adapter_once(tiny_pipe):
    randomize_heads(tiny_pipe.adapter, seed=8)
    counts, hooks = _count_calls(tiny_pipe)
    guided = tiny_pipe([_lq(32, 32), _lq(32, 32, 1)], semantic_prompt="a red car", num_inference_steps=STEPS,
                       guidance_scale=5.0, generator=[torch_generator(0), torch_generator(1)])
    for hook in hooks:
        hook.remove()
    assert counts["unet_batches"] == [4] * STEPS  # uncond + cond halves in one batched UNet call
    assert counts["adapter_calls"] == STEPS  # adapter once per step on the batch of 2
    unguided = tiny_pipe([_lq(32, 32), _lq(32, 32, 1)], semantic_prompt="a red car", num_inference_steps=STEPS,
                         guidance_scale=1.0, generator=[torch_generator(0), torch_generator(1)])
    assert np.abs(guided - unguided).max() > 1e-4


def test_guidance_one_equals_conditional_prediction(tiny_pipe):
    """w = 1 collapses eps_u + w (eps_c - eps_u) to eps_c: the single conditional pass, computed by hand."""
    from reference_model.fused_unet import fused_unet_forward
    from reference_model.text import encode_prompts

    randomize_heads(tiny_pipe.adapter, seed=9)
    lq = _lq(32, 32)
    out = tiny_pipe(lq, semantic_prompt="a tree", restoration_prompt="Deblur", num_inference_steps=STEPS,
                    guidance_scale=1.0, generator=torch_generator(3), output_type="pt")
    pipe = tiny_pipe
    y = torch.from_numpy(lq).permute(2, 0, 1)[None].float() / 255
    y, _ = pad_to_multiple(y, pipe.pad_multiple)
    c_s = encode_prompts(pipe.tokenizer, pipe.text_encoder, ["a tree"], "cpu")
    c_r = encode_prompts(pipe.tokenizer, pipe.text_encoder, ["Deblur"], "cpu")
    pipe.scheduler.set_timesteps(STEPS)
    latents = torch.randn((1, 4, 16, 16), generator=torch_generator(3)) * pipe.scheduler.init_noise_sigma
    with torch.no_grad():
        for t in pipe.scheduler.timesteps:
            eps = fused_unet_forward(pipe.unet, latents, t, c_s, pipe.adapter(latents, t, c_r, y))
            latents = pipe.scheduler.step(eps, t, latents).prev_sample
        manual = (pipe.vae.decode(latents / pipe.vae.config.scaling_factor).sample / 2 + 0.5).clamp(0, 1)
    assert torch.allclose(out, manual[:, :, :32, :32], atol=1e-6)


@pytest.mark.parametrize("bad", [
    dict(num_inference_steps=0),
    dict(semantic_prompt=["a", "b"]),
    dict(output_type="pil"),
    dict(generator=[torch_generator(0), torch_generator(1)]),
])
def test_bad_arguments_raise(tiny_pipe, bad):
    with pytest.raises(ValueError):
        tiny_pipe(_lq(32, 32), **bad)
