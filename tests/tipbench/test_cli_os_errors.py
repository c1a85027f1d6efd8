"""Every entry point turns a file-system failure (here: an output folder below a regular file) into one
`error: …` line and exit 1 (contracts §6), never a traceback."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

from tests.conftest import error_text
from tipbench.build import BuildConfig, build_split


@pytest.fixture(scope="module")
def sample_split(tmp_path_factory: pytest.TempPathFactory) -> Path:
    splits = tmp_path_factory.mktemp("splits")
    build_split(BuildConfig(split="coco-param", out=str(splits), limit=2, progress=False))
    return splits


def _argv(name: str, splits: Path, blocked: Path) -> list[str]:
    item = sorted((splits / "coco-param" / "gt").glob("*.png"))[0].stem
    return {
        "tipbench.run": ["--method", "bicubic", "--split", "coco-param", "--splits-dir", str(splits),
                         "--runs-dir", str(blocked), "--no-score", "-q"],
        "tipbench.publish": ["--split", "coco-param", "--splits-dir", str(splits), "--out", str(blocked), "-q"],
        "data_recipes.shards": ["sample-train", "--out", str(blocked), "--num-samples", "1", "-q"],
        "tipbench.figures": ["walk", "-m", "classical-prompted", "--split", "coco-param", "--splits-dir",
                                    str(splits), "--id", item, "--out", str(blocked / "walk.png")],
    }[name]


@pytest.mark.parametrize("module", ["tipbench.run", "tipbench.publish", "data_recipes.shards",
                                    "tipbench.figures"])
def test_unwritable_output_is_a_one_line_error(module, sample_split, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    (tmp_path / "file").write_text("a file, not a folder")
    main = importlib.import_module(module).main
    assert main(_argv(module, sample_split, tmp_path / "file" / "out")) == 1
    err = capsys.readouterr().err
    assert error_text(err).startswith("error: ") and "Traceback" not in err and str(tmp_path / "file") in err
