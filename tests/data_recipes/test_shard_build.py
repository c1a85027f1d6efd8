"""A real small shard build over a synthetic captioned folder: contents, determinism, independence, resume."""

from __future__ import annotations

import hashlib
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from recipe_helpers import within_binomial_loose, write_recipe

from data_recipes.reader import iter_shard_samples
from data_recipes.shards import ShardsConfig, main, write_shards
from tests.conftest import error_text
from tipbench.degradations import DEGRADATIONS
from tipbench.prompts import BLIND_PROMPT, format_restoration_prompt, parse_restoration_prompt

NUM_SAMPLES = 48
NUM_SHARDS = 3


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory, captioned_folder, mix_realesrgan):
    base = tmp_path_factory.mktemp("built")
    recipe = write_recipe(base / "recipe.yaml", captioned_folder, realesrgan=mix_realesrgan, num_samples=NUM_SAMPLES)
    out = base / "full"
    done = write_shards(ShardsConfig(str(recipe), str(out), num_shards=NUM_SHARDS, workers=1, progress=False))
    return recipe, out, done


def test_markers_account_for_every_index(built):
    _, out, done = built
    assert [d["shard_index"] for d in done] == [0, 1, 2]
    per_shard = NUM_SAMPLES // NUM_SHARDS
    for d in done:
        k = d["shard_index"]
        # every skipped sample was replaced from the shard's own stream N + k, N + k + K, ...
        assert d["num_written"] == per_shard and d["num_short"] == 0
        tried = [*range(k * per_shard, (k + 1) * per_shard),
                 *(NUM_SAMPLES + k + j * NUM_SHARDS for j in range(len(d["skipped"])))]
        with tarfile.open(out / f"shard-{k:06d}.tar") as archive:
            written = sorted({int(m.name.split(".")[0]) for m in archive.getmembers()})
        assert sorted(written + [s["index"] for s in d["skipped"]]) == tried
        listed = [json.loads(line) for line in (out / f"shard-{k:06d}.skipped.jsonl").read_text().splitlines()]
        assert listed == d["skipped"]
        assert sha(out / f"shard-{k:06d}.tar") == d["sha256"]
    reasons = [s["reason"] for d in done for s in d["skipped"]]
    # 26 source files, 2 unusable: with 48 draws over 2 passes each unusable file is hit at least twice
    assert len(reasons) >= 4
    assert any("short side" in r for r in reasons) and any("decode" in r for r in reasons)


def test_tar_headers_are_fixed_and_members_in_index_order(built):
    _, out, _ = built
    with tarfile.open(out / "shard-000001.tar") as archive:
        members = archive.getmembers()
    assert all(m.mtime == 0 and m.uid == 0 and m.gid == 0 and m.uname == "" and m.mode == 0o644 for m in members)
    keys = [m.name.split(".")[0] for m in members]
    assert keys == sorted(keys)
    assert {m.name.split(".", 1)[1] for m in members} == {"x.png", "y.png", "json"}
    assert 16 <= int(keys[0]) < 32  # shard 1 holds the second block of global indices


def test_every_restoration_prompt_parses_and_matches_its_params(built, mix_realesrgan):
    _, out, _ = built
    samples = list(iter_shard_samples(out))
    assert len(samples) == NUM_SAMPLES  # the 4+ skipped draws were replaced
    param = DEGRADATIONS.get("param")
    for sample in samples:
        assert sample["gt"].shape == (160, 160, 3) and sample["lq"].dtype.name == "uint8"
        ops = parse_restoration_prompt(sample["restoration_prompt"])
        params = json.loads(sample["params"])
        if sample["pipeline"] == "realesrgan":
            assert sample["restoration_prompt"] == BLIND_PROMPT
            assert sample["lq"].shape == (40, 40, 3)
            continue
        record = param.params_from_dict(params)
        full = format_restoration_prompt(record.ops())
        typed = format_restoration_prompt(record.ops(), type_only=True)
        assert sample["restoration_prompt"] in (full, typed)
        assert sample["restoration_prompt_type"] == typed
        assert ops in (record.ops(), tuple(op.type_only for op in record.ops()))
        # y really is the recorded degradation of x
        assert (param.apply(sample["gt"], record).lq == sample["lq"]).all()
    pipelines = [s["pipeline"] for s in samples]
    assert within_binomial_loose(pipelines.count("realesrgan"), len(samples), mix_realesrgan)
    assert within_binomial_loose(sum(s["semantic_prompt"] == "" for s in samples), len(samples), 0.1)


