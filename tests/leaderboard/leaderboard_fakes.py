"""Helpers for the leaderboard tests (a plain module, imported by name): run folders written directly from the contracts' key lists (§2–3)."""

from __future__ import annotations

from pathlib import Path

from tipbench.io import PROTOCOL, write_json

EXCERPT = Path(__file__).with_name("paper_tables_excerpt.md")
PAPER = Path("/work/shared/paper/tip-paper.md")


def write_fake_run(runs_dir: Path, *, split: str, method: str, prompts: str, variant: str | None = None,
                   metrics: dict[str, float | None] | None = None, n: int = 3000, source: str = "coco",
                   weights: str = "real", comparable: bool | None = None, scored: bool = True) -> Path:
    """A run folder with run.json (and summary.json when `scored`) holding every contract key."""
    leaf = prompts + (f"@{variant}" if variant else "")
    run_dir = runs_dir / split / method / leaf
    run_dir.mkdir(parents=True, exist_ok=True)
    identity = {"method": method, "variant": variant, "split": split, "prompts": prompts}
    write_json(run_dir / "run.json", {
        **identity, "split_manifest_sha256": f"{split}-sha".ljust(64, "0"), "ignored_prompts": [],
        "settings": {"steps": 50}, "command": None, "checkpoints": {f"{method}-ckpt": "ab" * 32},
        "weights": weights, "device": "cpu", "n_done": n, "n_failed": 0, "seconds": 1.0,
        "images_per_second": float(n), "versions": {"tipbench": "0.1.0"},
    })
    if scored:
        metrics = metrics or {}
        if comparable is None:
            comparable = n == 3000 and source != "sample" and weights == "real"
        write_json(run_dir / "summary.json", {
            **identity, "source": source, "n": n,
            **{k: metrics.get(k) for k in ("psnr", "ssim", "psnr_y", "ssim_y", "lpips", "clip_i", "clip_t", "fid")},
            "null_reasons": {k: "weights missing: test" for k, v in metrics.items() if v is None},
            "missing_weights": [], "metric_settings": {"fid": "clean", "lpips": "alex-v0.1"},
            "metric_weights": {"lpips-alex": "cd" * 32}, "weights": weights, "protocol": PROTOCOL,
            "versions": {"tipbench": "0.1.0"}, "comparable_to_paper": comparable,
        })
    return run_dir


def make_small_split(root: Path, name: str, pipeline: str = "param", n: int = 2, size: int = 64) -> Path:
    """A small split folder (contracts §1) named like a benchmark split so tables match it; source "sample".

    GT are synthetic textures (tests_image.textured); LQ come from the real `pipeline` seeded per protocol §2.
    """
    import json

    from tests_image import textured

    from tipbench.degradations.base import DEGRADATIONS
    from tipbench.io import write_manifest, write_png

    split_dir = root / name
    degrade = DEGRADATIONS.get(pipeline).degrade
    rows = []
    for index in range(n):
        item_id = f"{index:012d}"
        gt = textured(size, seed=index)
        result = degrade(gt, seed=0, index=index)
        rows.append({
            "id": item_id, "index": index, "source_path": f"synthetic/{item_id}.png",
            "gt_path": f"gt/{item_id}.png", "lq_path": f"lq/{item_id}.png",
            "gt_sha256": write_png(split_dir / "gt" / f"{item_id}.png", gt),
            "lq_sha256": write_png(split_dir / "lq" / f"{item_id}.png", result.lq),
            "width_lq": result.lq.shape[1], "height_lq": result.lq.shape[0],
            "semantic_prompt": f"a test pattern number {index}", "restoration_prompt": result.restoration_prompt,
            "restoration_prompt_type": result.restoration_prompt_type, "pipeline": pipeline,
            "params": json.dumps(result.params, sort_keys=True), "seed": 0,
        })
    manifest_sha = write_manifest(split_dir / "manifest.parquet", rows)
    write_json(split_dir / "split.json", {"split": name, "protocol": PROTOCOL, "seed": 0, "source": "sample",
                                          "n_built": n, "manifest_sha256": manifest_sha})
    return split_dir
