"""GPU checks of the reference model (run by bench/gpu_check.sh on a CUDA machine; every section is independent).

Sections (each prints its figures and goes into the JSON report; a failing or skipped section records why):
  tiny        tiny random pipeline on CUDA (fp32 vs CPU, fp16, bf16) and a few training steps
  sd15-infer  real-size SD1.5 architecture, random weights: s/image at 512² with 50 DDIM steps + CFG (fp16),
              batch 1 and 4, peak memory (target <= 2.5 s/image)
  sd15-train  real-size training step, batch 8 at 512², bf16 frozen base + fp32 adapter, with/without gradient
              checkpointing: s/step and peak memory
  sd15-real   the same inference with real SD1.5 weights when the weights registry finds `sd15`
  degrade     Real-ESRGAN torch backend, batched on the GPU, vs the numpy backend per image on CPU

    python bench/gpu_model_check.py [--sections tiny,sd15-infer,...] [--out report.json] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import traceback
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
_DTYPES = {}
SECTIONS = ("tiny", "sd15-infer", "sd15-train", "sd15-real", "degrade")


def _sync(device) -> None:
    import torch

    if str(device).startswith("cuda"):
        torch.cuda.synchronize()


def _timed(function, device, repeats: int = 1) -> float:
    """Mean seconds of `function()` over `repeats` runs, after one warm-up run."""
    function()
    _sync(device)
    start = time.perf_counter()
    for _ in range(repeats):
        function()
    _sync(device)
    return (time.perf_counter() - start) / repeats


def _peak_gib(device) -> float | None:
    import torch

    if not str(device).startswith("cuda"):
        return None
    return round(torch.cuda.max_memory_allocated() / 2**30, 2)


def _reset_peak(device) -> None:
    import torch

    if str(device).startswith("cuda"):
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def section_tiny(args) -> dict:
    import numpy as np
    import torch

    from reference_model.tiny import randomize_heads, tiny_pipeline
    from reference_model.train.loop import compute_loss
    from tipbench.seeding import torch_generator

    lq = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    cpu = tiny_pipeline()
    randomize_heads(cpu.adapter, 0)
    reference = cpu(lq, semantic_prompt="a cat", num_inference_steps=10, generator=torch_generator(0))
    result = {}
    for name, dtype in (("fp32", torch.float32), ("fp16", torch.float16), ("bf16", torch.bfloat16)):
        pipe = tiny_pipeline()
        randomize_heads(pipe.adapter, 0)
        pipe.to(args.device, dtype)
        out = pipe(lq, semantic_prompt="a cat", num_inference_steps=10, generator=torch_generator(0))
        seconds = _timed(lambda: pipe(lq, semantic_prompt="a cat", num_inference_steps=10,  # noqa: B023
                                      generator=torch_generator(0)), args.device, 3)
        result[name] = {"max_abs_diff_vs_cpu_fp32": float(np.abs(out - reference).max()),
                        "seconds_per_restore_10_steps": round(seconds, 4)}
        print(f"[tiny] {name}: max |cuda - cpu fp32| = {result[name]['max_abs_diff_vs_cpu_fp32']:.2e}, "
              f"{seconds:.3f} s per 10-step restore")
    # a few training steps on the device (the loop's own loss, fp32 adapter, bf16 autocast)
    from diffusers import DDPMScheduler

    pipe = tiny_pipeline()
    adapter = pipe.adapter.to(args.device).train().requires_grad_(True)
    base = {"vae": pipe.vae.to(args.device), "unet": pipe.unet.to(args.device),
            "text_encoder": pipe.text_encoder.to(args.device), "tokenizer": pipe.tokenizer}
    optimizer = torch.optim.AdamW(adapter.parameters(), lr=1e-3)
    scheduler = DDPMScheduler.from_config(pipe.scheduler.config)
    generator = torch_generator(0)
    x = torch.rand(4, 3, 64, 64, generator=generator) * 2 - 1
    y = torch.rand(4, 3, 64, 64, generator=generator)
    losses = []
    for step in range(20):
        loss = compute_loss(x, y, ["a cat"] * 4, ["Deblur"] * 4, base=base, adapter=adapter, noise_scheduler=scheduler,
                            generator=torch_generator(step % 4), device=args.device, weight_dtype=torch.float32)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(float(loss.detach()))
    result["train_losses_first_last"] = [losses[0], losses[-1]]
    print(f"[tiny] 20 training steps on {args.device}: loss {losses[0]:.4f} -> {losses[-1]:.4f}")
    return result


def _sd15_pipeline(device, dtype, base=None):
    from reference_model.adapter import TIPAdapter
    from reference_model.components import build_sd15, load_base
    from reference_model.pipeline import TIPPipeline
    from reference_model.seeding import seeded_init
    from reference_model.tiny import randomize_heads

    components = load_base(base, dtype=dtype) if base else build_sd15(empty=False)
    with seeded_init(0):
        adapter = TIPAdapter.from_unet(components["unet"])
    randomize_heads(adapter, 0, std=0.01)  # non-zero heads so the fusion path does real work
    pipe = TIPPipeline(adapter=adapter, **components).to(device, dtype)
    pipe.set_progress_bar_config(disable=True)
    return pipe


def _inference_figures(pipe, args, tag: str) -> dict:
    import numpy as np

    from tipbench.seeding import torch_generator

    steps = 5 if args.quick else 50
    size = 128 if args.quick else 512
    result = {"steps": steps, "size": size, "guidance_scale": 5.0, "dtype": str(pipe.unet.dtype)}
    for batch in (1, 4):
        lqs = [np.random.default_rng(i).integers(0, 256, (size, size, 3), dtype=np.uint8) for i in range(batch)]
        _reset_peak(args.device)
        seconds = _timed(lambda: pipe(lqs, semantic_prompt="a photo of a dog", restoration_prompt="Remove all degradation",  # noqa: B023
                                      num_inference_steps=steps, guidance_scale=5.0,
                                      generator=[torch_generator(i) for i in range(batch)]), args.device)  # noqa: B023
        result[f"batch{batch}"] = {"seconds_per_image": round(seconds / batch, 3), "peak_gib": _peak_gib(args.device)}
        print(f"[{tag}] {size}² {steps} DDIM + CFG, batch {batch}: {seconds / batch:.3f} s/image, "
              f"peak {_peak_gib(args.device)} GiB")
    return result


def section_sd15_infer(args) -> dict:
    return _inference_figures(_sd15_pipeline(args.device, _DTYPES[args.infer_dtype]), args, "sd15-infer")


def section_sd15_real(args) -> dict:
    from reference_model.weights import resolve_sd_base

    base = resolve_sd_base(args.sd_base)  # raises MissingWeightsError (recorded as skipped) when absent
    return _inference_figures(_sd15_pipeline(args.device, _DTYPES[args.infer_dtype], base), args, "sd15-real")


def _train_figures(args, batch: int, size: int, checkpointing: bool) -> dict:
    """Seconds per optimizer step and peak memory of one real-size training configuration."""
    import torch
    from accelerate import Accelerator
    from diffusers import DDPMScheduler

    from reference_model.adapter import TIPAdapter
    from reference_model.components import build_sd15
    from reference_model.seeding import seeded_init
    from reference_model.train.loop import compute_loss
    from tipbench.seeding import torch_generator

    base = build_sd15(empty=False)
    with seeded_init(0):
        adapter = TIPAdapter.from_unet(base["unet"])
    for name in ("unet", "vae", "text_encoder"):
        base[name].requires_grad_(False).to(args.device, torch.bfloat16)
    if checkpointing:
        adapter.enable_gradient_checkpointing()
        base["unet"].enable_gradient_checkpointing()
    accelerator = Accelerator(mixed_precision="bf16", cpu=not args.device.startswith("cuda"))
    optimizer = torch.optim.AdamW(adapter.parameters(), lr=1e-5, weight_decay=1e-2)
    adapter, optimizer = accelerator.prepare(adapter.float().train(), optimizer)
    scheduler = DDPMScheduler.from_config(base["scheduler"].config)
    generator = torch_generator(0)
    x = torch.rand(batch, 3, size, size, generator=generator) * 2 - 1
    y = torch.rand(batch, 3, size, size, generator=generator)
    prompts = ["a photo of a dog"] * batch
    restoration = ["Deblur with sigma 2.0; Denoise with sigma 0.05"] * batch

    def step() -> None:
        loss = compute_loss(x, y, prompts, restoration, base=base, adapter=adapter, noise_scheduler=scheduler,
                            generator=torch_generator(1), device=args.device, weight_dtype=torch.bfloat16,
                            accelerator=accelerator)
        accelerator.backward(loss)
        accelerator.clip_grad_norm_(adapter.parameters(), 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)

    _reset_peak(args.device)
    try:
        seconds = _timed(step, args.device, 2 if args.quick else 5)
    except torch.OutOfMemoryError as error:
        return {"error": f"out of memory: {error}"[:300]}
    return {"seconds_per_step": round(seconds, 3), "samples_per_second": round(batch / seconds, 2),
            "peak_gib": _peak_gib(args.device)}


def section_sd15_train(args) -> dict:
    batch, size = (2, 128) if args.quick else (8, 512)
    result = {"batch": batch, "size": size, "mixed_precision": "bf16"}
    for checkpointing in (False, True):
        key = "gradient_checkpointing" if checkpointing else "no_checkpointing"
        result[key] = _train_figures(args, batch, size, checkpointing)
        print(f"[sd15-train] batch {batch} at {size}², {key}: {result[key]}")
        _reset_peak(args.device)
    return result


def section_degrade(args) -> dict:
    import numpy as np
    import torch

    from tipbench.degradations.realesrgan import apply, sample, sample_batch
    from tipbench.degradations.realesrgan.torch_backend import apply_batch
    from tipbench.seeding import item_rng, torch_generator

    batch = 8 if args.quick else 32
    size = 256 if args.quick else 512
    rng = np.random.default_rng(0)
    gts = rng.integers(0, 256, (batch, size, size, 3), dtype=np.uint8)
    records = sample_batch(item_rng(0, 2, 0), batch, size=(size, size), training=True)
    tensor = torch.from_numpy(gts).permute(0, 3, 1, 2).float().div(255).to(args.device)
    seconds = _timed(lambda: apply_batch(tensor, records, generator=torch_generator(0, args.device)), args.device, 3)
    cpu_records = [sample(item_rng(0, 2, i), size=(size, size)) for i in range(4)]
    cpu_seconds = _timed(lambda: [apply(gts[i], cpu_records[i]) for i in range(4)], "cpu") / 4
    result = {"batch": batch, "size": size, "gpu_images_per_second": round(batch / seconds, 1),
              "cpu_numpy_images_per_second": round(1 / cpu_seconds, 2),
              "speedup": round((batch / seconds) * cpu_seconds, 1)}
    print(f"[degrade] Real-ESRGAN {size}²: GPU batch {batch} {result['gpu_images_per_second']} img/s vs numpy "
          f"1 core {result['cpu_numpy_images_per_second']} img/s ({result['speedup']}x)")
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sections", default=",".join(SECTIONS), help=f"comma list from {', '.join(SECTIONS)}")
    parser.add_argument("--device", default="cuda", help="cuda (default) or cpu for a dry run")
    parser.add_argument("--sd-base", default=None, help="SD1.5 directory for sd15-real (default: weights registry)")
    parser.add_argument("--infer-dtype", default="fp16", choices=("fp16", "bf16", "fp32"),
                        help="inference precision for the SD1.5 sections (default fp16)")
    parser.add_argument("--quick", action="store_true", help="small sizes and few steps (script smoke test)")
    parser.add_argument("--out", default=None, help="JSON report path (default: $OUT/gpu_model_check.json or ./)")
    args = parser.parse_args(argv)
    chosen = [s.strip() for s in args.sections.split(",") if s.strip()]
    unknown = sorted(set(chosen) - set(SECTIONS))
    if unknown:
        parser.error(f"unknown section(s) {', '.join(unknown)}; valid: {', '.join(SECTIONS)}")

    import torch

    _DTYPES.update(fp16=torch.float16, bf16=torch.bfloat16, fp32=torch.float32)
    report = {"device": args.device, "torch": torch.__version__, "quick": args.quick, "sections": {}}
    if args.device.startswith("cuda"):
        if not torch.cuda.is_available():
            print("error: CUDA is not available", file=sys.stderr)
            return 1
        report["gpu"] = torch.cuda.get_device_name(0)
        torch.backends.cuda.matmul.allow_tf32 = True
    for module in ("diffusers", "transformers", "accelerate"):
        report[module] = __import__(module).__version__
    functions = {"tiny": section_tiny, "sd15-infer": section_sd15_infer, "sd15-train": section_sd15_train,
                 "sd15-real": section_sd15_real, "degrade": section_degrade}
    for name in chosen:
        started = time.perf_counter()
        try:
            report["sections"][name] = functions[name](args)
        except Exception as error:  # one section failing must not hide the others' figures
            kind = "skipped" if type(error).__name__ in ("MissingWeightsError", "ImportError") else "error"
            report["sections"][name] = {kind: f"{type(error).__name__}: {error}"[:2000]}
            print(f"[{name}] {kind}: {type(error).__name__}: {error}", file=sys.stderr)
            if kind == "error":
                traceback.print_exc()
        report["sections"][name]["wall_seconds"] = round(time.perf_counter() - started, 1)
        _reset_peak(args.device)
    out = Path(args.out or Path(os.environ.get("OUT", ".")) / "gpu_model_check.json")
    out.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
