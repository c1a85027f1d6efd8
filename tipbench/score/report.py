"""The short score table `score` and `run` both print: each metric or why it is null, then what was computed.

One function, so a run's last lines and a re-score's say the same thing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

#: The metrics shown, in the order of the paper's tables (psnr_y/ssim_y stay in summary.json).
SHOWN = ("psnr", "ssim", "lpips", "fid", "clip_i", "clip_t")
NETWORK_METRICS = ("lpips", "fid", "clip_i", "clip_t")


def computed_text(summary: dict[str, Any]) -> str:
    """`weights: …; …` — the weights behind the numbers, which metrics that covers, and what is missing.

    >>> computed_text({"weights": "none", "lpips": None, "fid": None, "clip_i": None, "clip_t": None,
    ...                "missing_weights": [{"name": "inception-fid"}, {"name": "lpips-alexnet"}]})
    'weights: none (PSNR/SSIM only; missing: inception-fid, lpips-alexnet)'
    """
    networks = [name for name in NETWORK_METRICS if summary.get(name) is not None]
    parts = ["PSNR/SSIM only" if not networks else "PSNR/SSIM, " + ", ".join(networks)]
    missing = [entry.get("name", "?") for entry in summary.get("missing_weights") or []]
    if missing:
        parts.append("missing: " + ", ".join(missing))
    return f"weights: {summary.get('weights', 'unknown')} ({'; '.join(parts)})"


def summary_lines(summary: dict[str, Any], path: Path | str) -> list[str]:
    """One line per shown metric (value, or `null (reason)`), then `wrote PATH; weights: …`, then the verdict."""
    reasons = summary.get("null_reasons") or {}
    lines = []
    for name in SHOWN:
        value = summary.get(name)
        lines.append(f"{name:7s} {'null (' + str(reasons.get(name, 'not computed')) + ')' if value is None else f'{value:.4f}'}")
    lines.append(f"wrote {path}; {computed_text(summary)}")
    if not summary.get("comparable_to_paper"):
        why = "; ".join(summary.get("not_comparable") or summary.get("notes") or []) or "see summary.json"
        lines.append(f"not comparable to the paper: {why}")
    return lines
