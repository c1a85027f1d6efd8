"""Instruction adherence (issue 9): does a method do what the restoration prompt says, and how strongly?

Two commands (full rules and formulas in docs/adherence.md), laid out like every stage: `config` (the two configs),
`cli`, and the work in `scoring` (a run on coco-selective), `walk` (strength control), `split` (the selective rows),
`measures` / `diagnostics` (the image measures):

* ``python -m tipbench.adherence RUN_DIR`` scores a run on ``coco-selective`` and writes, into the run folder,
  ``adherence.json`` (summary) and ``adherence.parquet`` (one row per item). It also leaves the metrics harness's
  ``scores_target.parquet`` / ``summary_target.json`` (fidelity against ``target/``).
* ``python -m tipbench.adherence walk --method M`` runs the prompt walk and writes ``walk.json`` + ``walk.parquet``
  into ``<runs>/<split>/<method>/walk[@<variant>]/``.

adherence.json keys (``scoring.SUMMARY_KEYS``) — scores are means, null when not computable (see ``null_reasons``):

==========================  ===========================================================================================
``target_psnr``             PSNR (dB, RGB) of out vs the selective target — the headline; higher is better
``target_ssim``             SSIM (RGB) vs the target; higher is better
``target_lpips``            LPIPS vs the target (null without weights); lower is better
``target_psnr_y``,          the Y-channel variants
``target_ssim_y``
``removal``                 how much of the *named* degradation is gone, 0 = as in the input, 1 = as in the target;
                            mean of ``denoise_removal`` and ``deblur_removal`` (each op weighs 1/2)
``preservation``            how much of the *unnamed* degradation is kept, 0 = removed as blind restoration does (the
                            GT), 1 = as in the target; mean of ``denoise_preservation`` and ``deblur_preservation``
``denoise_removal``         on rows prompted ``Denoise …``: residual noise removed (noise estimator)
``denoise_preservation``    on those rows: blur kept (detail gain in the row's blur band)
``deblur_removal``          on rows prompted ``Deblur …``: blur removed (detail gain)
``deblur_preservation``     on those rows: noise kept (noise estimator)
``instructed``              true when the run fed the restoration prompt (policy restoration / both / both-type-only)
                            and the method does not ignore it; false rows are the blind reference of Table A
``n``, ``n_denoise``,       item counts; ``n_measured`` = {removal, preservation}: rows whose anchors were
``n_deblur``, ``n_measured``  far enough apart to score
identity / provenance       ``method``, ``variant``, ``split``, ``prompts``, ``source``, ``paper_data`` (the split is
                            the paper's data, ``tipbench.paper_data``), ``weights`` (as summary.json),
                            ``metric_weights``, ``missing_weights``, ``null_reasons``, ``protocol``, ``settings`` (the
                            measure definitions), ``versions``, ``config``, ``full_split`` (N = 3000, paper data)
==========================  ===========================================================================================

walk.json keys: ``controllability`` (mean of the next two; in [-1, 1], higher is better), ``controllability_denoise``,
``controllability_deblur`` (mean per-item Spearman ρ between prompted and measured strength), ``spearman``
(walk → id → ρ), ``grids``, ``ids``, ``n``, ``detail_sigma``, ``uses_restoration_prompt``, ``method``, ``variant``,
``split``, ``split_manifest_sha256``, ``source``, ``semantic_prompt``, ``protocol``, ``seconds``, ``config``.
"""

from __future__ import annotations

from tipbench.adherence.config import AdherenceConfig, WalkConfig
from tipbench.registry import lazy_attributes

__all__ = [
    "AdherenceConfig",
    "SUMMARY_KEYS",
    "WalkConfig",
    "controllability",
    "detail_gain",
    "noise_level",
    "run_walk",
    "score_adherence",
]

__getattr__ = lazy_attributes(__name__, {
    "SUMMARY_KEYS": "tipbench.adherence.scoring",
    "score_adherence": "tipbench.adherence.scoring",
    "run_walk": "tipbench.adherence.walk",
    "controllability": "tipbench.adherence.walk",
    "detail_gain": "tipbench.adherence.measures",
    "noise_level": "tipbench.adherence.measures",
})
