"""Semantic-prompt and comparison grids, and the figures CLI end to end on a small split."""

from __future__ import annotations

import numpy as np
import pytest

from tests.tiny_splits import make_small_split
from tipbench.contracts.split_folder import read_split_folder
from tipbench.figures.cli import main
from tipbench.figures.inputs import read_split_items
from tipbench.figures.panels import compare_grid, restorer_source, run_output_source, semantic_grid
from tipbench.io import decode_png, write_png


@pytest.fixture(scope="module")
def split_dir(tmp_path_factory):
    return make_small_split(tmp_path_factory.mktemp("splits"), "coco-param", n=2, size=96)


def test_semantic_grid_layout(split_dir):
    from baselines.classical_prompted import ClassicalPromptedRestorer

    item = read_split_items(split_dir, [read_split_folder(split_dir).ids[0]])[0]
    figure = semantic_grid(ClassicalPromptedRestorer(), item.lq, ["", "a zebra"],
                           restoration_prompt=item.row.restoration_prompt, out_size=(96, 96))
    assert figure.column_labels == ("input", "(empty prompt)", '"a zebra"')
    assert set(figure.boxes) == {(0, 0), (0, 1), (0, 2)}
    # classical-prompted ignores semantic prompts: both restorations are equal, and differ from the input.
    assert np.array_equal(figure.panel(0, 1), figure.panel(0, 2))
    assert not np.array_equal(figure.panel(0, 0), figure.panel(0, 1))


def test_compare_grid_uses_run_outputs_and_live_restorers(split_dir, tmp_path):
    from baselines.classical_prompted import ClassicalPromptedRestorer

    ids = list(read_split_folder(split_dir).ids)
    items = read_split_items(split_dir, ids)
    run_dir = tmp_path / "run"
    (run_dir / "out").mkdir(parents=True)
    for item in items:
        write_png(run_dir / "out" / f"{item.id}.png", 255 - item.gt)
    figure = compare_grid(items, [("inverted", run_output_source(run_dir)),
                                  ("classical-prompted", restorer_source(ClassicalPromptedRestorer(), "both"))])
    assert figure.row_labels == tuple(ids)
    assert figure.column_labels == ("input", "inverted", "classical-prompted", "GT")
    for r, item in enumerate(items):
        assert np.array_equal(figure.panel(r, 1), 255 - item.gt)
        assert np.array_equal(figure.panel(r, 3), item.gt)
        assert figure.panel(r, 2).shape == item.gt.shape


def test_figures_cli_compare_and_errors(split_dir, tmp_path, capsys):
    out = tmp_path / "compare.png"
    ids = list(read_split_folder(split_dir).ids)
    argv = ["compare", "--split", "coco-param", "--splits-dir", str(split_dir.parent), "--id", ids[0],
            "-m", "classical-prompted", "--runs-dir", str(tmp_path / "none"), "--out", str(out)]
    assert main(argv) == 0
    height, width = decode_png(out).shape[:2]
    assert 3 * 96 < width < 4 * 96 + 200 and 96 < height < 2 * 96  # one row: input, method, GT (+ labels)
    assert main(["walk", "-m", "classical-prompted", "--out", str(out)]) == 1
    assert "exactly one input" in capsys.readouterr().err
    assert main(["walk", "-m", "no-such-method", "--lq", str(out), "--out", str(out)]) == 1
    assert "unknown method" in capsys.readouterr().err


@pytest.mark.parametrize("flag", ["--lq", "--image"])
def test_figures_cli_missing_or_unreadable_input_is_one_line_error(flag, tmp_path, capsys):
    not_an_image = tmp_path / "notes.md"
    not_an_image.write_text("# not an image\n")
    for path, expected in ((tmp_path / "missing.png", "is not a file"), (not_an_image, "is not a readable image")):
        argv = ["walk", "-m", "classical-prompted", flag, str(path), "--out", str(tmp_path / "w.png")]
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert err.startswith(f"error: {flag} `") and expected in err and "Traceback" not in err
