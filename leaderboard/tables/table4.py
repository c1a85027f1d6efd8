"""Paper Table 4: ablation of architecture and of the degradation parameters in c_r (separately trained)."""

from __future__ import annotations

from leaderboard.spec import RowSpec, RunMatch, TableSpec, metric_columns, paper_row, ticks_require
from tipbench.contracts.prompt_policy import BOTH, BOTH_TYPE_ONLY, NONE

COLUMNS = metric_columns("coco-param", ("fid", "lpips", "psnr", "ssim", "clip_i", "clip_t"), "MS-COCO, parameterized")
NO, YES = "×", "✓"


def _row(label: str, paper_label: str, sem: str, res: str, match: RunMatch, printed: str) -> RowSpec:
    return RowSpec(label, (match,), paper_row(COLUMNS, printed), (sem, res), paper_label,
                   requires=ticks_require(sem == YES, res != NO))


TABLE = TableSpec(
    key="4",
    title="Ablation of architecture and restoration-prompt parameters",
    caption=(
        "Ablation of architecture and degradation strength in the c_r restoration prompt in both training and test "
        "stages. Each row is its own checkpoint (contracts §2: variants)."
    ),
    columns=COLUMNS,
    descriptor_headers=("Sem c_s", "Res c_r"),
    rows=(
        _row("ControlNet-SR", "ControlNet-SR", NO, NO, RunMatch("controlnet-sr", (NONE,)),
             "13.65 0.222 23.75 0.669 0.938 0.300"),
        # ControlNet-SR trained and tested with both prompts, i.e. TIP without the modulation fusion layer; the
        # paper prints the same FID/LPIPS for Table 6's unmodulated row, so it is one checkpoint.
        _row("ControlNet-SR (prompted)", "ControlNet-SR", YES, YES, RunMatch("tip", (BOTH,), "both-prompts"),
             "12.14 0.223 23.50 0.660 0.940 0.306"),
        _row("Ours (type-only c_r)", "Ours", YES, "wo param", RunMatch("tip", (BOTH_TYPE_ONLY,), "no-param"),
             "11.58 0.223 23.61 0.665 0.942 0.305"),
        _row("Ours", "Ours", YES, YES, RunMatch("tip", (BOTH,)), "11.34 0.219 23.61 0.665 0.943 0.305"),
    ),
)
