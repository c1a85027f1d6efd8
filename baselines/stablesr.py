"""`stablesr`: StableSR (IceClear/StableSR) run as a subprocess of the user's clone and environment.

Which script runs (protocol §8.3): the README's ×4 128 → 512 test, `scripts/sr_val_ddpm_text_T_vqganfin_old.py`
(the script itself resizes the LQ with torchvision `Resize(512)` and centre-crops it), for items whose LQ×4 is the
512×512 output; `scripts/sr_val_ddpm_text_T_vqganfin_oldcanvas_tile.py` (any size) for every other item, with the LQ
as is and `--upscale 4` when LQ×4 is the output size, else bicubic-resized to it with `--upscale 1`. Both with the
README's `--ddpm_steps 200 --dec_w 0.5 --colorfix_type adain`, empty text, one seed per call. Checkpoints come from
the weights table and are passed by path. run.json records which script ran for how many items and the rule.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

import numpy as np

from baselines._subprocess import CallPlan, SubprocessRestorer
from tipbench.methods import STABLESR_CLONE

CONFIG = "configs/stableSRNew/v2-finetune_text_T_512.yaml"
OLD_SCRIPT = STABLESR_CLONE.other_scripts[0]
TILE_SCRIPT = STABLESR_CLONE.entry
#: the README's 128 → 512 test: the only setting `_old.py` is documented for (it centre-crops to `--input_size`).
README_OUT_SIZE = (512, 512)
INPUT_SIZE = 512
#: values the scripts' code compares `--colorfix_type` against (argparse has no choices; anything else is no fix).
COLORFIX = ("adain", "wavelet", "nofix")
SCRIPT_RULE = {
    OLD_SCRIPT: "items whose LQ x4 is the 512x512 output (README 'Test on 128 --> 512')",
    TILE_SCRIPT: "every other item (README 'arbitrary size w/ chop'): LQ as is with --upscale 4 when LQ x4 is the "
                 "output size, else Pillow bicubic to the output size with --upscale 1",
}


class StableSRRestorer(SubprocessRestorer):
    """StableSR ×4; ignores both prompts (logged once)."""

    name = "stablesr"
    weights: ClassVar[tuple[str, ...]] = ("stablesr", "stablesr-cfw")
    default_timeout_s = 6 * 3600.0

    def __init__(self, options) -> None:
        from tipbench.errors import ConfigError
        from tipbench.weights import file_sha256, resolve_all

        options.check_extra(("ddpm_steps", "dec_w", "colorfix"), self.name)
        self.colorfix = options.option("colorfix", "adain")
        if self.colorfix not in COLORFIX:
            raise ConfigError(f"stablesr `colorfix` must be one of {', '.join(COLORFIX)} (StableSR's "
                              f"--colorfix_type), got `{self.colorfix}`")
        found = resolve_all(list(self.weights))  # before anything else runs
        super().__init__(options, STABLESR_CLONE, "StableSR")
        self.ckpt, self.cfw = str(found["stablesr"]), str(found["stablesr-cfw"])
        self.checkpoints = {name: file_sha256(path) for name, path in found.items()}
        self.ddpm_steps = int(options.option("ddpm_steps", 200))
        self.dec_w = float(options.option("dec_w", 0.5))

    def plan(self, lq: np.ndarray, out_size: tuple[int, int]) -> tuple[np.ndarray, CallPlan]:
        if tuple(out_size) == README_OUT_SIZE and (lq.shape[0] * self.scale, lq.shape[1] * self.scale) == out_size:
            return lq, CallPlan(OLD_SCRIPT, 0)
        return super().plan(lq, out_size)

    def argv(self, in_dir: Path, out_dir: Path, *, plan: CallPlan, seed: int, semantic_prompt: str) -> list[str]:
        common = ["--config", CONFIG, "--ckpt", self.ckpt, "--vqgan_ckpt", self.cfw, "--init-img", str(in_dir),
                  "--outdir", str(out_dir), "--ddpm_steps", str(self.ddpm_steps), "--dec_w", str(self.dec_w),
                  "--colorfix_type", self.colorfix, "--seed", str(seed), "--n_samples", "1",
                  "--input_size", str(INPUT_SIZE)]
        upscale = [] if plan.script == OLD_SCRIPT else ["--upscale", str(plan.upscale)]
        return [self.python, plan.script, *common, *upscale]

    def describe(self) -> dict:
        common = self.describe_common()
        settings = {"sampler": "DDPM respaced", "ddpm_steps": self.ddpm_steps, "dec_w": self.dec_w,
                    "colorfix_type": self.colorfix, "text": "", "n_samples": 1, "input_size": INPUT_SIZE,
                    "script_rule": SCRIPT_RULE, "items_per_script": common["items_per_script"],
                    "upstream": common["upstream"], "repo": common["repo"], "python": common["python"],
                    "seed_policy": common["seed_policy"]}
        return {"settings": settings, "checkpoints": self.checkpoints, "weights": "real",
                "command": common["command"]}
