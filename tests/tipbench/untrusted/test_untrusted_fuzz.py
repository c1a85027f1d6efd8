"""Fuzzing the readers of untrusted folders (issue 18): random and adversarial manifests, run folders and published
dataset rows, each in its own sandbox under the test's tmp dir. Every one either loads or raises the package's
error type (`TipbenchError`), and nothing is written outside the sandbox.

The default run tries a few dozen cases per reader; `-m slow` runs the same properties with many more.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from untrusted_helpers import snapshot

from tests.tiny_splits import make_param_split
from tipbench.errors import TipbenchError

QUICK = settings(max_examples=12, deadline=None, derandomize=True, database=None,
                 suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
THOROUGH = settings(max_examples=300, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

NASTY = st.sampled_from(["", ".", "..", "../x", "../../../../pwned", "/etc/passwd", "a\x00b", "sub/id",
                         "gt/../../x.png", "lq\\x.png", "C:/x.png", "gt/000000000000.png", "lq/000000000001.png",
                         "gt/", "a" * 300, "é", "gt/./a.png", "{}", "{not json", "0" * 64, "manifest.parquet"])
TEXT = st.one_of(NASTY, st.text(max_size=12))
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-(2**63), 2**63 - 1), st.floats(allow_nan=False), TEXT)
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
                    max_leaves=8)


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """A valid split and a bicubic run of it, copied into each case's sandbox."""
    from tipbench.run import main as run_main

    base = tmp_path_factory.mktemp("pristine")
    make_param_split(base / "splits", "s", n=3, size=32)
    assert run_main(["--method", "bicubic", "--split", "s", "--splits-dir", str(base / "splits"), "--runs-dir",
                     str(base / "runs"), "--no-score", "-qq"]) == 0
    return base


class Sandbox:
    """A fresh copy of the pristine folders under the test's tmp dir; checks nothing changed outside it."""

    def __init__(self, tmp_path: Path, pristine: Path) -> None:
        self.tmp_path = tmp_path
        self.root = Path(tempfile.mkdtemp(dir=tmp_path))
        shutil.copytree(pristine, self.root, dirs_exist_ok=True, symlinks=True)
        (self.root / "outside").mkdir()
        self.before = self._state()
        self.env = os.environ.get("TIPBENCH_CACHE")
        os.environ["TIPBENCH_CACHE"] = str(self.root / "user-cache")

    def _state(self) -> tuple:
        """Everything under the test's tmp dir but the sandbox, and the names beside the tmp dir (where a path with
        a few `..` too many would land)."""
        return snapshot(self.tmp_path, skip=self.root), sorted(os.listdir(self.tmp_path.parent))

    def close(self) -> None:
        os.environ["TIPBENCH_CACHE"] = self.env or ""
        assert self._state() == self.before, "something was written outside the sandbox"
        assert not [p for p in self.root.rglob("pwned*")]
        shutil.rmtree(self.root, ignore_errors=True)


def _write_rows(path: Path, rows: list[dict], schema=None) -> None:
    try:
        table = pa.Table.from_pylist(rows, schema=schema)
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError, ValueError, OverflowError):
        table = pa.Table.from_pylist([{k: None if v is None else repr(v) for k, v in row.items()} for row in rows])
    pq.write_table(table, path)


MANIFEST_EDIT = st.fixed_dictionaries({
    "row": st.integers(0, 2),
    "values": st.dictionaries(st.sampled_from(["id", "index", "gt_path", "lq_path", "gt_sha256", "lq_sha256",
                                               "width_lq", "height_lq", "params", "seed", "semantic_prompt",
                                               "target_path", "target_sha256"]), SCALARS, max_size=3),
    "info": st.one_of(st.none(), st.dictionaries(st.sampled_from(["split", "seed", "source", "manifest_sha256"]),
                                                 JSON, max_size=2)),
    "link": st.sampled_from([None, None, None, "lq", "gt/000000000000.png", "manifest.parquet", "split.json"]),
    "keep_schema": st.booleans(),
    "record_sha256": st.booleans(),  # a careful sender also updates split.json's manifest_sha256
})


def check_manifest_case(tmp_path: Path, pristine: Path, case: dict) -> None:
    from tipbench.contracts.integrity import verify_on_use
    from tipbench.contracts.split_folder import read_split_folder
    from tipbench.run.loop import ItemFeed

    sandbox = Sandbox(tmp_path, pristine)
    try:
        split = sandbox.root / "splits" / "s"
        table = pq.read_table(split / "manifest.parquet")
        rows = table.to_pylist()
        rows[case["row"]].update(case["values"])
        _write_rows(split / "manifest.parquet", rows, table.schema if case["keep_schema"] else None)
        info = json.loads((split / "split.json").read_text())
        if case["record_sha256"]:
            info["manifest_sha256"] = hashlib.sha256((split / "manifest.parquet").read_bytes()).hexdigest()
        (split / "split.json").write_text(json.dumps({**info, **(case["info"] or {})}))
        if case["link"]:  # the named entry now lives outside the split, linked back in
            moved = sandbox.root / "outside" / case["link"].replace("/", "_")
            shutil.move(split / case["link"], moved)
            (split / case["link"]).symlink_to(moved)
        try:
            folder = read_split_folder(split)
            verify_on_use(folder, folder.rows, ("gt", "lq"))
            root = split.resolve()
            for row in folder.rows:
                assert folder.image(row, "lq").resolve().is_relative_to(root)
                try:
                    ItemFeed(split, "both")(row)
                except TipbenchError:
                    event("an item failed alone")
            event("loaded")
        except TipbenchError as exc:
            event(f"refused: {type(exc).__name__}")
    finally:
        sandbox.close()


