"""End to end: `--method tip` (and ControlNet-SR+CLIP) on CPU with tiny random checkpoints, and the fresh-clone
flow — build the bundled sample coco-param split, run the CPU methods, scores written."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import error_text
from tests.tiny_splits import make_param_split
from tipbench.io import read_json
from tipbench.run import main


@pytest.fixture(scope="module")
def tiny_split(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("tiny-run")
    make_param_split(root / "splits", n=2, size=64)
    return root


def _run(root: Path, *args: str) -> int:
    return main(["--split", "synthetic-param", "--splits-dir", str(root / "splits"), "--runs-dir",
                 str(root / "runs"), "--option", "steps=2", "-q", *args])


def test_tip_runs_end_to_end_with_a_tiny_random_checkpoint(tiny_split, tmp_path):
    from reference_model.tiny import save_tiny_pipeline

    checkpoint = save_tiny_pipeline(tmp_path / "tiny-tip", prompts="both")
    assert _run(tiny_split, "--method", "tip", "--checkpoint", str(checkpoint), "--batch-size", "2") == 0
    run_dir = tiny_split / "runs/synthetic-param/tip/both"
    record, summary = read_json(run_dir / "run.json"), read_json(run_dir / "summary.json")
    assert record["weights"] == "random" and summary["weights"] == "random"
    assert record["settings"]["steps"] == 2 and record["ignored_prompts"] == []
    assert list(record["checkpoints"]) == ["tip"] and len(record["checkpoints"]["tip"]) == 64
    assert summary["psnr"] is not None and summary["comparable_to_paper"] is False


def test_controlnet_sr_clip_feeds_only_the_semantic_prompt(tiny_split, tmp_path):
    from reference_model.tiny import save_tiny_pipeline

    checkpoint = save_tiny_pipeline(tmp_path / "tiny-cn", fusion="additive", prompts="none")
    assert _run(tiny_split, "--method", "controlnet-sr-clip", "--checkpoint", str(checkpoint), "--no-score") == 0
    record = read_json(tiny_split / "runs/synthetic-param/controlnet-sr-clip/both/run.json")
    assert record["ignored_prompts"] == ["restoration"] and record["weights"] == "random"
    assert record["settings"]["uses_semantic_prompt"] is True


def test_sample_coco_param_flow_scores_cpu_methods(tmp_path, capsys):
    from tipbench.build.cli import main as build_main

    splits = tmp_path / "splits"
    assert build_main(["--split", "coco-param", "--out", str(splits), "--limit", "3", "--no-progress", "-q"]) == 0
    assert read_json(splits / "coco-param" / "split.json")["source"] == "sample"
    summaries = {}
    for method in ("classical-prompted", "bicubic"):
        capsys.readouterr()
        assert main(["--method", method, "--split", "coco-param", "--splits-dir", str(splits), "--runs-dir",
                     str(tmp_path / "runs"), "-q"]) == 0
        run_dir = tmp_path / "runs/coco-param" / method / "both"
        summaries[method] = summary = read_json(run_dir / "summary.json")
        # the run ends with the same short table `score` prints, null metrics with their reasons
        out = capsys.readouterr().out
        assert f"psnr    {summary['psnr']:.4f}" in out and f"lpips   null ({summary['null_reasons']['lpips']})" in out
        assert f"wrote {run_dir / 'summary.json'}; weights: none (PSNR/SSIM only; missing: " in out
        assert "not comparable to the paper:" in out and "not the paper's test data: the bundled sample" in out
        assert read_json(run_dir / "run.json")["weights"] == "none"  # no learned weights at all
        assert not {"method", "split", "prompts", "variant"} & set(summary["config"])
    for summary in summaries.values():
        assert summary["n"] == 3 and summary["psnr"] is not None and summary["ssim"] is not None
        assert summary["lpips"] is None and summary["missing_weights"] and summary["paper_data"] is False
    assert summaries["classical-prompted"]["psnr"] > summaries["bicubic"]["psnr"]


def test_dtype_applies_to_the_torch_methods_only(tiny_split, capsys):
    assert _run(tiny_split, "--method", "bicubic", "--dtype", "bf16") == 1
    assert "runs in fp32 only" in error_text(capsys.readouterr().err)
    assert not (tiny_split / "runs/synthetic-param/bicubic").exists()


@pytest.mark.slow
def test_a_non_fp32_dtype_is_recorded_and_the_run_is_not_comparable(tiny_split, tmp_path, capsys):
    from reference_model.tiny import save_tiny_pipeline

    checkpoint = save_tiny_pipeline(tmp_path / "tiny-bf16", prompts="both")
    assert _run(tiny_split, "--method", "tip", "--checkpoint", str(checkpoint), "--dtype", "bf16",
                "--prompts", "semantic") == 0
    run_dir = tiny_split / "runs/synthetic-param/tip/semantic"
    record, summary = read_json(run_dir / "run.json"), read_json(run_dir / "summary.json")
    assert record["dtype"] == "bf16" and record["settings"]["dtype"] == "bfloat16"
    assert record["deviations"] and summary["comparable_to_paper"] is False
    assert any(note.startswith("deviation from the protocol: dtype bf16") for note in summary["notes"])
    capsys.readouterr()
    # the folder is bf16: an fp32 run may not complete it
    assert _run(tiny_split, "--method", "tip", "--checkpoint", str(checkpoint), "--prompts", "semantic") == 1
    err = capsys.readouterr().err  # (the checkpoint loader draws its own bar before the check)
    assert "error: " in err and "different dtype" in err and "Traceback" not in err
