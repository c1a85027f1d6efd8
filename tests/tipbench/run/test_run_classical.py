"""`tipbench.run` with the CPU methods: the classical floor beats bicubic, run folders follow contracts §2,
resume gives the same bytes, failures are recorded, and the CLI's edges behave."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from tests.conftest import error_text
from tests.tiny_splits import make_param_split
from tipbench.io import decode_png, read_json
from tipbench.run import RunConfig, main, run_method

RUN_KEYS = {"method", "variant", "split", "split_manifest_sha256", "prompts", "ignored_prompts", "settings",
            "command", "checkpoints", "weights", "device", "n_done", "n_failed", "seconds", "images_per_second",
            "versions", "split_dir"}


def _config(root: Path, method: str, **kw) -> RunConfig:
    kw.setdefault("split", "synthetic-param")
    return RunConfig(method=method, splits_dir=str(root / "splits"), runs_dir=str(root / "runs"), score=False,
                     progress=False, **kw)


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 100.0 if mse == 0 else 10 * np.log10(255.0**2 / mse)


def _mean_psnr(run_dir: Path, split_dir: Path) -> float:
    return float(np.mean([_psnr(decode_png(out), decode_png(split_dir / "gt" / out.name))
                          for out in sorted((run_dir / "out").glob("*.png"))]))


def _outputs(run_dir: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted((run_dir / "out").glob("*.png"))}


def test_classical_prompted_beats_bicubic_on_psnr(tmp_path):
    split_dir = make_param_split(tmp_path / "splits", n=16, size=96, seed=0)
    classical = run_method(_config(tmp_path, "classical-prompted"))
    bicubic = run_method(_config(tmp_path, "bicubic"))
    gain = _mean_psnr(Path(classical["run_dir"]), split_dir) - _mean_psnr(Path(bicubic["run_dir"]), split_dir)
    print(f"classical-prompted - bicubic: {gain:+.2f} dB over 16 items")
    assert gain > 0.5


def test_run_folder_follows_the_contract(tmp_path, param_split):
    record = run_method(_config(tmp_path, "classical-prompted"))
    run_dir = tmp_path / "runs" / "synthetic-param" / "classical-prompted" / "both"
    assert Path(record["run_dir"]) == run_dir
    saved = read_json(run_dir / "run.json")
    assert RUN_KEYS <= set(saved)
    assert saved["n_done"] == 4 and saved["n_failed"] == 0 and saved["status"] == "complete"
    assert saved["ignored_prompts"] == ["semantic"]  # fed a caption it cannot use
    assert saved["weights"] == "none" and saved["checkpoints"] == {}  # no learned weights at all
    assert (run_dir / "failures.jsonl").read_text() == ""
    for out in (run_dir / "out").glob("*.png"):
        assert decode_png(out).shape == decode_png(param_split / "gt" / out.name).shape


def test_interrupted_and_resumed_run_matches_an_uninterrupted_one(tmp_path, param_split):
    fresh = _outputs(Path(run_method(_config(tmp_path, "classical-prompted"))["run_dir"]))
    other = tmp_path / "other"
    (other).mkdir()
    (other / "splits").symlink_to(tmp_path / "splits", target_is_directory=True)
    first = run_method(_config(other, "classical-prompted", limit=2))  # "interrupted" after two items
    run_dir = Path(first["run_dir"])
    assert len(_outputs(run_dir)) == 2
    (run_dir / "out" / ".000000000001.png.x.tmp").write_bytes(b"half a file")  # a write cut short
    resumed = run_method(_config(other, "classical-prompted"))
    assert resumed["n_done"] == 4
    assert _outputs(run_dir) == fresh


def test_ctrl_c_mid_run_is_recorded_and_the_rerun_completes_identically(tmp_path, param_split, monkeypatch):
    import tipbench.run.loop as run_loop

    fresh = _outputs(Path(run_method(_config(tmp_path, "classical-prompted"))["run_dir"]))
    other = tmp_path / "interrupted"
    other.mkdir()
    (other / "splits").symlink_to(tmp_path / "splits", target_is_directory=True)
    real_batch, calls = run_loop.restore_batch, []

    def interrupt_after_first_batch(*args, **kwargs):  # stands in for Ctrl-C arriving during the second batch
        calls.append(1)
        if len(calls) > 1:
            raise KeyboardInterrupt
        return real_batch(*args, **kwargs)

    monkeypatch.setattr(run_loop, "restore_batch", interrupt_after_first_batch)
    with pytest.raises(KeyboardInterrupt):
        run_method(_config(other, "classical-prompted", batch_size=1))
    run_dir = other / "runs/synthetic-param/classical-prompted/both"
    saved = read_json(run_dir / "run.json")
    assert saved["status"] == "interrupted" and saved["n_done"] == 1
    monkeypatch.setattr(run_loop, "restore_batch", real_batch)
    resumed = run_method(_config(other, "classical-prompted"))
    assert resumed["status"] == "complete" and _outputs(run_dir) == fresh


def test_worker_processes_write_the_same_bytes(tmp_path, param_split):
    serial = _outputs(Path(run_method(_config(tmp_path, "classical-prompted"))["run_dir"]))
    other = tmp_path / "parallel"
    other.mkdir()
    (other / "splits").symlink_to(tmp_path / "splits", target_is_directory=True)
    parallel = run_method(_config(other, "classical-prompted", workers=2, batch_size=1))
    assert parallel["n_done"] == 4 and _outputs(Path(parallel["run_dir"])) == serial


def test_workers_are_refused_for_model_methods(tmp_path, param_split):
    from tipbench.errors import ConfigError

    with pytest.raises(ConfigError, match="--workers applies to the CPU methods"):
        run_method(_config(tmp_path, "tip", workers=2))


def test_resume_refuses_a_folder_made_with_other_settings(tmp_path, param_split):
    run_method(_config(tmp_path, "classical-prompted", limit=1))
    record = read_json(tmp_path / "runs/synthetic-param/classical-prompted/both/run.json")
    record["checkpoints"] = {"something": "else"}
    (tmp_path / "runs/synthetic-param/classical-prompted/both/run.json").write_text(json.dumps(record))
    from tipbench.errors import ConfigError

    with pytest.raises(ConfigError, match="different checkpoints"):
        run_method(_config(tmp_path, "classical-prompted"))


def test_a_failing_item_is_recorded_not_dropped(tmp_path, param_split, capsys):
    import hashlib

    from tests.tiny_splits import edit_manifest

    # an LQ that cannot be decoded but matches its manifest sha256 (a changed file is a split error, not an item's)
    (param_split / "lq" / "000000000002.png").write_bytes(b"not a png")
    digest = hashlib.sha256(b"not a png").hexdigest()
    edit_manifest(param_split, lambda rows: [{**row, "lq_sha256": digest} if row["id"] == "000000000002" else row
                                             for row in rows])
    code = main(["--method", "bicubic", "--split", "synthetic-param", "--splits-dir", str(tmp_path / "splits"),
                 "--runs-dir", str(tmp_path / "runs"), "--batch-size", "2"])
    assert code == 1
    run_dir = tmp_path / "runs/synthetic-param/bicubic/both"
    failures = [json.loads(line) for line in (run_dir / "failures.jsonl").read_text().splitlines()]
    assert [entry["id"] for entry in failures] == ["000000000002"]
    saved = read_json(run_dir / "run.json")
    assert saved["n_done"] == 3 and saved["n_failed"] == 1 and saved["status"] == "incomplete"
    assert not (run_dir / "summary.json").exists()  # a partial run is not scored
    assert "1 item(s) failed" in capsys.readouterr().err


@pytest.mark.parametrize(("policy", "semantic", "restoration"), [
    ("none", False, None), ("semantic", True, None), ("restoration", False, "full"),
    ("both", True, "full"), ("both-type-only", True, "type"), ("blind", False, "blind"),
])
def test_prompt_policies_feed_what_the_table_says(param_split, policy, semantic, restoration):
    from tests.tiny_splits import manifest_frame
    from tipbench.contracts.split_folder import read_split_folder
    from tipbench.run.loop import ItemFeed

    frame = manifest_frame(param_split).sort_values("index")
    split = read_split_folder(param_split)
    feed = ItemFeed(split.path, policy)
    assert [row.id for row in split.rows] == list(frame["id"])
    for item, row in zip(split.rows, frame.itertuples()):
        request = feed(item)
        assert request["semantic_prompt"] == (row.semantic_prompt if semantic else "")
        expected = {None: "", "full": row.restoration_prompt, "type": row.restoration_prompt_type,
                    "blind": "Remove all degradation"}[restoration]
        assert request["restoration_prompt"] == expected
        assert request["out_size"] == (64, 64) and request["lq"].shape == (row.height_lq, row.width_lq, 3)


def test_seeds_follow_protocol_section_2(param_split):
    from tipbench.contracts.split_folder import read_split_folder
    from tipbench.run.loop import ItemFeed
    from tipbench.seeding import restorer_seed

    feed = ItemFeed(param_split, "both")
    seeds = [feed(row)["seed"] for row in read_split_folder(param_split).rows]
    assert seeds == [restorer_seed(0, i) for i in range(4)] and len(set(seeds)) == 4


def test_missing_weights_stop_the_run_before_any_output(tmp_path, param_split, monkeypatch, capsys):
    monkeypatch.setenv("TIPBENCH_WEIGHTS", str(tmp_path / "empty"))
    code = main(["--method", "swinir", "--split", "synthetic-param", "--splits-dir", str(tmp_path / "splits"),
                 "--runs-dir", str(tmp_path / "runs")])
    assert code == 1
    err = capsys.readouterr().err
    assert error_text(err).startswith("error: ") and "SwinIR-M_x4_GAN.pth" in err and "github.com/JingyunLiang" in err
    assert not (tmp_path / "runs").exists()


def test_list_shows_every_method_and_readiness(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("TIPBENCH_WEIGHTS", str(tmp_path))
    monkeypatch.delenv("TIPBENCH_STABLESR_REPO", raising=False)
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    from tipbench.methods import METHODS

    for key in METHODS.names():
        assert key in out
    lines = {line.split()[0]: line for line in out.splitlines() if line.strip()}
    assert lines["classical-prompted"].endswith("ready") and "not ready" in lines["stablesr"]


def test_list_imports_no_torch():
    import subprocess
    import sys

    code = "import sys; from tipbench.run import list_methods; list_methods(); print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_usage_errors(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["--method", "bicubic"])
    assert info.value.code == 2
    assert main(["--method", "nope", "--split", "x", "--splits-dir", str(tmp_path)]) == 1
    assert "unknown method `nope`" in capsys.readouterr().err


def test_run_config_round_trip_and_validation():
    from tipbench.errors import ConfigError

    config = RunConfig(method="bicubic", split="s", options=(("a", "1"),), limit=3)
    assert RunConfig.from_dict(json.loads(json.dumps(config.to_dict()))) == config
    with pytest.raises(ConfigError, match="unknown RunConfig key"):
        RunConfig.from_dict({**config.to_dict(), "bogus": 1})
    with pytest.raises(ConfigError, match="prompt policy"):
        RunConfig(method="bicubic", split="s", prompts="all")
    with pytest.raises(ConfigError, match="positive integer"):
        RunConfig(method="bicubic", split="s", limit=0)


def test_corrupt_manifest_is_a_one_line_error(tmp_path, param_split, capsys):
    (param_split / "manifest.parquet").write_bytes(b"junk")
    code = main(["--method", "bicubic", "--split", "synthetic-param", "--splits-dir", str(tmp_path / "splits"),
                 "--runs-dir", str(tmp_path / "runs"), "--no-score"])
    err = capsys.readouterr().err
    assert code == 1
    assert error_text(err).startswith("error: ") and "manifest.parquet" in err and "Traceback" not in err


def test_help_keeps_examples_on_their_lines_and_no_default_none(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["--help"])
    out = capsys.readouterr().out
    assert exc.value.code == 0
    assert "(default: None)" not in out and "(default: False)" not in out
    assert "\n  python -m tipbench.run --list\n" in out
    assert "prompt policy, what each item is fed (contracts §2.2; default:" in " ".join(out.split())
