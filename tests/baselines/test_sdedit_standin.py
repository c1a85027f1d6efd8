"""DiffBIR+SDEdit: the stand-in DiffBIR, then real diffusers img2img on a tiny random SD laid out as the `sd15`
weights entry; strength recorded, per-item seeds honoured."""

from __future__ import annotations

import numpy as np

from tipbench.methods import RestorerOptions, load_restorer


def test_sdedit_runs_img2img_after_diffbir(diffbir_clone, tiny_sd15):
    options = RestorerOptions(variant="s06", batch_size=2, extra=(("sdedit_steps", "4"),))
    restorer = load_restorer("diffbir-sdedit", options=options)
    rng = np.random.default_rng(0)
    items = [{"lq": rng.integers(0, 256, (16, 16, 3), dtype=np.uint8), "semantic_prompt": "a cat",
              "restoration_prompt": "", "out_size": (64, 64), "seed": seed} for seed in (1, 2)]
    first = restorer.restore_batch(items)
    assert [out.shape for out in first] == [(64, 64, 3)] * 2
    again = restorer.restore(items[0]["lq"], semantic_prompt="a cat", out_size=(64, 64), seed=1)
    assert np.array_equal(first[0], again)  # per-item seed, whatever the batch
    described = restorer.describe()
    assert described["settings"]["strength"] == 0.6 and described["settings"]["version"] == "v1"
    assert "sd15" in described["checkpoints"]
    assert all("--pos_prompt ''" in command for command in described["command"])  # DiffBIR itself gets no c_s
