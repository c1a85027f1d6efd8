"""Trainable adapter parameters of the Table 6 variants at SD 1.5 size, counted without weights.

The paper's Table 6 prints parameter ratios (1, 1.06, 1.03) but no counts; ours are measured. `python -m
reference_model.param_counts` builds the SD 1.5 UNet from `configs/sd15/unet.json` and each variant's adapter from
its training config's `model` section inside `accelerate.init_empty_weights` (no memory, no download), counts the
trainable parameters and writes `configs/sd15/param_counts.json`. The leaderboard reads that small file (no torch
import to render a table); a test recounts it, so the file cannot drift from the code.

Example:
    >>> read_param_counts()["baseline"]
    'tip@both-prompts'
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

CONFIGS = Path(__file__).parent / "configs"
UNET_CONFIG = CONFIGS / "sd15" / "unet.json"
COUNTS_FILE = CONFIGS / "sd15" / "param_counts.json"
#: Table 6's rows: run label → training config. The additive ControlNet (no modulation) is the ratio's 1.
VARIANT_CONFIGS = {"tip@both-prompts": "tip-both-prompts.yaml", "tip@modulate-up": "tip-modulate-up.yaml",
                   "tip": "tip.yaml"}
BASELINE = "tip@both-prompts"


def count_trainable(config_path: str | Path, unet: Any = None) -> int:
    """Trainable parameters of the adapter a training config builds, on the SD 1.5 UNet (empty weights)."""
    from accelerate import init_empty_weights
    from diffusers import UNet2DConditionModel

    from reference_model.adapter import TIPAdapter
    from reference_model.train.config import load_config

    model = load_config(config_path).model
    with init_empty_weights():
        if unet is None:
            unet = UNet2DConditionModel.from_config(json.loads(UNET_CONFIG.read_text()))
        adapter = TIPAdapter.from_unet(
            unet, conditioning_embedding_out_channels=model.conditioning_embedding_out_channels,
            load_weights_from_unet=False, fusion=model.fusion, modulate_mid=model.modulate_mid,
            modulate_up=model.modulate_up)
    return sum(parameter.numel() for parameter in adapter.parameters() if parameter.requires_grad)


def measure() -> dict[str, Any]:
    """Counts and ratios of every Table 6 variant (what `param_counts.json` holds)."""
    from accelerate import init_empty_weights
    from diffusers import UNet2DConditionModel

    from reference_model.train.config import load_config

    with init_empty_weights():
        unet = UNet2DConditionModel.from_config(json.loads(UNET_CONFIG.read_text()))
    counts = {label: count_trainable(CONFIGS / name, unet) for label, name in VARIANT_CONFIGS.items()}
    variants = {}
    for label, name in VARIANT_CONFIGS.items():
        model = load_config(CONFIGS / name).model
        variants[label] = {"config": f"reference_model/configs/{name}", "fusion": model.fusion,
                           "modulate_mid": model.modulate_mid, "modulate_up": model.modulate_up,
                           "trainable_parameters": counts[label],
                           "relative_params": round(counts[label] / counts[BASELINE], 5)}
    return {"baseline": BASELINE, "unet_config": "reference_model/configs/sd15/unet.json",
            "counted_with": "python -m reference_model.param_counts (accelerate.init_empty_weights, no weights)",
            "variants": variants}


def read_param_counts() -> dict[str, Any]:
    """The recorded counts (`configs/sd15/param_counts.json`)."""
    return json.loads(COUNTS_FILE.read_text())


def relative_params(label: str) -> float:
    """Measured trainable parameters of `label` (e.g. `tip@modulate-up`) relative to the additive ControlNet."""
    return float(read_param_counts()["variants"][label]["relative_params"])


def main() -> None:
    from tipbench.io import write_json

    write_json(COUNTS_FILE, measure())
    print(f"wrote {COUNTS_FILE}")


if __name__ == "__main__":
    main()
