"""Helpers for the leaderboard tests (a plain module, imported by name): run folders written through the run-folder
contract (`RunKey`, run.json) with every key of contracts §2.3 and §3."""

from __future__ import annotations

from pathlib import Path

from tipbench.contracts import PROTOCOL
from tipbench.contracts.run_folder import RunKey, write_run_json
from tipbench.contracts.scores import SUMMARY_JSON
from tipbench.io import write_json
from tipbench.metrics.specs import SUMMARY_SCORES

EXCERPT = Path(__file__).with_name("paper_tables_excerpt.md")
PAPER = Path("/work/shared/paper/tip-paper.md")


def write_fake_run(runs_dir: Path, *, split: str, method: str, prompts: str, variant: str | None = None,
                   metrics: dict[str, float | None] | None = None, n: int = 3000, source: str = "coco",
                   weights: str = "real", comparable: bool | None = None, scored: bool = True) -> Path:
    """A run folder with run.json (and summary.json when `scored`) holding every contract key."""
    key = RunKey(split, method, prompts, variant)
    run_dir = key.path(runs_dir)
    identity = key.identity()
    write_run_json(run_dir, {
        **identity, "split_manifest_sha256": f"{split}-sha".ljust(64, "0"), "ignored_prompts": [],
        "settings": {"steps": 50}, "command": None, "checkpoints": {f"{method}-ckpt": "ab" * 32},
        "weights": weights, "device": "cpu", "n_done": n, "n_failed": 0, "seconds": 1.0,
        "images_per_second": float(n), "versions": {"tipbench": "0.1.0"},
    })
    if scored:
        metrics = metrics or {}
        if comparable is None:
            comparable = n == 3000 and source != "sample" and weights == "real"
        write_json(run_dir / SUMMARY_JSON, {
            **identity, "source": source, "n": n, **{k: metrics.get(k) for k in SUMMARY_SCORES},
            "null_reasons": {k: "weights missing: test" for k, v in metrics.items() if v is None},
            "missing_weights": [], "metric_settings": {"fid": "clean", "lpips": "alex-v0.1"},
            "metric_weights": {"lpips-alex": "cd" * 32}, "weights": weights, "protocol": PROTOCOL,
            "versions": {"tipbench": "0.1.0"}, "comparable_to_paper": comparable,
        })
    return run_dir
