"""Scoring across processes (`tipbench.metrics.reduce`): two parts, each scoring whole batches of the one-process
pass, reduce to the one-process summary — per-item rows exactly, FID (tiny random Inception) to 1e-9 relative.

The parts here are two threads meeting through a barrier (the group's transport); the accelerate transport itself
is exercised by tests/tipbench/run/test_run_accelerate.py (slow).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from tests.tiny_splits import make_noise_split
from tipbench.io import read_json, write_png
from tipbench.parallel import Part
from tipbench.score import ScoreConfig, score_run


class _Meeting:
    def __init__(self, count: int) -> None:
        self.barrier = threading.Barrier(count, timeout=600)
        self.slots: list[Any] = [None] * count


@dataclass(frozen=True)
class ThreadPart(Part):
    """A part of a group of threads: the same barrier/gather contract as a launched group."""

    meeting: Any = field(default=None, compare=False)

    def barrier(self) -> None:
        self.meeting.barrier.wait()

    def gather(self, obj: Any) -> list[Any]:
        self.meeting.slots[self.index] = obj
        self.meeting.barrier.wait()
        gathered = list(self.meeting.slots)
        self.meeting.barrier.wait()
        return gathered


def _make_run(tmp_path):
    from tipbench.contracts.run_folder import RunKey, output_path, write_run_json
    from tipbench.contracts.split_folder import read_split_folder

    split_dir = make_noise_split(tmp_path / "splits", n=7, size=40, seed=5)
    split = read_split_folder(split_dir)
    run_dir = RunKey(split.name, "noise", "both").path(tmp_path / "runs")
    rng = np.random.default_rng(1)
    for item_id in split.ids:  # darker, smoother copies of random GTs: a clearly different set (FID well above 0)
        write_png(output_path(run_dir, item_id), rng.integers(0, 96, (40, 40, 3), dtype=np.uint8))
    write_run_json(run_dir, {**RunKey(split.name, "noise", "both").identity(),
                             "split_manifest_sha256": split.manifest_sha256, "weights": "real"})
    return run_dir


def _config(run_dir, tmp_path, **extra) -> ScoreConfig:
    return ScoreConfig(run_dir=str(run_dir), splits_dir=str(tmp_path / "splits"), metric_weights="random",
                       allow_small_fid=True, batch_size=2, progress=False, **extra)


def test_two_parts_reduce_to_the_one_process_summary(tmp_path, monkeypatch):
    from tipbench.metrics import networks

    seeded, lock = networks._seeded, threading.Lock()

    def one_at_a_time(*args, **kwargs):  # threads share torch's global generator; processes do not
        with lock:
            return seeded(*args, **kwargs)

    monkeypatch.setattr(networks, "_seeded", one_at_a_time)
    run_dir = _make_run(tmp_path)
    meeting, results = _Meeting(2), [None, None]

    def score(index: int) -> None:
        results[index] = score_run(_config(run_dir, tmp_path), group=ThreadPart(index, 2, meeting=meeting))

    threads = [threading.Thread(target=score, args=(index,)) for index in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results[0] is not None and results[1] == results[0]  # every part returns the written summary
    parted_rows = pd.read_parquet(run_dir / "scores.parquet")
    parted = read_json(run_dir / "summary.json")
    assert parted["gt_cache"] == {"clip": "miss", "fid": "miss"}

    single = score_run(_config(run_dir, tmp_path, use_gt_cache=False))
    single_rows = pd.read_parquet(run_dir / "scores.parquet")
    pd.testing.assert_frame_equal(parted_rows, single_rows, check_exact=True)
    assert abs(parted["fid"] - single["fid"]) <= 1e-9 * abs(single["fid"]) and single["fid"] > 0
    skip = {"fid", "config", "gt_cache"}
    assert {k: v for k, v in parted.items() if k not in skip} == {k: v for k, v in single.items() if k not in skip}

    # the GT cache the main part wrote holds the whole set, in item order: a one-process pass reading it agrees
    cached = score_run(_config(run_dir, tmp_path))
    assert cached["gt_cache"] == {"clip": "hit", "fid": "hit"}
    assert abs(cached["fid"] - single["fid"]) <= 1e-9 * abs(single["fid"])
    assert cached["clip_i"] == single["clip_i"] and cached["clip_t"] == single["clip_t"]
