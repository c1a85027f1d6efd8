"""Resume at batch granularity: a restorer that takes one seed per call (as StableSR/DiffBIR do) gets exactly the
batches of an uninterrupted run, so the resumed outputs are byte-identical."""

from __future__ import annotations

import numpy as np

from tests.tiny_splits import make_param_split
from tipbench.contracts.split_folder import read_split_folder
from tipbench.run.loop import ItemFeed, restore_items


class FirstSeedPerCallRestorer:
    """Fills each output with a colour drawn from the seed of the first item of its call (batch-dependent)."""

    name = "first-seed"
    uses_semantic_prompt = False
    uses_restoration_prompt = False

    def __init__(self) -> None:
        self.calls: list[int] = []

    def restore_batch(self, requests):
        self.calls.append(len(requests))
        colour = np.random.default_rng(requests[0]["seed"]).integers(0, 256, 3, dtype=np.uint8)
        return [np.broadcast_to(colour, (*r["out_size"], 3)).copy() for r in requests]

    def restore(self, lq, *, semantic_prompt="", restoration_prompt="", out_size=(512, 512), seed=0):
        return self.restore_batch([{"seed": seed, "out_size": out_size}])[0]


def _outputs(run_dir):
    return {p.name: p.read_bytes() for p in sorted((run_dir / "out").glob("*.png"))}


def test_resumed_run_recomputes_whole_batches(tmp_path):
    split_dir = make_param_split(tmp_path / "splits", n=7, size=32, seed=3)
    items = list(read_split_folder(split_dir).rows)
    feed = ItemFeed(split_dir, "both")
    fresh = tmp_path / "fresh"
    restore_items(FirstSeedPerCallRestorer(), items, fresh, feed, batch_size=3, progress=False)
    expected = _outputs(fresh)
    assert len(expected) == 7

    resumed = tmp_path / "resumed"
    restore_items(FirstSeedPerCallRestorer(), items[:4], resumed, feed, batch_size=3, progress=False)  # "interrupted"
    restorer = FirstSeedPerCallRestorer()
    restore_items(restorer, items, resumed, feed, batch_size=3, progress=False)
    assert restorer.calls == [3, 1]  # batch [3, 4, 5] redone whole, batch [6]; batch [0, 1, 2] skipped
    assert _outputs(resumed) == expected


class OneWrongSizeRestorer(FirstSeedPerCallRestorer):
    """As above, but the output of the item with seed `bad` has the wrong size (its write must fail alone)."""

    def __init__(self, bad: int) -> None:
        super().__init__()
        self.bad = bad

    def restore_batch(self, requests):
        outputs = super().restore_batch(requests)
        return [out[:-1] if r["seed"] == self.bad else out for r, out in zip(requests, outputs)]


def test_overlapped_io_writes_the_same_bytes_and_records_the_same_failures(tmp_path):
    from tipbench.contracts.run_folder import read_failures

    split_dir = make_param_split(tmp_path / "splits", n=7, size=32, seed=3)
    items = list(read_split_folder(split_dir).rows)
    feed = ItemFeed(split_dir, "both")
    bad = feed(items[4])["seed"]
    (split_dir / "lq" / f"{items[1].id}.png").write_bytes(b"broken")  # unreadable: fails while decoding ahead
    results = {}
    for threads in (0, 2):
        run_dir = tmp_path / f"threads{threads}"
        restored, failed = restore_items(OneWrongSizeRestorer(bad), items, run_dir, feed, batch_size=3,
                                         progress=False, io_threads=threads)
        results[threads] = (restored, failed, _outputs(run_dir), read_failures(run_dir))
    assert results[0] == results[2]
    restored, failed, outputs, failures = results[2]
    assert (restored, failed, len(outputs)) == (5, 2, 5)
    assert [entry["id"] for entry in failures] == [items[1].id, items[4].id]
    assert "returned size" in failures[1]["error"]