@QUICK
@given(case=MANIFEST_EDIT)
def test_manifests_load_or_fail_cleanly(tmp_path, pristine, case):
    check_manifest_case(tmp_path, pristine, case)


@pytest.mark.slow
@THOROUGH
@given(case=MANIFEST_EDIT)
def test_manifests_load_or_fail_cleanly_thoroughly(tmp_path, pristine, case):
    check_manifest_case(tmp_path, pristine, case)


SCORE_KEYS = ["method", "variant", "split", "prompts", "source", "weights", "n", "psnr", "fid", "clip_t",
              "null_reasons", "metric_weights", "notes", "comparable_to_paper", "controllability"]
RUN_FOLDER_EDIT = st.fixed_dictionaries({
    "run_json": st.one_of(JSON, st.dictionaries(st.sampled_from(["method", "variant", "split", "prompts", "config",
                                                                 "checkpoints", "n_done", "split_dir", "weights"]),
                                                JSON, max_size=4)),
    "failures": st.lists(st.one_of(TEXT, JSON.map(json.dumps)), max_size=3),
    "summary": st.one_of(JSON, st.dictionaries(st.sampled_from(SCORE_KEYS), JSON, max_size=4)),
    "link_out": st.booleans(),
})


def check_run_folder_case(tmp_path: Path, pristine: Path, case: dict) -> None:
    from leaderboard.collect import collect_runs
    from tipbench.contracts.run_folder import output_files, read_failures, read_run_json
    from tipbench.contracts.scores import read_score_file

    sandbox = Sandbox(tmp_path, pristine)
    try:
        run_dir = sandbox.root / "runs" / "s" / "bicubic" / "both"
        record = json.loads((run_dir / "run.json").read_text())
        edited = {**record, **case["run_json"]} if isinstance(case["run_json"], dict) else case["run_json"]
        (run_dir / "run.json").write_text(json.dumps(edited))
        (run_dir / "failures.jsonl").write_text("".join(line.replace("\n", " ") + "\n" for line in case["failures"]))
        (run_dir / "summary.json").write_text(json.dumps(case["summary"]))
        if case["link_out"]:
            shutil.move(run_dir / "out", sandbox.root / "outside" / "out")
            (run_dir / "out").symlink_to(sandbox.root / "outside" / "out")
        for name, reader in (("run.json", read_run_json), ("failures", read_failures), ("out", output_files),
                             ("summary", lambda d: read_score_file(d, "summary"))):
            try:
                reader(run_dir)
                event(f"{name} loaded")
            except TipbenchError:
                event(f"{name} refused")
        collect_runs(sandbox.root / "runs")  # the leaderboard skips what it cannot read, with a warning
    finally:
        sandbox.close()


@QUICK
@given(case=RUN_FOLDER_EDIT)
def test_run_folders_load_or_fail_cleanly(tmp_path, pristine, case):
    check_run_folder_case(tmp_path, pristine, case)


@pytest.mark.slow
@THOROUGH
@given(case=RUN_FOLDER_EDIT)
def test_run_folders_load_or_fail_cleanly_thoroughly(tmp_path, pristine, case):
    check_run_folder_case(tmp_path, pristine, case)


DATASET_EDIT = st.fixed_dictionaries({
    "row": st.integers(0, 2),
    "edit": st.booleans(),
    "values": st.dictionaries(st.sampled_from(["id", "index", "gt", "lq", "gt_sha256", "lq_sha256", "width_lq",
                                               "params", "seed", "pipeline"]),
                              st.one_of(SCALARS, st.binary(max_size=40).map(lambda b: {"bytes": b, "path": "x"})),
                              max_size=3),
    "info": st.one_of(st.none(), st.none(), JSON),
})


def check_dataset_case(tmp_path: Path, pristine: Path, case: dict) -> None:
    from tipbench.build import BuildConfig, build_split

    sandbox = Sandbox(tmp_path, pristine)
    try:
        split = sandbox.root / "splits" / "s"
        export = sandbox.root / "export"
        (export / "data").mkdir(parents=True)
        rows = []
        for row in pq.read_table(split / "manifest.parquet").to_pylist():
            images = {kind: {"bytes": (split / row[f"{kind}_path"]).read_bytes(), "path": "x.png"}
                      for kind in ("gt", "lq")}
            rows.append({**{k: v for k, v in row.items() if k not in ("gt_path", "lq_path")}, **images})
        if case["edit"]:
            rows[case["row"]].update(case["values"])
        _write_rows(export / "data" / "test-00000-of-00001.parquet", rows)
        info = json.loads((split / "split.json").read_text())
        (export / "split.json").write_text(json.dumps({**info, "split": "coco-param"} if case["info"] is None
                                                      else case["info"]))
        try:
            built = build_split(BuildConfig(split="coco-param", source_root=str(export),
                                            out=str(sandbox.root / "rebuilt"), progress=False))
            assert built.resolve().is_relative_to(sandbox.root.resolve())
            event("built")
        except TipbenchError as exc:
            event(f"refused: {type(exc).__name__}")
    finally:
        sandbox.close()


@QUICK
@given(case=DATASET_EDIT)
def test_published_rows_load_or_fail_cleanly(tmp_path, pristine, case):
    check_dataset_case(tmp_path, pristine, case)


@pytest.mark.slow
@THOROUGH
@given(case=DATASET_EDIT)
def test_published_rows_load_or_fail_cleanly_thoroughly(tmp_path, pristine, case):
    check_dataset_case(tmp_path, pristine, case)
