"""The subprocess adapters against upstream truth: every flag and value they can emit, for every option value, is one
the recorded upstream script accepts (`upstream_flags/*.json`, read from the pinned commits), and the stand-ins parse
with exactly those flags."""

from __future__ import annotations

import shlex
import subprocess
import sys

import numpy as np
import pytest
from baseline_helpers import argv_problems, make_clone, upstream_record

from baselines.diffbir import VERSION_SETTINGS
from baselines.diffbir_sdedit import STRENGTH_BY_VARIANT
from baselines.stablesr import COLORFIX
from tipbench.methods import DIFFBIR_CLONE, METHODS, STABLESR_CLONE, RestorerOptions, load_restorer
from tipbench.weights import get_spec

#: Every option value of every subprocess adapter: (method, variant, extra options). Built from the adapters' own
#: tables, so a new colour fix, version or variant is enumerated without touching this test.
CASES = (
    [("stablesr", None, (("colorfix", value),)) for value in COLORFIX]
    + [("stablesr", None, (("ddpm_steps", "50"), ("dec_w", "0.0")))]
    + [("diffbir", variant, ()) for variant in (None, *VERSION_SETTINGS)]
    + [("diffbir", "v2", (("steps", "20"), ("cfg_scale", "2.5")))]
    + [("diffbir-clip", variant, ()) for variant in (None, *VERSION_SETTINGS)]
    + [("diffbir-sdedit", variant, (("sdedit_steps", "5"),)) for variant in STRENGTH_BY_VARIANT]
)


class _IdentityImg2Img:
    """Img2img that returns its input (for the SDEdit cases, whose command line is what is checked here)."""

    def __call__(self, *, image, **_):
        from types import SimpleNamespace

        return SimpleNamespace(images=[np.asarray(image, dtype=np.float32) / 255.0])


def _items():
    """The README's 128 → 512 case, a ×4 case of another size and a pre-resized one (other factor)."""
    rng = np.random.default_rng(0)
    sizes = (((128, 128), (512, 512)), ((16, 16), (64, 64)), ((20, 24), (64, 64)))
    return [{"lq": rng.integers(0, 256, (*lq, 3), dtype=np.uint8), "semantic_prompt": f"caption {i}",
             "restoration_prompt": "", "out_size": out, "seed": 7 + i} for i, (lq, out) in enumerate(sizes)]


def test_every_subprocess_method_is_enumerated():
    with_clone = {key for key in METHODS.names() if METHODS.get(key).clone is not None}
    assert {method for method, _, _ in CASES} == with_clone
    for method in with_clone:
        variants = {variant for m, variant, _ in CASES if m == method}
        assert set(METHODS.get(method).variants) <= variants


def test_recorded_commits_and_scripts_are_the_ones_the_adapters_name():
    for clone in (STABLESR_CLONE, DIFFBIR_CLONE):
        record = upstream_record(clone)
        assert record["commit"] == clone.checked_commit and len(record["commit"]) == 40
        assert set(clone.scripts) <= set(record["scripts"])
        assert record["url"] == clone.source


@pytest.fixture
def subprocess_setup(stablesr_clone, diffbir_clone, weights_dir, monkeypatch):
    """Both fake clones, and for SDEdit an `sd15` entry with an identity img2img (its command line is DiffBIR's; the
    img2img stage is tested in test_sdedit_standin)."""
    sd15 = weights_dir / "sd15" / get_spec("sd15").file_name
    sd15.mkdir(parents=True)
    (sd15 / "model_index.json").write_text("{}")
    monkeypatch.setattr("baselines.diffbir_sdedit.load_img2img", lambda folder, device: _IdentityImg2Img())


@pytest.mark.parametrize(("method", "variant", "extra"), CASES)
def test_every_emitted_flag_exists_upstream(method, variant, extra, subprocess_setup, tmp_path):
    """Every command line the adapter builds, for each item kind (each call plan), is one upstream accepts."""
    restorer = load_restorer(method, options=RestorerOptions(variant=variant, extra=extra))
    record = upstream_record(restorer.clone)
    scripts = set()
    for item in _items():
        _, plan = restorer.plan(item["lq"], item["out_size"])
        argv = restorer.argv(tmp_path / "in", tmp_path / "out", plan=plan, seed=item["seed"],
                             semantic_prompt=item["semantic_prompt"] if restorer.uses_semantic_prompt else "")
        assert argv_problems(record, argv) == []
        scripts.add(plan.script)
    assert scripts == set(restorer.clone.scripts)  # StableSR's README script and its tile script both checked


@pytest.mark.parametrize("method", ["stablesr", "diffbir", "diffbir-clip", "diffbir-sdedit"])
def test_the_stand_ins_accept_what_the_adapters_run(method, subprocess_setup):
    restorer = load_restorer(method, options=RestorerOptions(batch_size=4))
    outputs = restorer.restore_batch(_items())  # the stand-in parses with upstream's flags: a bad one exits 2
    assert [out.shape for out in outputs] == [item["out_size"] + (3,) for item in _items()]
    record = upstream_record(restorer.clone)
    commands = [shlex.split(command) for command in restorer.describe()["command"]]
    assert commands and all(argv_problems(record, argv) == [] for argv in commands)


def test_the_checker_and_the_stand_in_refuse_what_upstream_lacks(stablesr_clone, tmp_path):
    record = upstream_record(STABLESR_CLONE)
    tile = STABLESR_CLONE.entry
    assert argv_problems(record, ["python", tile, "--nocolor"]) == [f"{tile} has no flag `--nocolor`"]
    assert "upstream accepts" in argv_problems(record, ["python", tile, "--colorfix_type", "nocolor"])[0]
    old = STABLESR_CLONE.other_scripts[0]
    assert argv_problems(record, ["python", old, "--upscale", "4"]) == [f"{old} has no flag `--upscale`"]
    (tmp_path / "in").mkdir()
    for bad in (["--nocolor"], ["--colorfix_type", "nocolor"]):
        run = subprocess.run([sys.executable, tile, "--init-img", str(tmp_path / "in"), "--outdir",
                              str(tmp_path / "out"), *bad], cwd=stablesr_clone, capture_output=True, text=True)
        assert run.returncode == 2 and ("unrecognized arguments" in run.stderr or "invalid choice" in run.stderr)


def test_stand_in_flags_come_from_the_record_not_the_adapter(tmp_path):
    clone = make_clone(tmp_path / "DiffBIR", DIFFBIR_CLONE)
    (tmp_path / "in").mkdir()
    help_text = subprocess.run([sys.executable, "inference.py", "--help"], cwd=clone, capture_output=True,
                               text=True, check=True).stdout
    # flags the adapter never emits are there too, because they are upstream's
    assert "--cldm_tiled" in help_text and "--llava_bit" in help_text and "v2.1" in help_text
