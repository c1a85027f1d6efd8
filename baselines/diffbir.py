"""`diffbir`: DiffBIR (XPixelGroup/DiffBIR) run as a subprocess of the user's clone and environment.

Every setting the current `inference.py` would otherwise default differently is passed explicitly
(protocol §8.4): v1 = spaced sampler, 50 steps, cfg 1, empty prompts, no captioner, fp32; `--variant v2`
= the v2 README setting (cfg 4 with its negative prompt). The clone loads its weights from `<clone>/weights/`, which
is checked before anything runs. LQs whose ×4 is not the output size are bicubic-resized to it and run with
`--upscale 1` (v1 bicubic-upsamples internally either way).
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from baselines._subprocess import CallPlan, SubprocessRestorer
from tipbench.methods import DIFFBIR_CLONE, METHODS

V2_NEGATIVE_PROMPT = "low quality, blurry, low-resolution, noisy, unsharp, weird textures"
VERSION_SETTINGS = {
    "v1": {"sampler": "spaced", "steps": 50, "cfg_scale": 1.0, "neg_prompt": ""},
    "v2": {"sampler": "spaced", "steps": 50, "cfg_scale": 4.0, "neg_prompt": V2_NEGATIVE_PROMPT},
}

#: What `--version` runs: the paper-era v1 weights go through the current `inference.py` (docs/methods.md).
MODEL_BY_VERSION = {
    "v1": "DiffBIR v1 (Sep 2023, the paper-era model: v1_general.pth + general_swinir_v1.ckpt on SD2.1-base) run "
          "through the current upstream inference.py --version v1, not the legacy v1 scripts",
    "v2": "DiffBIR v2 (v2.pth + BSRNet.pth stage 1 on SD2.1-base) through inference.py --version v2",
}


class DiffBIRRestorer(SubprocessRestorer):
    """DiffBIR ×4 (v1 by default); ignores both prompts (logged once)."""

    name = "diffbir"
    weights: ClassVar[tuple[str, ...]] = ()
    default_timeout_s = 6 * 3600.0
    extra_options: ClassVar[tuple[str, ...]] = ("steps", "cfg_scale")

    def __init__(self, options) -> None:
        from tipbench.weights import file_sha256, get_spec, resolve

        options.check_extra(self.extra_options, self.name)
        super().__init__(options, DIFFBIR_CLONE, "DiffBIR")
        self.version = options.variant if options.variant in VERSION_SETTINGS else "v1"
        self.settings = dict(VERSION_SETTINGS[self.version])
        if options.option("steps") is not None:
            self.settings["steps"] = int(options.option("steps"))
        if options.option("cfg_scale") is not None:
            self.settings["cfg_scale"] = float(options.option("cfg_scale"))
        names = [name for name in METHODS.get("diffbir").weights_for(self.version)
                 if get_spec(name).clone_env == DIFFBIR_CLONE.repo_env]
        self.checkpoints = {name: file_sha256(resolve(name, clone_root=self.repo)) for name in names}

    def argv(self, in_dir: Path, out_dir: Path, *, plan: CallPlan, seed: int, semantic_prompt: str) -> list[str]:
        s = self.settings
        return [self.python, plan.script, "--task", "sr", "--upscale", str(plan.upscale), "--version",
                self.version, "--sampler", s["sampler"], "--steps", str(s["steps"]), "--captioner", "none",
                "--pos_prompt", semantic_prompt, "--neg_prompt", s["neg_prompt"], "--cfg_scale", str(s["cfg_scale"]),
                "--precision", "fp32", "--device", self.device.split(":")[0], "--input", str(in_dir),
                "--output", str(out_dir), "--seed", str(seed)]

    def describe(self) -> dict:
        common = self.describe_common()
        settings = {"version": self.version, "model": MODEL_BY_VERSION[self.version], **self.settings,
                    "captioner": "none", "precision": "fp32",
                    "color_fix": "wavelet (DiffBIR's own, against the stage-1 output)",
                    "positive_prompt": "c_s" if self.uses_semantic_prompt else "",
                    "input_resize": "Pillow bicubic to out_size unless LQx4 = out_size",
                    "upstream": common["upstream"], "repo": common["repo"], "python": common["python"],
                    "seed_policy": common["seed_policy"]}
        return {"settings": settings, "checkpoints": self.checkpoints, "weights": "real",
                "command": common["command"]}
