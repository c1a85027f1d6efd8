"""Paper Table 3: the StableSR DIV2K test set, no prompt."""

from __future__ import annotations

from leaderboard.spec import RowSpec, RunMatch, TableSpec, metric_columns, paper_row
from tipbench.contracts.prompt_policy import ANY_POLICY, BLIND, NONE

COLUMNS = metric_columns("div2k-stablesr", ("fid", "lpips", "psnr", "ssim", "clip_i"), "DIV2K (StableSR test set)")


def _row(label: str, paper_label: str, match: RunMatch, printed: str) -> RowSpec:
    return RowSpec(label, (match,), paper_row(COLUMNS, printed), (), paper_label)


TABLE = TableSpec(
    key="3",
    title="DIV2K test set without any prompt",
    caption=(
        "Numerical results on the DIV2K test set (StableSR's DIV2K_V2_val) without any prompt. 'Without any prompt' "
        "for our rows: the zero-shot row reads runs made with the `blind` policy (c_s \"\", c_r \"Remove all "
        "degradation\"), the c_r the checkpoint pairs with every Real-ESRGAN-degraded image in training, which is "
        "the degradation of this test set; the literal empty c_r would ask it for identity. The fine-tuned row reads "
        "`none` (both prompts \"\"), the prompt its 10k fine-tuning steps used (the paper: 'with empty prompt')."
    ),
    columns=COLUMNS,
    rows=(
        _row("DiffBIR (zero-shot)", "DiffBIR [29] (zero-shot)", RunMatch("diffbir", ANY_POLICY),
             "30.71 0.354 22.01 0.526 0.921"),
        _row("StableSR", "StableSR", RunMatch("stablesr", ANY_POLICY), "24.44 0.311 21.62 0.533 0.928"),
        _row("Ours w/o text (zero-shot)", "Ours w/o text (zero-shot)", RunMatch("tip", (BLIND,)),
             "28.80 0.352 21.68 0.549 0.927"),
        # Fine-tuned 10k iterations on StableSR's training set with the empty prompt: a separate checkpoint.
        _row("Ours w/o text (finetuned)", "Ours w/o text (finetuned)", RunMatch("tip", (NONE,), "div2k-ft"),
             "22.45 0.321 21.38 0.532 0.932"),
    ),
)
