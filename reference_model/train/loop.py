"""The training loop (protocol §9.3): frozen VAE / text encoder / UNet, trainable adapter in fp32, accelerate for mixed
precision, gradient accumulation, multi-process launch, checkpoint + resume.

Randomness: data draws come from (seed, stage, global sample index) through data_recipes; the VAE posterior
sample, noise and timesteps of micro-step m on rank r come from a generator seeded by SeedSequence([seed,
TRAIN_MIX, m, r, 1]), so a resumed run continues exactly as an uninterrupted one.
"""

from __future__ import annotations

import json
import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F

from reference_model.train.config import TrainConfig
from tipbench.io import write_json
from tipbench.seeding import Stage, torch_generator

logger = logging.getLogger(__name__)


def micro_step_seed(seed: int, micro_step: int, rank: int) -> int:
    return int(np.random.SeedSequence([seed, int(Stage.TRAIN_MIX), micro_step, rank, 1]).generate_state(1)[0])


def switch_of(adapter_config) -> str:
    """The prompt policy an adapter config was trained with."""
    from reference_model.prompting import policy_of

    return policy_of(adapter_config.use_semantic_prompt, adapter_config.restoration_prompt_form)


def build_models(config: TrainConfig) -> tuple[dict[str, Any], Any, str]:
    """(frozen base components, adapter, base description) for the config."""
    from reference_model.adapter import TIPAdapter
    from reference_model.components import adapter_dir, load_base
    from reference_model.prompting import adapter_prompt_options
    from reference_model.tiny import tiny_base
    from reference_model.weights import resolve_sd_base

    model = config.model
    if model.base == "tiny":
        base, where = tiny_base(config.seed), "tiny"
    else:
        root = resolve_sd_base(model.base)
        base, where = load_base(root), str(root)
    if model.init_adapter:
        adapter = TIPAdapter.from_pretrained(adapter_dir(model.init_adapter))
        logger.info("continuing from adapter %s (its fusion/prompt switches win)", model.init_adapter)
    else:
        adapter = TIPAdapter.from_unet(
            base["unet"], conditioning_embedding_out_channels=model.conditioning_embedding_out_channels,
            fusion=model.fusion, modulate_mid=model.modulate_mid, modulate_up=model.modulate_up,
            seed=config.seed, **adapter_prompt_options(model.prompts),
        )
    return base, adapter, where


def _weight_dtype(mixed_precision: str) -> torch.dtype:
    return {"fp16": torch.float16, "bf16": torch.bfloat16}.get(mixed_precision, torch.float32)


def compute_loss(batch_x, batch_y, semantic, restoration, *, base, adapter, noise_scheduler, generator, device,
                 weight_dtype, accelerator=None) -> torch.Tensor:
    """Epsilon (or v) MSE of the fused UNet on one micro-batch (autocast from `accelerator` when given)."""
    from contextlib import nullcontext

    from reference_model.fused_unet import fused_unet_forward
    from reference_model.text import encode_prompts

    vae, unet = base["vae"], base["unet"]
    with torch.no_grad():
        posterior = vae.encode(batch_x.to(device, weight_dtype)).latent_dist
        latents = posterior.sample(generator=generator).float() * vae.config.scaling_factor
        noise = torch.randn(latents.shape, generator=generator).to(device)
        steps = noise_scheduler.config.num_train_timesteps
        timesteps = torch.randint(0, steps, (latents.shape[0],), generator=generator).to(device)
        noisy = noise_scheduler.add_noise(latents, noise, timesteps)
        semantic_embeds = encode_prompts(base["tokenizer"], base["text_encoder"], semantic, device).to(weight_dtype)
        restoration_embeds = encode_prompts(base["tokenizer"], base["text_encoder"], restoration, device).float()
    with accelerator.autocast() if accelerator is not None else nullcontext():
        terms = adapter(noisy, timesteps, restoration_embeds, batch_y.to(device))
        prediction = fused_unet_forward(unet, noisy.to(weight_dtype), timesteps, semantic_embeds, terms)
    if noise_scheduler.config.prediction_type == "v_prediction":
        target = noise_scheduler.get_velocity(latents, noise, timesteps)
    else:
        target = noise
    return F.mse_loss(prediction.float(), target.float())


