"""Paper Table 1: MS-COCO, parameterized degradation (left) and Real-ESRGAN degradation (right)."""

from __future__ import annotations

from leaderboard.spec import RowSpec, RunMatch, TableSpec, metric_columns, paper_row, ticks_require
from tipbench.contracts.prompt_policy import ANY_POLICY, BLIND, BOTH, NONE, RESTORATION, SEMANTIC

METRICS = ("fid", "lpips", "psnr", "ssim", "clip_i", "clip_t")
COLUMNS = metric_columns("coco-param", METRICS, "Parameterized degradation with synthesized c_r") + metric_columns(
    "coco-realesrgan", METRICS, "Real-ESRGAN degradation without c_r"
)
NO, YES = "×", "✓"
# Methods that ignore every prompt give the same output under any policy: accept whichever was run.
IGNORES_PROMPTS = ANY_POLICY
WITH_CAPTION = (SEMANTIC, BOTH)


def _row(label: str, paper_label: str, sem: str, res: str, matches: tuple[RunMatch, ...], printed: str) -> RowSpec:
    return RowSpec(label, matches, paper_row(COLUMNS, printed), (sem, res), paper_label,
                   requires=ticks_require(sem == YES, res == YES))


TABLE = TableSpec(
    key="1",
    title="MS-COCO with parameterized (left) and Real-ESRGAN (right) degradation",
    caption=(
        "Quantitative results on the MS-COCO dataset (with c_s) using our parameterized degradation (left) and "
        "Real-ESRGAN degradation (right). 'Sem' = semantic prompt, 'Res' = restoration prompt at test time. "
        "'Ours w/o text' reads runs made with the `blind` prompt policy (c_s \"\", c_r \"Remove all "
        "degradation\", the paper's blind use, Fig. 2)."
    ),
    columns=COLUMNS,
    descriptor_headers=("Sem", "Res"),
    rows=(
        _row("SwinIR", "SwinIR [25]", NO, NO, (RunMatch("swinir", IGNORES_PROMPTS),),
             "43.22 0.423 24.40 0.717 0.856 0.285 48.37 0.449 23.45 0.699 0.842 0.284"),
        _row("StableSR", "StableSR [60]", NO, NO, (RunMatch("stablesr", IGNORES_PROMPTS),),
             "20.55 0.313 21.03 0.613 0.886 0.298 25.75 0.364 20.42 0.581 0.864 0.298"),
        _row("DiffBIR", "DiffBIR [29]", NO, NO, (RunMatch("diffbir", IGNORES_PROMPTS),),
             "17.26 0.302 22.16 0.604 0.912 0.297 19.17 0.330 21.48 0.587 0.898 0.298"),
        _row("ControlNet-SR", "ControlNet-SR [71]", NO, NO, (RunMatch("controlnet-sr", (NONE,)),),
             "13.65 0.222 23.75 0.669 0.938 0.300 16.99 0.269 22.95 0.628 0.924 0.299"),
        # The paper's blind use (Fig. 2): c_s "" and c_r "Remove all degradation"; c_r "" would ask the checkpoint
        # for identity (in training it pairs "" with undegraded images only).
        _row("Ours w/o text", "Ours w/o text", NO, NO, (RunMatch("tip", (BLIND,)),),
             "12.70 0.221 23.84 0.671 0.939 0.299 16.25 0.262 23.15 0.636 0.929 0.300"),
        _row("DiffBIR + SDEdit", "DiffBIR [29] + SDEdit [31]", YES, NO, (RunMatch("diffbir-sdedit", WITH_CAPTION),),
             "19.36 0.362 19.39 0.527 0.891 0.305 17.51 0.375 19.15 0.521 0.887 0.308"),
        _row("DiffBIR + CLIP", "DiffBIR [29] + CLIP [41]", YES, NO, (RunMatch("diffbir-clip", WITH_CAPTION),),
             "18.46 0.365 20.50 0.526 0.896 0.308 20.31 0.374 20.45 0.539 0.885 0.307"),
        _row("ControlNet-SR + CLIP", "ControlNet-SR + CLIP [41]", YES, NO,
             (RunMatch("controlnet-sr-clip", WITH_CAPTION),),
             "13.00 0.241 23.18 0.648 0.937 0.307 15.16 0.286 22.45 0.610 0.926 0.308"),
        _row("Ours", "Ours", YES, YES, (RunMatch("tip", (BOTH,)),),
             "11.34 0.219 23.61 0.665 0.943 0.306 14.42 0.262 23.14 0.633 0.935 0.308"),
        # Not in the paper: the floors every method must beat, runnable anywhere (no weights).
        RowSpec("Bicubic (reference, not in paper)", (RunMatch("bicubic", IGNORES_PROMPTS),), {}, (NO, NO)),
        RowSpec("Classical prompted (reference, not in paper)", (RunMatch("classical-prompted", (BOTH, RESTORATION)),),
                {}, (NO, YES), requires=ticks_require(False, True)),
    ),
)
