"""Tiny reference-model inference on CPU: cost of the fused forward, the adapter and a CFG sampling step, each as a
ratio to a plain UNet pass of the same tiny model measured in the same run.

    python bench/model_cpu.py [--size 64] [--steps 10] [--repeats 5] [--threads 1]

Ratios, not seconds, are the figures to compare across machines (the dev machine's 2 cores are shared).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("HF_HUB_OFFLINE", "1")


def timed(function, repeats: int) -> float:
    """Median wall seconds of `function()` over `repeats` runs after one warm-up."""
    function()
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=64, help="image side in pixels (default 64)")
    parser.add_argument("--steps", type=int, default=10, help="DDIM steps per restore (default 10)")
    parser.add_argument("--repeats", type=int, default=5, help="timed repeats (median; default 5)")
    parser.add_argument("--threads", type=int, default=1, help="torch intra-op threads (default 1)")
    args = parser.parse_args(argv)

    import numpy as np
    import torch

    from reference_model.fused_unet import fused_unet_forward
    from reference_model.tiny import randomize_heads, tiny_pipeline
    from tipbench.seeding import torch_generator

    torch.set_num_threads(args.threads)
    pipe = tiny_pipeline()
    randomize_heads(pipe.adapter, seed=0)
    latent = args.size // pipe.vae_scale_factor
    generator = torch_generator(0)
    z = torch.randn(1, 4, latent, latent, generator=generator)
    c = torch.randn(1, 77, pipe.text_encoder.config.hidden_size, generator=generator)
    y = torch.rand(1, 3, args.size, args.size, generator=generator)
    t = torch.tensor([500])
    lq = np.random.default_rng(0).integers(0, 256, (args.size, args.size, 3), dtype=np.uint8)

    with torch.no_grad():
        terms = pipe.adapter(z, t, c, y)
        plain = timed(lambda: pipe.unet(z, t, c), args.repeats)
        fused = timed(lambda: fused_unet_forward(pipe.unet, z, t, c, terms), args.repeats)
        adapter = timed(lambda: pipe.adapter(z, t, c, y), args.repeats)
        z2, c2 = torch.cat([z, z]), torch.cat([c, c])
        cfg_unet = timed(lambda: fused_unet_forward(pipe.unet, z2, t, c2, terms), args.repeats)
    no_cfg = timed(lambda: pipe(lq, semantic_prompt="", num_inference_steps=args.steps,
                                generator=torch_generator(1)), max(1, args.repeats // 2))
    with_cfg = timed(lambda: pipe(lq, semantic_prompt="a photo", num_inference_steps=args.steps,
                                  guidance_scale=5.0, generator=torch_generator(1)), max(1, args.repeats // 2))

    print(f"tiny TIP on CPU, {args.size}x{args.size} px (latent {latent}), threads={args.threads}, "
          f"torch {torch.__version__}")
    rows = [
        ("plain UNet forward (reference)", plain),
        ("fused UNet forward (same UNet + fusion)", fused),
        ("adapter forward (ControlNet + heads)", adapter),
        ("fused UNet forward, CFG batch of 2", cfg_unet),
        (f"restore, {args.steps} DDIM steps, c_s empty (1 UNet pass/step)", no_cfg / args.steps),
        (f"restore, {args.steps} DDIM steps, CFG w=5 (per step)", with_cfg / args.steps),
    ]
    for label, seconds in rows:
        print(f"  {label:<58s} {seconds * 1e3:8.2f} ms  {seconds / plain:6.2f}x plain UNet")
    print(f"  restore per image: {no_cfg:.3f} s without CFG, {with_cfg:.3f} s with CFG ({args.steps} steps)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