def train(config: TrainConfig, *, progress: bool = True) -> dict[str, Any]:
    """Run (or resume) training; returns a summary with the losses logged per optimizer step."""
    from accelerate import Accelerator
    from accelerate.utils import ProjectConfiguration
    from diffusers import DDPMScheduler
    from diffusers.optimization import get_scheduler

    from reference_model.adapter import TIPAdapter
    from reference_model.train.checkpoints import (
        export_final,
        prune_checkpoints,
        register_adapter_hooks,
        resolve_resume,
    )
    from reference_model.train.data import batch_tensors, build_loader, training_prompts
    from tipbench.cli import progress_bar

    # 1. accelerator and output folder
    output_dir = Path(config.output_dir)
    accelerator = Accelerator(
        gradient_accumulation_steps=config.gradient_accumulation_steps, mixed_precision=config.mixed_precision,
        log_with=None if config.report_to == "none" else config.report_to, cpu=config.cpu,
        project_config=ProjectConfiguration(project_dir=str(output_dir), logging_dir=str(output_dir / "logs")),
    )
    if accelerator.is_main_process:
        (output_dir / "logs").mkdir(parents=True, exist_ok=True)
        write_json(output_dir / "train_config.json", config.to_dict())
    if config.report_to != "none":
        accelerator.init_trackers(config.name)

    # 2. models: frozen base in the weight dtype, adapter in fp32
    base, adapter, base_where = build_models(config)
    weight_dtype = _weight_dtype(accelerator.mixed_precision)
    for name in ("unet", "vae", "text_encoder"):
        base[name].requires_grad_(False).eval().to(accelerator.device, dtype=weight_dtype)
    adapter.to(dtype=torch.float32).train()
    if config.gradient_checkpointing:
        adapter.enable_gradient_checkpointing()
        base["unet"].enable_gradient_checkpointing()  # backprop reaches the heads through the UNet decoder
    noise_scheduler = DDPMScheduler.from_config(base["scheduler"].config)
    prompts = switch_of(adapter.config)

    # 3. optimizer, schedule, accelerate
    optimizer = torch.optim.AdamW(adapter.parameters(), lr=config.learning_rate,
                                  betas=(config.adam_beta1, config.adam_beta2),
                                  weight_decay=config.adam_weight_decay, eps=config.adam_epsilon)
    lr_scheduler = get_scheduler(config.lr_scheduler, optimizer=optimizer,
                                 num_warmup_steps=config.lr_warmup_steps * accelerator.num_processes,
                                 num_training_steps=config.max_train_steps * accelerator.num_processes)
    adapter, optimizer, lr_scheduler = accelerator.prepare(adapter, optimizer, lr_scheduler)
    register_adapter_hooks(accelerator, TIPAdapter)

    # 4. resume
    global_step = 0
    resume = resolve_resume(output_dir, config.resume_from_checkpoint)
    if resume is not None:
        global_step, folder = resume
        accelerator.load_state(str(folder))
        logger.info("resumed from %s (step %d)", folder, global_step)
    micro_step = global_step * config.gradient_accumulation_steps

    # 5. data
    batches = build_loader(config.data, seed=config.seed, batch_size=config.train_batch_size,
                           rank=accelerator.process_index, world_size=accelerator.num_processes,
                           start_batch=micro_step, device=accelerator.device)
    validation = _Validation(config, accelerator) if accelerator.is_main_process else None

    # 6. loop
    history: list[dict[str, Any]] = []
    window: list[float] = []
    bar = progress_bar(total=config.max_train_steps, desc="train",
                       enabled=progress and accelerator.is_local_main_process)
    bar.update(global_step)
    started = time.perf_counter()
    while global_step < config.max_train_steps:
        batch = next(batches)
        x, y = batch_tensors(batch, config.data.resolution)
        semantic, restoration = training_prompts(batch, config.data, prompts)
        generator = torch_generator(micro_step_seed(config.seed, micro_step, accelerator.process_index))
        with accelerator.accumulate(adapter):
            loss = compute_loss(x, y, semantic, restoration, base=base, adapter=adapter,
                                noise_scheduler=noise_scheduler, generator=generator, device=accelerator.device,
                                weight_dtype=weight_dtype, accelerator=accelerator)
            accelerator.backward(loss)
            if accelerator.sync_gradients and config.max_grad_norm > 0:
                accelerator.clip_grad_norm_(adapter.parameters(), config.max_grad_norm)
            optimizer.step()
            lr_scheduler.step()
            optimizer.zero_grad(set_to_none=True)
        micro_step += 1
        window.append(float(loss.detach()))
        if not accelerator.sync_gradients:
            continue
        global_step += 1
        bar.update(1)
        record = {"step": global_step, "loss": float(np.mean(window)), "lr": lr_scheduler.get_last_lr()[0],
                  "seconds": time.perf_counter() - started}
        window = []
        history.append(record)
        if global_step % config.logging_steps == 0 or global_step == config.max_train_steps:
            _log(accelerator, output_dir, record)
        if global_step % config.checkpointing_steps == 0:
            accelerator.wait_for_everyone()
            if accelerator.is_main_process:
                prune_checkpoints(output_dir, config.checkpoints_total_limit)
            accelerator.save_state(str(output_dir / f"checkpoint-{global_step}"))
        if validation is not None and global_step % config.validation_steps == 0:
            validation(accelerator.unwrap_model(adapter), base, global_step, prompts)
    bar.close()

    # 7. export
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        marker = {"weights": "random" if base_where == "tiny" else "real", "base": base_where,
                  "name": config.name, "steps": global_step}
        export_final(output_dir, accelerator.unwrap_model(adapter), base if base_where == "tiny" else None, marker)
    accelerator.end_training()
    return {"global_step": global_step, "history": history, "output_dir": str(output_dir)}


