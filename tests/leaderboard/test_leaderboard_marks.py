"""Marking rules: a number from a sample-sourced, random-weight or small run is never shown unmarked."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from leaderboard_fakes import write_fake_run

from leaderboard.collect import read_run
from leaderboard.make import fill_tables, render
from leaderboard.marks import NOT_COMPARABLE, RANDOM_WEIGHTS, SAMPLE, SMALL_N, run_marks

METRICS = {"fid": 9.87, "lpips": 0.1234, "psnr": 31.4159, "ssim": 0.8765, "clip_i": 0.9876, "clip_t": 0.3456}


def _marks(tmp_path: Path, **kwargs) -> set[str]:
    run_dir = write_fake_run(tmp_path, split="coco-param", method="tip", prompts="both", metrics=METRICS, **kwargs)
    return {m.code for m in run_marks(read_run(run_dir))}


def test_benchmark_run_is_unmarked(tmp_path):
    assert _marks(tmp_path) == set()


def test_each_rule_marks(tmp_path):
    assert SAMPLE.code in _marks(tmp_path / "a", source="sample")
    assert RANDOM_WEIGHTS.code in _marks(tmp_path / "b", weights="random")
    assert SMALL_N.code in _marks(tmp_path / "c", n=2999)
    assert _marks(tmp_path / "d", comparable=False) == {NOT_COMPARABLE.code}


@settings(max_examples=25, deadline=None)
@given(n=st.sampled_from([1, 9, 2999, 3000, 5000]), weights=st.sampled_from(["real", "random"]),
       comparable=st.sampled_from([True, False, None]), metric=st.sampled_from(sorted(METRICS)))
def test_sample_sourced_run_never_appears_unmarked(n, weights, comparable, metric):
    # Even a summary that (wrongly) claims comparability cannot make a sample-sourced number look like the benchmark.
    with tempfile.TemporaryDirectory() as tmp:
        runs = Path(tmp)
        write_fake_run(runs, split="coco-param", method="tip", prompts="both", metrics=METRICS, n=n,
                       source="sample", weights=weights, comparable=True if comparable is None else comparable)
        filled = fill_tables(runs, ("1",))
        ours = next(r for r in filled[0].rows if r.spec.label == "Ours")
        cell = next(c for c in ours.cells if c.column.key == f"coco-param:{metric}")
        assert cell.status == "ok" and SAMPLE in cell.marks and not cell.is_benchmark and not cell.best
        shown = cell.ours_text
        assert f"{shown}†" in render(filled, "md")
        assert f"{shown}<sup class=\"mark\" title=\"{SAMPLE.meaning}\">†</sup>" in render(filled, "html")
        assert f"{shown}${{}}^{{\\dag}}$" in render(filled, "tex")
        csv = render(filled, "csv")
        line = next(x for x in csv.splitlines() if f",coco-param,{metric},ok," in x and ",Ours," in x)
        assert ",sample" in line and ",False," in line
        assert "NOT THE BENCHMARK" in render(filled, "md") and "NOT THE BENCHMARK" in render(filled, "html")


def test_every_real_source_kind_the_builder_writes_counts_as_benchmark_data(tmp_path):
    # every `source` label tipbench.build can write except the bundled sample (tipbench/sources: ResolvedSource kinds)
    for kind in ("coco", "div2k", "stablesr", "stablesr-zip", "folder"):
        assert SAMPLE.code not in _marks(tmp_path / kind, source=kind), kind
