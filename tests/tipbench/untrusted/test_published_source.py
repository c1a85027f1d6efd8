"""The published dataset as a source (issue 18): build → publish → build from the export gives the same gt/, lq/,
target/, manifest and skipped.jsonl byte for byte, split.json names both the export and the original source, and a
hostile export is refused row by row like a hostile split folder."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from untrusted_helpers import bomb_png, sha256, snapshot

from tests.conftest import error_text
from tests.tiny_splits import make_param_split
from tipbench.build import main as build_main
from tipbench.publish import main as publish_main

COMPARED = ("gt", "lq", "target", "manifest.parquet", "skipped.jsonl")


def file_hashes(split_dir: Path) -> dict[str, str]:
    """sha256 of gt/, lq/, target/ files, the manifest and skipped.jsonl, by relative path."""
    found = {}
    for name in COMPARED:
        path = split_dir / name
        for file in sorted(path.rglob("*")) if path.is_dir() else [path] if path.is_file() else []:
            found[file.relative_to(split_dir).as_posix()] = hashlib.sha256(file.read_bytes()).hexdigest()
    return found


def round_trip(base: Path, split: str, build_args: list[str]) -> dict[str, Path]:
    """Build `split`, publish it, and build it again from the export's parquet files and from its disk/ copy."""
    assert build_main(["--split", split, "--out", str(base / "splits"), "-q", *build_args]) == 0
    assert publish_main(["--split", split, "--splits-dir", str(base / "splits"), "--out", str(base / "hf"), "-q"]) == 0
    folders = {"original": base / "splits" / split}
    for layout, root in (("parquet", base / "hf"), ("save_to_disk", base / "hf" / "disk")):
        assert build_main(["--split", split, "--source-root", str(root), "--out", str(base / layout), "-q"]) == 0
        folders[layout] = base / layout / split
    return folders


def check_round_trip(folders: dict[str, Path], source: str, with_target: bool) -> None:
    original = file_hashes(folders["original"])
    assert any(name.startswith("target/") for name in original) == with_target
    assert len(original) > 4
    info = json.loads((folders["original"] / "split.json").read_text())
    for layout in ("parquet", "save_to_disk"):
        assert file_hashes(folders[layout]) == original, layout
        rebuilt = json.loads((folders[layout] / "split.json").read_text())
        assert rebuilt["source"] == source and rebuilt["manifest_sha256"] == info["manifest_sha256"]
        assert rebuilt["published"]["layout"] == layout and rebuilt["published"]["manifest_identical"] is True
        assert rebuilt["published"]["location"].endswith("hf" if layout == "parquet" else "disk")
        assert {k: v for k, v in rebuilt.items() if k not in ("published", "notes")} == \
               {k: v for k, v in info.items() if k != "notes"}
        assert rebuilt["notes"][:-1] == info["notes"] and "rebuilt from the published dataset" in rebuilt["notes"][-1]


@pytest.mark.slow
def test_the_sample_round_trips_byte_for_byte(tmp_path, monkeypatch):
    for name in ("TIPBENCH_COCO_ROOT", "TIPBENCH_DIV2K_ROOT", "TIPBENCH_STABLESR_TESTSETS"):
        monkeypatch.delenv(name, raising=False)
    folders = round_trip(tmp_path, "coco-param", ["--limit", "4"])
    check_round_trip(folders, "sample", with_target=False)
    rebuilt = json.loads((folders["parquet"] / "split.json").read_text())
    assert any("BUNDLED SAMPLE" in note for note in rebuilt["notes"])  # still marked as a smoke test


