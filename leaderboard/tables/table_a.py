"""Table A (new, issue 9): instruction adherence on `coco-selective` — does a method do what the prompt says?

Rows come from the method registry: every method that reads the restoration prompt appears fed the selective
prompt (and, as its own blind reference, fed none); methods that ignore restoration prompts appear once, as the
blind reference — their gap to the instructed rows is what blind restoration gives. Columns: fidelity to the
selective target and the removal / preservation diagnostics (adherence.json of the run), and the prompt walk's
controllability (walk.json of the method). The paper has no such table, so there are no paper numbers.
"""

from __future__ import annotations

from leaderboard.spec import ColumnSpec, RowSpec, RunMatch, TableSpec
from tipbench.contracts.prompt_policy import ANY_POLICY, BOTH, BOTH_TYPE_ONLY, NONE, RESTORATION, SEMANTIC

SPLIT = "coco-selective"
FIDELITY = "Fidelity to the selective target"
DIAGNOSTICS = "Diagnostics (0 = input-like, 1 = target-like)"
CONTROL = "Strength control (prompt walk, Spearman rho)"
COLUMNS = (
    ColumnSpec(SPLIT, "target_psnr", FIDELITY, source="adherence"),
    ColumnSpec(SPLIT, "target_ssim", FIDELITY, source="adherence"),
    ColumnSpec(SPLIT, "target_lpips", FIDELITY, source="adherence"),
    ColumnSpec(SPLIT, "removal", DIAGNOSTICS, source="adherence"),
    ColumnSpec(SPLIT, "preservation", DIAGNOSTICS, source="adherence"),
    ColumnSpec(SPLIT, "controllability_denoise", CONTROL, source="walk"),
    ColumnSpec(SPLIT, "controllability_deblur", CONTROL, source="walk"),
    ColumnSpec(SPLIT, "controllability", CONTROL, source="walk"),
)
INSTRUCTED = (RESTORATION, BOTH)  # policies that feed the manifest's (selective) restoration prompt
BLIND = (NONE, SEMANTIC)


def _rows() -> tuple[RowSpec, ...]:
    from tipbench.methods import METHODS

    instructed, blind, ignoring = [], [], []
    for key in METHODS.names():
        spec = METHODS.get(key)
        if spec.uses_restoration_prompt:
            instructed.append(RowSpec(key, (RunMatch(key, INSTRUCTED),), descriptors=("selective",),
                                      requires=(RESTORATION,)))
            blind.append(RowSpec(f"{key} (blind)", (RunMatch(key, BLIND),), descriptors=("none",), uses_walk=False))
        else:
            ignoring.append(RowSpec(key, (RunMatch(key, ANY_POLICY),), descriptors=("ignored",)))
        if key == "tip" and "no-param" in spec.variants:
            # The type-only checkpoint fed the type-only prompt: it can pick the operation, not the strength.
            instructed.append(RowSpec("tip@no-param (type-only)", (RunMatch(key, (BOTH_TYPE_ONLY,), "no-param"),),
                                      descriptors=("selective, type-only",), requires=(RESTORATION,)))
    return (*instructed, *blind, *ignoring)


TABLE = TableSpec(
    key="a",
    title="Instruction adherence (coco-selective)",
    caption=(
        "Every image carries blur and noise; its prompt names one of them. Fidelity is measured against the "
        "selective target (the GT with the unnamed degradation kept), so doing nothing and restoring blindly both "
        "score poorly. Removal / preservation: how much of the named degradation is gone and of the unnamed one "
        "kept. Controllability: rank correlation between prompted and measured strength on the prompt walk. Rows "
        "below the instructed ones are the blind reference."
    ),
    columns=COLUMNS,
    rows=_rows(),
    descriptor_headers=("Restoration prompt",),
    has_paper=False,
)
