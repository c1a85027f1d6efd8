"""Issue 9 acceptance: on a seeded selective split, `classical-prompted` fed the selective prompt follows it.

It must beat `bicubic` (which does nothing at this size) and itself fed the full prompt naming both degradations
(blind-like) on fidelity to the selective target, remove the named degradation and keep the unnamed one (both
> 0.5), and its measured strength must follow the prompted strength (controllability > 0). Every method comes from
the registry and the first two runs go through `tipbench.run`.
"""

from __future__ import annotations

import pytest
from test_adherence_cli import external_run

from tipbench.adherence.scoring import AdherenceConfig, score_adherence
from tipbench.adherence.split import read_selective_items
from tipbench.adherence.walk import WalkConfig, run_walk
from tipbench.contracts.split_folder import read_split_folder
from tipbench.io import decode_png, write_png
from tipbench.methods import load_restorer
from tipbench.prompts import RestorationOp, format_restoration_prompt
from tipbench.run import RunConfig, run_method
from tipbench.seeding import restorer_seed


def _full_prompt_outputs(split_dir, folder):
    """classical-prompted fed `Deblur with sigma b; Denoise with sigma s` (both applied operations named)."""
    restorer = load_restorer("classical-prompted")
    split = read_split_folder(split_dir)
    for item, row in zip(read_selective_items(split), split.rows):
        params = row.params_dict()
        prompt = format_restoration_prompt([RestorationOp("blur", params["blur_sigma"]),
                                            RestorationOp("noise", params["noise_sigma"])])
        lq, gt = decode_png(item.lq_path), decode_png(item.gt_path)
        out = restorer.restore(lq, restoration_prompt=prompt, out_size=gt.shape[:2],
                               seed=restorer_seed(row.seed, row.index))
        write_png(folder / f"{item.id}.png", out)
    return folder


@pytest.fixture(scope="module")
def adherence(selective_split, tmp_path_factory):
    splits, runs = selective_split.parent, tmp_path_factory.mktemp("acceptance-runs")
    run_dirs = {}
    for method in ("classical-prompted", "bicubic"):
        record = run_method(RunConfig(method=method, split=selective_split.name, prompts="restoration",
                                      splits_dir=str(splits), runs_dir=str(runs), score=False, progress=False))
        assert record["n_failed"] == 0
        run_dirs[method] = record["run_dir"]
    outputs = _full_prompt_outputs(selective_split, tmp_path_factory.mktemp("full-prompt-outputs"))
    run_dirs["full-prompt"] = external_run(selective_split, runs, outputs, "classical-prompted",
                                           variant="full-prompt")
    return {name: score_adherence(AdherenceConfig(run_dir=str(run_dir), splits_dir=str(splits), lpips=False,
                                                  progress=False))
            for name, run_dir in run_dirs.items()}


def test_the_selective_prompt_beats_doing_nothing_and_blind_like_restoration(adherence):
    selective, nothing, blind = adherence["classical-prompted"], adherence["bicubic"], adherence["full-prompt"]
    assert selective["instructed"] and not nothing["instructed"]
    numbers = {name: (round(s["target_psnr"], 2), round(s["target_ssim"], 3)) for name, s in adherence.items()}
    assert selective["target_psnr"] > nothing["target_psnr"], numbers
    assert selective["target_psnr"] > blind["target_psnr"], numbers
    assert selective["target_ssim"] > nothing["target_ssim"], numbers
    assert selective["target_ssim"] > blind["target_ssim"], numbers


def test_the_named_degradation_is_removed_and_the_unnamed_one_kept(adherence):
    selective = adherence["classical-prompted"]
    numbers = {key: selective[key] for key in ("removal", "preservation", "denoise_removal", "deblur_removal",
                                                "denoise_preservation", "deblur_preservation")}
    assert selective["removal"] > 0.5, numbers
    assert selective["preservation"] > 0.5, numbers
    # doing nothing removes nothing; blind-like restoration keeps less of the unnamed degradation
    assert adherence["bicubic"]["removal"] == pytest.approx(0.0, abs=0.02)
    assert adherence["full-prompt"]["preservation"] < selective["preservation"]


def test_classical_prompted_strength_follows_the_prompt(selective_split, tmp_path):
    result = run_walk(WalkConfig(method="classical-prompted", split=selective_split.name, n=2,
                                 splits_dir=str(selective_split.parent), runs_dir=str(tmp_path), progress=False))
    numbers = {key: result[key] for key in ("controllability", "controllability_denoise", "controllability_deblur")}
    assert result["controllability"] > 0, numbers
    assert result["uses_restoration_prompt"] is True