@pytest.mark.slow
def test_a_synthetic_coco_split_with_targets_round_trips_and_stays_comparable(tmp_path, capsys):
    from tests.tipbench.build.build_helpers import make_coco_tree
    from tipbench.run import main as run_main
    from tipbench.score import main as score_main

    make_coco_tree(tmp_path / "coco", 3)
    folders = round_trip(tmp_path, "coco-selective", ["--source-root", str(tmp_path / "coco"), "--limit", "3"])
    check_round_trip(folders, "coco", with_target=True)
    # a run made on the original split scores against the rebuilt one: same manifest, same benchmark
    runs = tmp_path / "runs"
    assert run_main(["--method", "bicubic", "--split", "coco-selective", "--splits-dir", str(tmp_path / "splits"),
                     "--runs-dir", str(runs), "--no-score", "-q"]) == 0
    assert score_main([str(runs / "coco-selective" / "bicubic" / "both"), "--splits-dir", str(tmp_path / "parquet"),
                       "--metrics", "", "-q"]) == 0


def test_a_tiny_split_with_targets_round_trips_through_publish(tmp_path):
    """The default-run version of the two above: a 32-pixel selective split, exported by the real publish."""
    from tests.tiny_splits import make_pipeline_split

    original = make_pipeline_split(tmp_path / "splits", "coco-selective", pipeline="selective", n=3, size=32,
                                   source="coco")
    assert publish_main(["--split", "coco-selective", "--splits-dir", str(tmp_path / "splits"), "--out",
                         str(tmp_path / "hf"), "-q"]) == 0
    assert build_main(["--split", "coco-selective", "--source-root", str(tmp_path / "hf" / "disk"), "--out",
                       str(tmp_path / "rebuilt"), "-q"]) == 0
    rebuilt = tmp_path / "rebuilt" / "coco-selective"
    assert file_hashes(rebuilt) == file_hashes(original) and (rebuilt / "target").is_dir()
    assert json.loads((rebuilt / "split.json").read_text())["source"] == "coco"


# ----------------------------------------------------------------------------------------- hostile exports
def export_from(split_dir: Path, out: Path, edit=None, schema=None) -> Path:
    """An export folder written by hand from a split folder's rows (as a hostile publisher could), after `edit`."""
    rows = []
    for row in pq.read_table(split_dir / "manifest.parquet").to_pylist():
        rows.append({
            "id": row["id"], "index": row["index"],
            "gt": {"bytes": (split_dir / row["gt_path"]).read_bytes(), "path": f"{row['id']}.png"},
            "lq": {"bytes": (split_dir / row["lq_path"]).read_bytes(), "path": f"{row['id']}.png"},
            **{name: row[name] for name in ("semantic_prompt", "restoration_prompt", "restoration_prompt_type",
                                            "pipeline", "params", "source_path", "gt_sha256", "lq_sha256",
                                            "width_lq", "height_lq", "seed")}})
    rows = edit(rows) if edit else rows
    (out / "data").mkdir(parents=True)
    pq.write_table(pa.Table.from_pylist(rows, schema=schema), out / "data" / "test-00000-of-00001.parquet")
    shutil.copy(split_dir / "split.json", out / "split.json")
    shutil.copy(split_dir / "skipped.jsonl", out / "skipped.jsonl") if (split_dir / "skipped.jsonl").exists() else None
    return out


@pytest.fixture
def small(tmp_path: Path) -> Path:
    return make_param_split(tmp_path / "splits", "coco-param", n=3, size=32)


def build_from(tmp_path: Path, root: Path, capsys, *extra: str) -> tuple[int, str]:
    code = build_main(["--split", "coco-param", "--source-root", str(root), "--out", str(tmp_path / "rebuilt"),
                       "--no-progress", *extra])
    return code, capsys.readouterr().err


def test_a_hand_made_export_builds(tmp_path, small, capsys):
    code, _ = build_from(tmp_path, export_from(small, tmp_path / "export"), capsys)
    assert code == 0 and file_hashes(tmp_path / "rebuilt" / "coco-param") == file_hashes(small)


def _bomb(rows):
    rows[1]["lq"] = {"bytes": bomb_png(), "path": "x.png"}
    rows[1]["lq_sha256"] = sha256(bomb_png())
    return rows


