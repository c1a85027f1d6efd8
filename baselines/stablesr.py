"""`stablesr`: StableSR (IceClear/StableSR) run as a subprocess of the user's clone and environment.

Paper setting (protocol §8.3): `sr_val_ddpm_text_T_vqganfin_oldcanvas_tile.py`, 200 DDPM steps, CFW
weight 0.5, AdaIN colour fix, empty text. LQs whose ×4 is not the output size are bicubic-resized to it first and
run with `--upscale 1`. Checkpoints come from the weights table and are passed by path.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from baselines._subprocess import SubprocessRestorer
from tipbench.methods import STABLESR_CLONE

CONFIG = "configs/stableSRNew/v2-finetune_text_T_512.yaml"
_COLORFIX = ("adain", "wavelet", "nocolor")


class StableSRRestorer(SubprocessRestorer):
    """StableSR ×4; ignores both prompts (logged once)."""

    name = "stablesr"
    weights: ClassVar[tuple[str, ...]] = ("stablesr", "stablesr-cfw")
    default_timeout_s = 6 * 3600.0

    def __init__(self, options) -> None:
        from tipbench.weights import file_sha256, resolve_all

        options.check_extra(("ddpm_steps", "dec_w", "colorfix"), self.name)
        found = resolve_all(list(self.weights))  # before anything else runs
        super().__init__(options, STABLESR_CLONE, "StableSR")
        self.ckpt, self.cfw = str(found["stablesr"]), str(found["stablesr-cfw"])
        self.checkpoints = {name: file_sha256(path) for name, path in found.items()}
        self.ddpm_steps = int(options.option("ddpm_steps", 200))
        self.dec_w = float(options.option("dec_w", 0.5))
        self.colorfix = options.option("colorfix", "adain")
        if self.colorfix not in _COLORFIX:
            from tipbench.errors import ConfigError

            raise ConfigError(f"stablesr `colorfix` must be one of {', '.join(_COLORFIX)}, got `{self.colorfix}`")

    def argv(self, in_dir: Path, out_dir: Path, *, upscale: int, seed: int, semantic_prompt: str) -> list[str]:
        color = ["--nocolor"] if self.colorfix == "nocolor" else ["--colorfix_type", self.colorfix]
        return [self.python, STABLESR_CLONE.entry, "--config", CONFIG, "--ckpt", self.ckpt,
                "--vqgan_ckpt", self.cfw, "--init-img", str(in_dir), "--outdir", str(out_dir),
                "--ddpm_steps", str(self.ddpm_steps), "--dec_w", str(self.dec_w), "--seed", str(seed),
                "--n_samples", "1", "--upscale", str(upscale), *color]

    def describe(self) -> dict:
        common = self.describe_common()
        return {"settings": {"sampler": "DDPM respaced", "ddpm_steps": self.ddpm_steps, "dec_w": self.dec_w,
                             "colorfix": self.colorfix, "text": "", "input_resize": "Pillow bicubic to out_size "
                             "unless LQx4 = out_size", "repo": common["repo"], "python": common["python"],
                             "seed_policy": common["seed_policy"]},
                "checkpoints": self.checkpoints, "weights": "real", "command": common["command"]}
