"""The pipeline's bytes and numbers on the bundled sample equal the digests recorded before the layout moved.

`pipeline_golden.json` was written by `golden_pipeline.py` on the tree before "one home per file contract" and is
kept: a split's PNG pixels, a run's `out/` pixels and every score must stay what they were. Byte hashes of PNGs
and of the parquet manifest depend on the encoder libraries too, so they are compared exactly when the recorded
encoder stack (Pillow, zlib, numpy, OpenCV, pyarrow) is the installed one; pixel hashes and manifest rows always.
Numbers are compared exactly on the recorded numeric stack, else to 1e-9 (pixel metrics, float64) or 1e-5
(random-weight network metrics, whose float32 convolutions may round differently on another CPU build).
"""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from tests.golden.golden_pipeline import BYTE_STACK, GOLDEN, NUMBER_STACK, pipeline_digest, stack_versions

NETWORK_KEYS = {"lpips", "clip_i", "clip_t", "fid", "target_lpips"}
_SHA_COLUMNS = ("gt_sha256", "lq_sha256", "target_sha256")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def recorded() -> dict[str, Any]:
    return json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def current(tmp_path_factory) -> dict[str, Any]:
    return pipeline_digest(tmp_path_factory.mktemp("golden"))


def _same_stack(recorded: dict, key: str, names: tuple[str, ...]) -> bool:
    return recorded[key] == stack_versions(names)


def _compare_numbers(path: str, old: Any, new: Any, exact: bool, problems: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            _compare_numbers(f"{path}.{key}", old.get(key), new.get(key), exact, problems)
        return
    if isinstance(old, float) and isinstance(new, float) and not exact:
        tolerance = 1e-5 if path.rsplit(".", 1)[-1] in NETWORK_KEYS else 1e-9
        if not math.isclose(old, new, rel_tol=tolerance, abs_tol=tolerance):
            problems.append(f"{path}: {old!r} → {new!r}")
        return
    if old != new:
        problems.append(f"{path}: {old!r} → {new!r}")


def test_split_pixels_manifest_and_split_json_are_unchanged(recorded, current) -> None:
    same_bytes = _same_stack(recorded, "byte_stack", BYTE_STACK)
    for split, old in recorded["digest"]["splits"].items():
        new = current["splits"][split]
        assert sorted(new["files"]) == sorted(old["files"]), split
        for name, entry in old["files"].items():
            if "pixels" in entry:
                assert new["files"][name]["pixels"] == entry["pixels"], f"{split}/{name} pixels changed"
            if same_bytes or "pixels" not in entry and not name.endswith(".parquet"):
                assert new["files"][name]["bytes"] == entry["bytes"], f"{split}/{name} bytes changed"
        drop = () if same_bytes else _SHA_COLUMNS
        strip = [[{k: v for k, v in row.items() if k not in drop} for row in rows]
                 for rows in (old["manifest_rows"], new["manifest_rows"])]
        assert strip[1] == strip[0], f"{split}: manifest rows changed"
        assert new["manifest_schema"] == old["manifest_schema"]
        assert new["split_json"] == old["split_json"], f"{split}: split.json changed"


def test_run_outputs_are_unchanged(recorded, current) -> None:
    same_bytes = _same_stack(recorded, "byte_stack", BYTE_STACK)
    assert sorted(current["runs"]) == sorted(recorded["digest"]["runs"])
    for run, old in recorded["digest"]["runs"].items():
        new = current["runs"][run]["out"]
        assert sorted(new) == sorted(old["out"]), run
        for name, entry in old["out"].items():
            assert new[name]["pixels"] == entry["pixels"], f"{run}/{name} pixels changed"
            if same_bytes:
                assert new[name]["bytes"] == entry["bytes"], f"{run}/{name} bytes changed"


def test_scores_are_unchanged(recorded, current) -> None:
    exact = _same_stack(recorded, "number_stack", NUMBER_STACK)
    problems: list[str] = []
    for run, old in recorded["digest"]["runs"].items():
        new = current["runs"][run]
        for part in ("summary", "adherence", "summary_target"):
            if part in old:
                _compare_numbers(f"{run}:{part}", old[part], new.get(part), exact, problems)
    _compare_numbers("walk", recorded["digest"]["walk"], current["walk"], exact, problems)
    assert not problems, "scores moved:\n" + "\n".join(problems)
