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


def paper_verdict(source: str | None) -> bool:
    """What the scorer records as `paper_data` for a split of `source` built with the right evidence (the real
    rule of `tipbench.paper_data`, fed the fingerprint a genuine source of that kind has)."""
    from tipbench.contracts.split_folder import SplitFolder
    from tipbench.paper_data import COCO_VAL2017_IMAGES, DIV2K_VALID_STEMS, paper_data
    from tipbench.sources.base import stems_sha256
    from tipbench.sources.stablesr import ZIP_SHA256

    fingerprint = {"coco": {"images": COCO_VAL2017_IMAGES}, "div2k": {"stems_sha256": stems_sha256(DIV2K_VALID_STEMS)},
                   "stablesr-zip": {"zip_sha256": ZIP_SHA256}}.get(source or "", {})
    info = {"source": source, "seed": 0, "source_fingerprint": fingerprint}
    return paper_data(SplitFolder(Path("."), (), info, "")).ok


def write_fake_run(runs_dir: Path, *, split: str, method: str, prompts: str, variant: str | None = None,
                   metrics: dict[str, float | None] | None = None, n: int = 3000, source: str = "coco",
                   weights: str = "real", comparable: bool | None = None, scored: bool = True,
                   ignored_prompts: list[str] | None = None, summary_weights: str | None = "same") -> Path:
    """A run folder with run.json (and summary.json when `scored`) holding every contract key.

    `weights` is the method's (run.json); the summary's is `summary_weights` ("same": the method's).
    """
    key = RunKey(split, method, prompts, variant)
    run_dir = key.path(runs_dir)
    identity = key.identity()
    write_run_json(run_dir, {
        **identity, "split_manifest_sha256": f"{split}-sha".ljust(64, "0"),
        "ignored_prompts": list(ignored_prompts or []),
        "settings": {"steps": 50}, "command": None, "checkpoints": {f"{method}-ckpt": "ab" * 32},
        "weights": weights, "device": "cpu", "n_done": n, "n_failed": 0, "seconds": 1.0,
        "images_per_second": float(n), "versions": {"tipbench": "0.1.0"},
    })
    if scored:
        metrics = metrics or {}
        data = paper_verdict(source)
        summary_weights = weights if summary_weights == "same" else summary_weights
        if comparable is None:
            comparable = n == 3000 and data and summary_weights == "real"
        write_json(run_dir / SUMMARY_JSON, {
            **identity, "source": source, "paper_data": data, "n": n, **{k: metrics.get(k) for k in SUMMARY_SCORES},
            "null_reasons": {k: "weights missing: test" for k, v in metrics.items() if v is None},
            "missing_weights": [], "metric_settings": {"fid": "clean", "lpips": "alex-v0.1"},
            "metric_weights": {"lpips-alex": "cd" * 32}, "weights": summary_weights, "protocol": PROTOCOL,
            "versions": {"tipbench": "0.1.0"}, "comparable_to_paper": comparable,
        })
    return run_dir
