"""Paper Table 5 (supplement): ablation of the prompts given in training and testing (separately trained)."""

from __future__ import annotations

from leaderboard.spec import RowSpec, RunMatch, TableSpec, metric_columns, paper_row, ticks_require
from tipbench.contracts.prompt_policy import BOTH, BOTH_TYPE_ONLY, NONE, SEMANTIC

COLUMNS = metric_columns("coco-param", ("fid", "lpips", "psnr", "ssim", "clip_i", "clip_t"), "MS-COCO, parameterized")
NO, YES = "×", "✓"


def _row(label: str, ticks: tuple[str, str, str], match: RunMatch, printed: str) -> RowSpec:
    return RowSpec(label, (match,), paper_row(COLUMNS, printed), ticks, "Ours",
                   requires=ticks_require(ticks[0] == YES, ticks[1] == YES))


TABLE = TableSpec(
    key="5",
    title="Ablation of prompts provided during training and testing",
    caption=(
        "Ablation of prompts provided during both training and testing, on an image-to-image baseline with the "
        "modulation fusion layer. Each row is its own checkpoint (contracts §2: variants)."
    ),
    columns=COLUMNS,
    descriptor_headers=("Sem", "Res Type", "Res Param"),
    rows=(
        _row("Ours (no prompts)", (NO, NO, NO), RunMatch("tip", (NONE,), "no-prompts"),
             "13.60 0.221 23.65 0.664 0.939 0.300"),
        _row("Ours (semantic only)", (YES, NO, NO), RunMatch("tip", (SEMANTIC,), "semantic-only"),
             "11.71 0.226 23.55 0.663 0.941 0.305"),
        _row("Ours (type-only c_r)", (YES, YES, NO), RunMatch("tip", (BOTH_TYPE_ONLY,), "no-param"),
             "11.58 0.223 23.61 0.665 0.942 0.305"),
        _row("Ours", (YES, YES, YES), RunMatch("tip", (BOTH,)), "11.34 0.219 23.61 0.665 0.943 0.306"),
    ),
)
