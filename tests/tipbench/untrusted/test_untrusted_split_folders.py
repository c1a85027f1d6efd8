"""Hand-edited split folders (issue 18): each bad row is one `error:` line naming it, and `run` writes nothing.

Every case here was accepted (or crashed with a traceback) before the split-folder reader checked what it reads;
the senders keep split.json's manifest_sha256 consistent so that each case reaches the check it is about.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pyarrow as pa
import pytest
from untrusted_helpers import bomb_png, replace_image, rewrite_manifest, set_field, sha256, snapshot

from tests.conftest import error_text
from tests.tiny_splits import make_param_split
from tipbench.run import main as run_main

SPLIT = "synthetic-param"


@pytest.fixture
def split(tmp_path: Path) -> Path:
    return make_param_split(tmp_path / "splits", SPLIT, n=3, size=32)


def run_bicubic(tmp_path: Path, capsys) -> tuple[int, str]:
    code = run_main(["--method", "bicubic", "--split", SPLIT, "--splits-dir", str(tmp_path / "splits"),
                     "--runs-dir", str(tmp_path / "runs"), "--no-score", "--no-progress"])
    return code, capsys.readouterr().err


def test_the_pwned_id_writes_nothing_anywhere(tmp_path, split, capsys):
    set_field(split, 0, id="../../../../pwned")
    code, err = run_bicubic(tmp_path, capsys)
    assert code == 1
    text = error_text(err)
    assert "row 1 (id '../../../../pwned')" in text and "[A-Za-z0-9._-]" in text
    assert not list(tmp_path.rglob("pwned*"))
    assert not (tmp_path / "runs").exists()  # refused before the run folder is made


def _outside_png(tmp_path: Path, split: Path) -> Path:
    """A real PNG outside the split folder (so an unchecked reader would happily use it)."""
    outside = tmp_path / "elsewhere" / "secret.png"
    outside.parent.mkdir(exist_ok=True)
    shutil.copy(split / "gt" / "000000000000.png", outside)
    return outside


def _dotdot_to(path: Path, split: Path) -> str:
    """`lq/../../…` spelling of `path` relative to the split folder."""
    return "lq/../" + Path(os.path.relpath(path, split)).as_posix()


BAD_ROWS = {
    "absolute gt_path": (lambda tmp, split: {"gt_path": str(_outside_png(tmp, split))}, "is absolute"),
    "dot-dot lq_path": (lambda tmp, split: {"lq_path": _dotdot_to(_outside_png(tmp, split), split)},
                        "contains `.`, `..` or an empty part"),
    "NUL in id": (lambda tmp, split: {"id": "a\x00b"}, "'\\x00'"),
    "slash in id": (lambda tmp, split: {"id": "sub/item"}, "('/')"),
    "backslash path": (lambda tmp, split: {"lq_path": "lq\\000000000000.png"}, "contains `\\`"),
    "id of dots only": (lambda tmp, split: {"id": ".."}, "only dots"),
    "sha256 not hex": (lambda tmp, split: {"gt_sha256": "../../etc/passwd"}, "64 lowercase hex"),
    "negative size": (lambda tmp, split: {"width_lq": -16}, "width_lq"),
    "params not JSON": (lambda tmp, split: {"params": "{not json"}, "not a JSON object"),
}


@pytest.mark.parametrize("case", sorted(BAD_ROWS))
def test_a_bad_row_is_one_error_naming_it_and_nothing_is_written(tmp_path, split, capsys, case):
    values, expected = BAD_ROWS[case]
    set_field(split, 1, **values(tmp_path, split))
    code, err = run_bicubic(tmp_path, capsys)
    assert code == 1
    text = error_text(err)
    assert text.count("\n") == 1 and "row 2 (id " in text and expected in text, text
    assert not (tmp_path / "runs").exists()


def test_duplicate_index_values_are_refused(tmp_path, split, capsys):
    set_field(split, 2, index=0)
    code, err = run_bicubic(tmp_path, capsys)
    assert code == 1 and "duplicate index values: 0" in error_text(err)


def test_a_text_column_of_the_wrong_type_is_refused(tmp_path, split, capsys):
    import pyarrow.parquet as pq

    schema = pq.read_schema(split / "manifest.parquet")
    wrong = schema.set(schema.get_field_index("restoration_prompt"), pa.field("restoration_prompt", pa.int64()))
    rewrite_manifest(split, lambda rows: [{**row, "restoration_prompt": 7} for row in rows], schema=wrong)
    code, err = run_bicubic(tmp_path, capsys)
    assert code == 1 and "`restoration_prompt` is int64, expected string" in error_text(err)


def test_a_target_path_without_its_sha256_is_refused(tmp_path, split, capsys):
    import pyarrow.parquet as pq

    schema = pq.read_schema(split / "manifest.parquet")
    schema = schema.append(pa.field("target_path", pa.string())).append(pa.field("target_sha256", pa.string()))
    rewrite_manifest(split, lambda rows: [{**row, "target_path": "gt/000000000000.png", "target_sha256": None}
                                          for row in rows], schema=schema)
    code, err = run_bicubic(tmp_path, capsys)
    assert code == 1 and "both be set or both be null" in error_text(err)


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("split", "../../elsewhere", "`split` contains `/`"),
    ("seed", "zero", "`seed` must be a non-negative integer"),
    ("manifest_sha256", "not-a-hash", "`manifest_sha256` is not 64"),
])
def test_split_json_keys_the_stages_read_are_checked(tmp_path, split, capsys, key, value, expected):
    info = json.loads((split / "split.json").read_text())
    (split / "split.json").write_text(json.dumps({**info, key: value}))
    code, err = run_bicubic(tmp_path, capsys)
    assert code == 1 and expected in error_text(err)


def test_a_manifest_symlinked_from_outside_is_not_read(tmp_path, split, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.move(split / "manifest.parquet", elsewhere / "manifest.parquet")
    (split / "manifest.parquet").symlink_to(elsewhere / "manifest.parquet")
    code, err = run_bicubic(tmp_path, capsys)
    assert code == 1 and "leads out of the folder" in error_text(err)


@pytest.mark.parametrize("what", ["folder", "file"])
def test_a_symlink_leading_out_of_the_split_is_refused(tmp_path, split, capsys, what):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if what == "folder":  # lq/ itself lives elsewhere
        shutil.move(split / "lq", elsewhere / "lq")
        (split / "lq").symlink_to(elsewhere / "lq", target_is_directory=True)
    else:
        target = elsewhere / "x.png"
        shutil.move(split / "lq" / "000000000001.png", target)
        (split / "lq" / "000000000001.png").symlink_to(target)
    code, err = run_bicubic(tmp_path, capsys)
    assert code == 1 and "leads out of the folder" in error_text(err)
    assert not (tmp_path / "runs").exists()


def test_a_symlink_that_stays_inside_the_split_is_fine(tmp_path, split, capsys):
    (split / "lq" / "000000000001.png").unlink()
    shutil.copy(split / "lq" / "000000000000.png", split / "shared.png")
    (split / "lq" / "000000000001.png").symlink_to("../shared.png")
    set_field(split, 1, lq_sha256=sha256((split / "shared.png").read_bytes()), width_lq=16, height_lq=16)
    code, _ = run_bicubic(tmp_path, capsys)
    assert code == 0


def test_a_gt_changed_after_the_build_stops_the_run(tmp_path, split, capsys):
    first = split / "gt" / "000000000000.png"
    first.write_bytes((split / "gt" / "000000000001.png").read_bytes())  # a valid PNG, just not the built one
    code, err = run_bicubic(tmp_path, capsys)
    text = error_text(err)
    assert code == 1 and "changed after its build" in text and "gt/000000000000.png: sha256" in text
    assert "--verify" in text
    assert not (tmp_path / "runs" / SPLIT / "bicubic" / "both" / "out").exists()


def test_a_manifest_edited_without_split_json_stops_the_run(tmp_path, split, capsys):
    import pyarrow.parquet as pq

    table = pq.read_table(split / "manifest.parquet")
    rows = [{**row, "semantic_prompt": "a different caption"} for row in table.to_pylist()]
    pq.write_table(pa.Table.from_pylist(rows, schema=table.schema), split / "manifest.parquet")
    code, err = run_bicubic(tmp_path, capsys)
    assert code == 1 and "the manifest was changed after the build" in error_text(err)


def test_a_30000_square_png_in_lq_fails_its_item_without_being_decoded(tmp_path, split, capsys):
    replace_image(split, 1, "lq", bomb_png(30000, 30000))
    before = snapshot(tmp_path, skip=tmp_path / "runs")
    code, err = run_bicubic(tmp_path, capsys)
    assert code == 1 and "Traceback" not in err and "1 item(s) failed" in err
    failures = (tmp_path / "runs" / SPLIT / "bicubic" / "both" / "failures.jsonl").read_text().splitlines()
    assert len(failures) == 1
    entry = json.loads(failures[0])
    assert entry["id"] == "000000000001" and "decompression bomb guard" in entry["error"]
    assert "900000000" in entry["error"]  # 30000² px, read from the header
    assert snapshot(tmp_path, skip=tmp_path / "runs") == before  # the split folder was only read


@pytest.mark.slow  # three scoring passes with a random Inception: ~20 s here
def test_a_gt_cache_that_came_with_the_split_is_not_trusted(tmp_path, split, capsys):
    """`.cache/` keys are predictable, so a forged cache could move FID; only files this user wrote are read."""
    import io

    import numpy as np

    from tipbench.score import ScoreConfig, score_run

    assert run_bicubic(tmp_path, capsys)[0] == 0
    config = ScoreConfig(run_dir=str(tmp_path / "runs" / SPLIT / "bicubic" / "both"), splits_dir=str(tmp_path / "splits"),
                         metrics=("fid",), metric_weights="random", allow_small_fid=True, progress=False)
    first = score_run(config)
    assert first["gt_cache"] == {"fid": "miss"} and score_run(config)["gt_cache"] == {"fid": "hit"}
    [cache] = (split / ".cache" / "metrics").glob("fid-*.npz")
    with np.load(cache) as stored:
        arrays = {name: stored[name] for name in stored.files}
    arrays["mean"] = arrays["mean"] + 5.0  # a sender's "GT statistics"
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    cache.write_bytes(buffer.getvalue())
    forged = score_run(config)
    assert forged["gt_cache"] == {"fid": "miss"} and forged["fid"] == pytest.approx(first["fid"], rel=1e-9)