HOSTILE_ROWS = {
    "pwned id": (lambda rows: [{**rows[0], "id": "../../../pwned"}, *rows[1:]], "row 1 (id '../../../pwned')"),
    "duplicate ids": (lambda rows: [rows[0], {**rows[1], "id": rows[0]["id"]}, rows[2]], "duplicate id"),
    "duplicate index": (lambda rows: [rows[0], {**rows[1], "index": rows[0]["index"]}, rows[2]], "duplicate index"),
    "bytes changed": (lambda rows: [rows[0], {**rows[1], "lq_sha256": rows[0]["lq_sha256"]}, rows[2]],
                      "`lq` bytes do not match `lq_sha256`"),
    "30000² lq": (_bomb, "decompression bomb guard"),
    "LQ size lies": (lambda rows: [rows[0], {**rows[1], "width_lq": 99}, rows[2]], "the row says 99×"),
    "NUL in id": (lambda rows: [{**rows[0], "id": "a\x00b"}, *rows[1:]], "'\\x00'"),
    "no image bytes": (lambda rows: [{**rows[0], "gt": {"bytes": None, "path": "x.png"}}, *rows[1:]],
                       "`gt` has no PNG bytes"),
    "wrong column type": (lambda rows: [{**row, "width_lq": str(row["width_lq"])} for row in rows],
                          "`width_lq` is string, expected int32"),
}


@pytest.mark.parametrize("case", sorted(HOSTILE_ROWS))
def test_a_hostile_export_row_is_refused_and_nothing_is_left(tmp_path, small, capsys, case):
    edit, expected = HOSTILE_ROWS[case]
    export = export_from(small, tmp_path / "export", edit)
    before = snapshot(tmp_path, skip=tmp_path / "rebuilt")
    code, err = build_from(tmp_path, export, capsys)
    assert code == 1 and expected in error_text(err), err
    assert snapshot(tmp_path, skip=tmp_path / "rebuilt") == before
    assert not list(tmp_path.rglob("pwned*"))
    rebuilt = tmp_path / "rebuilt"
    assert not rebuilt.exists() or list(rebuilt.iterdir()) == []  # no split, no staging folder left behind


def test_a_save_to_disk_state_naming_a_file_outside_is_refused(tmp_path, small, capsys):
    export = tmp_path / "export"
    (export / "test").mkdir(parents=True)
    (export / "dataset_dict.json").write_text('{"splits": ["test"]}')
    (export / "test" / "state.json").write_text(json.dumps({"_data_files": [{"filename": "../../outside.arrow"}]}))
    shutil.copy(small / "split.json", export / "split.json")
    code, err = build_from(tmp_path, export, capsys)
    assert code == 1 and "plain `.arrow` file names" in error_text(err)


def test_the_published_split_and_seed_must_be_the_ones_asked_for(tmp_path, small, capsys):
    export = export_from(small, tmp_path / "export")
    code = build_main(["--split", "coco-realesrgan", "--source-root", str(export), "--out", str(tmp_path / "o")])
    assert code == 1 and "is split `coco-param`, not `coco-realesrgan`" in error_text(capsys.readouterr().err)
    code, err = build_from(tmp_path, export, capsys, "--seed", "3")
    assert code == 1 and "built with seed 0, not 3" in error_text(err)


def test_a_hub_dataset_offline_is_one_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    code = build_main(["--split", "coco-param", "--repo-id", "org/tipbench", "--out", str(tmp_path / "o")])
    assert code == 1 and "HF_HUB_OFFLINE is set" in error_text(capsys.readouterr().err)
    assert not (tmp_path / "o").exists()


def test_a_hub_snapshot_layout_is_read_from_its_config_folder(tmp_path, small):
    """`push_to_hub(config_name=S)` stores the rows under `S/`; the Hub path reads a snapshot with this layout."""
    from tipbench.contracts.published import iter_records, parquet_dataset

    export = export_from(small, tmp_path / "export")
    (export / "data").rename(export / "coco-param")
    dataset = parquet_dataset(export)
    assert [path.parent.name for path in dataset.data_files] == ["coco-param"]
    assert [record["id"] for record in iter_records(dataset)] == [f"{i:012d}" for i in range(3)]