def test_shard_rebuilt_alone_is_identical(built, tmp_path):
    recipe, out, done = built
    alone = tmp_path / "alone"
    assert main([str(recipe), "--out", str(alone), "--num-shards", str(NUM_SHARDS), "--shard-index", "2", "-q"]) == 0
    assert sorted(p.name for p in alone.glob("*.tar")) == ["shard-000002.tar"]
    assert sha(alone / "shard-000002.tar") == done[2]["sha256"]


def test_two_workers_give_identical_bytes(built, tmp_path):
    recipe, out, done = built
    pooled = write_shards(ShardsConfig(str(recipe), str(tmp_path), num_shards=NUM_SHARDS, workers=2, progress=False))
    assert [d["sha256"] for d in pooled] == [d["sha256"] for d in done]


def test_resume_rebuilds_only_missing_shards(built, tmp_path):
    recipe, out, done = built
    cfg = ShardsConfig(str(recipe), str(tmp_path), num_shards=NUM_SHARDS, workers=1, progress=False)
    write_shards(cfg)
    (tmp_path / "shard-000001.tar").unlink()
    (tmp_path / "shard-000002.json").unlink()
    (tmp_path / ".shard-000000.tar.leftover.partial").write_bytes(b"half")  # interrupted writes (kill -9)
    (tmp_path / ".shard-000001.tar.0123456789ab.partial").write_bytes(b"half")
    kept = (tmp_path / "shard-000000.tar").stat().st_mtime_ns
    again = write_shards(cfg)
    assert not list(tmp_path.glob(".*.partial"))
    assert (tmp_path / "shard-000000.tar").stat().st_mtime_ns == kept
    assert [sha(tmp_path / f"shard-{k:06d}.tar") for k in range(NUM_SHARDS)] == [d["sha256"] for d in done]
    assert [d["sha256"] for d in again] == [d["sha256"] for d in done]


def test_out_folder_of_another_recipe_is_refused(built, tmp_path, capsys):
    recipe, _, _ = built
    assert main([str(recipe), "--out", str(tmp_path), "--num-shards", "2", "-q", "--shard-index", "1"]) == 0
    assert main([str(recipe), "--out", str(tmp_path), "--num-shards", "3", "-q", "--shard-index", "1"]) == 1
    assert "another recipe" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv, code, message",
    [
        (["no-such-recipe", "--out", "X"], 1, "unknown recipe"),
        (["sample-train", "--out", "X", "--num-shards", "0"], 1, "num-shards"),
        (["sample-train", "--out", "X", "--num-shards", "2", "--shard-index", "2"], 1, "shard-index"),
        (["tip-train", "--out", "X", "--source-root", "/no/such/coco"], 1, "does not exist"),
        (["sample-train"], 2, "--out"),
    ],
)
def test_cli_errors(argv, code, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    if code == 2:
        with pytest.raises(SystemExit) as exc:
            main(argv)
        assert exc.value.code == 2
    else:
        assert main(argv) == code
    assert message in capsys.readouterr().err


def test_list_prints_the_registry(capsys):
    assert main(["--list"]) == 0
    assert "tip-train\t" in capsys.readouterr().out


def test_ray_engine_without_ray_is_a_one_line_error(capsys, tmp_path, monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "ray", None)  # `import ray` raises ImportError, as without the [ray] extra
    assert main(["sample-train", "--out", str(tmp_path / "shards"), "--engine", "ray", "--num-samples", "1"]) == 1
    err = capsys.readouterr().err
    assert error_text(err).startswith("error: ") and "tipbench[ray]" in err


def test_out_folder_built_from_another_source_root_is_refused(built, tmp_path, capsys, captioned_folder):
    recipe, _, _ = built
    other_root = tmp_path / "other-source"
    other_root.symlink_to(captioned_folder, target_is_directory=True)
    out = tmp_path / "out"
    args = [str(recipe), "--out", str(out), "--num-shards", "2", "-q", "--shard-index", "0", "--num-samples", "4"]
    assert main([*args, "--source-root", str(captioned_folder)]) == 0
    assert main([*args, "--source-root", str(other_root)]) == 0  # same files through a link: same resolved root
    copy = shutil.copytree(captioned_folder, tmp_path / "copied-source")  # same images, another root
    assert main([*args, "--source-root", str(copy)]) == 1
    assert "source root" in capsys.readouterr().err