def _log(accelerator, output_dir: Path, record: dict[str, Any]) -> None:
    logger.info("step %(step)d loss %(loss).5f lr %(lr).2e", record)
    accelerator.log({"loss": record["loss"], "lr": record["lr"]}, step=record["step"])
    if accelerator.is_main_process:
        with open(output_dir / "logs" / "metrics.jsonl", "a", encoding="utf-8") as handle:
            handle.write(json.dumps(record, sort_keys=True) + "\n")


class _Validation:
    """Fixed validation samples restored every `validation_steps` with the current adapter."""

    def __init__(self, config: TrainConfig, accelerator) -> None:
        from reference_model.train.validation import validation_samples

        self.config, self.accelerator = config, accelerator
        self.samples = validation_samples(config, config.num_validation_images)

    def __call__(self, adapter, base: dict[str, Any], step: int, prompts: str) -> None:
        from reference_model.pipeline import TIPPipeline
        from reference_model.train.data import training_prompts
        from reference_model.train.validation import run_validation

        if not self.samples:
            return
        batch = {key: [s[key] for s in self.samples] for key in self.samples[0]}
        semantic, restoration = training_prompts(batch, self.config.data, prompts)
        was_training = adapter.training
        adapter.eval()
        pipeline = TIPPipeline(adapter=adapter, **base)
        pipeline.set_progress_bar_config(disable=True)
        with self.accelerator.autocast():
            scores = run_validation(pipeline, self.samples, semantic, restoration,
                                    resolution=self.config.data.resolution,
                                    steps=self.config.validation_inference_steps,
                                    out_dir=Path(self.config.output_dir) / "validation" / f"step-{step}",
                                    seed=self.config.seed)
        adapter.train(was_training)
        logger.info("step %d validation %s", step, scores)
        self.accelerator.log(scores, step=step)
