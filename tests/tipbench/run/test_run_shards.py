"""Independent shards (`--shard I/N`, contracts §2.6): the same bytes as one process, one run.json with
`processes: N` written by the last shard (or `--finalize`), failures merged, exactly one finaliser."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from tests.conftest import error_text
from tests.tiny_splits import edit_manifest, make_param_split
from tipbench.contracts.run_parts import claim_finalization, part_record_path
from tipbench.io import read_json
from tipbench.run import main

SPLIT = "synthetic-param"


@pytest.fixture(scope="module")
def split_root(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("shards")
    make_param_split(root / "splits", n=5, size=48, seed=2)
    return root


def _run(splits: Path, runs: Path, *args: str) -> int:
    return main(["--method", "bicubic", "--split", SPLIT, "--splits-dir", str(splits), "--runs-dir", str(runs),
                 "--batch-size", "2", "-q", *args])


def _run_dir(runs: Path) -> Path:
    return runs / SPLIT / "bicubic" / "both"


def _outputs(run_dir: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((run_dir / "out").glob("*.png"))}


@pytest.fixture(scope="module")
def one_process(split_root) -> Path:
    assert _run(split_root / "splits", split_root / "one") == 0
    return _run_dir(split_root / "one")


def test_two_shards_write_the_bytes_of_one_process_and_the_last_one_finalises(split_root, one_process, tmp_path,
                                                                               capsys):
    runs = tmp_path / "runs"
    assert _run(split_root / "splits", runs, "--shard", "1/2") == 0
    run_dir = _run_dir(runs)
    assert read_json(run_dir / "run.json")["status"] == "running" and not (run_dir / "summary.json").exists()
    assert "the last shard finalises" in capsys.readouterr().out
    assert sorted(_outputs(run_dir)) == ["000000000002.png", "000000000003.png"]  # batch 1 of [01][23][4]
    assert _run(split_root / "splits", runs, "--shard", "0/2") == 0
    assert _outputs(run_dir) == _outputs(one_process)
    record = read_json(run_dir / "run.json")
    assert record["processes"] == 2 and record["status"] == "complete" and record["n_done"] == 5
    assert record["process_seconds"] >= record["seconds"] > 0 and record["config"]["shard"] is None
    summary, reference = read_json(run_dir / "summary.json"), read_json(one_process / "summary.json")
    assert {k: summary[k] for k in ("n", "psnr", "ssim", "psnr_y", "ssim_y")} == \
        {k: reference[k] for k in ("n", "psnr", "ssim", "psnr_y", "ssim_y")}
    assert (run_dir / "failures.jsonl").read_text() == ""


def test_a_rerun_shard_skips_its_finished_outputs_and_finalises_again(split_root, tmp_path):
    runs = tmp_path / "runs"
    for shard in ("0/2", "1/2"):
        assert _run(split_root / "splits", runs, "--shard", shard, "--no-score") == 0
    run_dir = _run_dir(runs)
    first = read_json(part_record_path(run_dir, 0, 2))
    (run_dir / "out" / "000000000004.png").unlink()  # lost after the run was final
    assert _run(split_root / "splits", runs, "--shard", "0/2", "--no-score") == 0
    again = read_json(part_record_path(run_dir, 0, 2))
    assert first["processed"] == 3 and again["processed"] == 1  # only batch [4] was redone
    assert read_json(run_dir / "run.json")["n_done"] == 5


def test_failures_of_every_shard_are_merged_and_the_run_is_not_scored(tmp_path, capsys):
    splits = tmp_path / "splits"
    split_dir = make_param_split(splits, n=5, size=48, seed=2)
    (split_dir / "lq" / "000000000003.png").write_bytes(b"not a png")  # an item of shard 1
    digest = hashlib.sha256(b"not a png").hexdigest()  # recorded, so the split is as built and the item fails alone
    edit_manifest(split_dir, lambda rows: [{**row, "lq_sha256": digest} if row["id"] == "000000000003" else row
                                           for row in rows])
    runs = tmp_path / "runs"
    assert _run(splits, runs, "--shard", "0/2") == 0
    assert _run(splits, runs, "--shard", "1/2") == 1
    run_dir = _run_dir(runs)
    record = read_json(run_dir / "run.json")
    assert record["n_failed"] == 1 and record["status"] == "incomplete" and record["processes"] == 2
    failures = (run_dir / "failures.jsonl").read_text().splitlines()
    assert len(failures) == 1 and '"000000000003"' in failures[0]
    assert not (run_dir / "summary.json").exists()


def test_finalize_merges_finished_shards_and_names_the_missing_ones(split_root, tmp_path, capsys):
    runs = tmp_path / "runs"
    assert _run(split_root / "splits", runs, "--shard", "2/3", "--no-score") == 0
    capsys.readouterr()
    assert _run(split_root / "splits", runs, "--finalize") == 1
    assert "shard(s) not done (of 3: 0/3, 1/3)" in error_text(capsys.readouterr().err)
    for shard in ("0/3", "1/3"):
        assert _run(split_root / "splits", runs, "--shard", shard, "--no-score") == 0
    run_dir = _run_dir(runs)
    assert read_json(run_dir / "run.json")["processes"] == 3
    # the finaliser died after its claim, before run.json was final: --finalize finishes the run (and scores it)
    (run_dir / "run.json").write_text((run_dir / "run.json").read_text().replace('"complete"', '"running"'))
    assert _run(split_root / "splits", runs, "--finalize") == 0
    assert read_json(run_dir / "run.json")["status"] == "complete" and (run_dir / "summary.json").is_file()


def test_exactly_one_process_claims_one_set_of_part_records(tmp_path):
    assert claim_finalization(tmp_path, "ab" * 32) is True
    assert claim_finalization(tmp_path, "ab" * 32) is False
    assert claim_finalization(tmp_path, "cd" * 32) is True  # a part ran again: a new set, a new claim


def test_shard_is_refused_under_a_launcher_and_accelerate_cpu_without_mpi_is_explained(split_root, tmp_path,
                                                                                       monkeypatch, capsys):
    monkeypatch.setenv("WORLD_SIZE", "2")
    assert _run(split_root / "splits", tmp_path / "runs", "--shard", "0/2") == 1
    assert "give one or the other" in error_text(capsys.readouterr().err)
    monkeypatch.delenv("WORLD_SIZE")
    monkeypatch.setenv("ACCELERATE_USE_CPU", "True")
    monkeypatch.setenv("MASTER_ADDR", "127.0.0.1")
    monkeypatch.delenv("LOCAL_RANK", raising=False)
    assert _run(split_root / "splits", tmp_path / "runs") == 1
    assert "--multi_gpu --num_processes N" in error_text(capsys.readouterr().err)


@pytest.mark.parametrize("text", ["2/2", "1", "a/b", "-1/3", "0/0"])
def test_bad_shard_specs_are_usage_errors(split_root, tmp_path, capsys, text):
    with pytest.raises(SystemExit) as exit_info:
        _run(split_root / "splits", tmp_path / "runs", f"--shard={text}")
    assert exit_info.value.code == 2 and "argument --shard" in capsys.readouterr().err
