"""The results browser's files (what `python -m tipbench.browse` writes), without a browser: every item and every
scored run, the leaderboard's marks, the prompts each policy fed, thumbnails made once, one-line errors, and the
leaderboard's links. The page itself is driven in a real browser by test_browse_browser.py (`-m browser`)."""

from __future__ import annotations

import logging
import os
import shutil
from pathlib import Path
from urllib.parse import unquote

import pytest
from browse_fixtures import read_items, read_site, write_scored_run
from PIL import Image

from tests.conftest import error_text
from tests.tiny_splits import make_param_split
from tipbench.browse import BrowseConfig, build_site
from tipbench.browse.cli import main
from tipbench.contracts.scores import read_scores
from tipbench.contracts.split_folder import read_split_folder
from tipbench.errors import ConfigError

N = 5


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """A 5-item split and its runs: two full scored runs (one with random weights), a `--limit 3` run, an unscored
    run, and a run made from another build of the split. Shared: each test writes its own site folder."""
    tmp_path = tmp_path_factory.mktemp("browse")
    split_dir = make_param_split(tmp_path / "splits", "coco-param", n=N, size=48)
    runs = tmp_path / "runs"
    write_scored_run(runs, split_dir, method="bicubic", prompts="none", seed=1)
    write_scored_run(runs, split_dir, method="classical-prompted", prompts="both", weights="random", seed=2,
                     ignored_prompts=("semantic",))
    write_scored_run(runs, split_dir, method="classical-prompted", prompts="restoration", n_outputs=3, seed=3)
    write_scored_run(runs, split_dir, method="swinir", prompts="none", scored=False)
    write_scored_run(runs, split_dir, method="tip", prompts="both", manifest_sha256="0" * 64)
    return tmp_path, split_dir, runs


def _build(tmp_path: Path, out: str = "site", **options) -> tuple[Path, object]:
    config = BrowseConfig(split="coco-param", out=str(tmp_path / out), splits_dir=str(tmp_path / "splits"),
                          runs_dir=str(tmp_path / "runs"), progress=False, **options)
    return Path(config.out), build_site(config)


def test_every_item_and_every_scored_run_with_its_scores_and_marks(data, caplog):
    caplog.set_level(logging.INFO, logger="tipbench")
    tmp_path, split_dir, runs = data
    site_dir, result = _build(tmp_path)
    site = read_site(site_dir)
    split = read_split_folder(split_dir)
    assert site["items"]["id"] == list(split.ids) and site["split"]["n"] == N
    assert site["items"]["cs"] == [row.semantic_prompt for row in split.rows]
    keys = [run["key"] for run in site["runs"]]
    # unscored (swinir) and other-build (tip) runs are left out, and the log says why
    assert keys == ["bicubic/none", "classical-prompted/restoration", "classical-prompted/both"]  # policy table order
    assert "not scored yet" in caplog.text and "another build" in caplog.text
    assert result.runs == tuple(keys)
    marks = {run["key"]: {m["code"] for m in run["marks"]} for run in site["runs"]}
    assert marks == {"bicubic/none": {"not-paper-data", "small-n"},
                     "classical-prompted/both": {"not-paper-data", "random-weights", "small-n"},
                     "classical-prompted/restoration": {"not-paper-data", "small-n"}}
    assert {m["symbol"] for m in site["marks"].values()} == {"†", "‡", "§"}
    for run in site["runs"]:
        ids, columns = read_scores(runs / "coco-param" / run["key"])
        shown = dict(zip(site["items"]["id"], run["scores"]["psnr"]))
        for item_id, value in zip(ids, columns["psnr"]):
            assert shown[item_id] == pytest.approx(value, abs=1e-5)
    limited = site["runs"][1]
    assert limited["missing"] == [3, 4] and limited["scores"]["psnr"][3:] == [None, None]
    assert [m["name"] for m in site["metrics"]] == ["psnr", "ssim", "lpips"]
    assert site["card_metrics"] == ["psnr", "ssim", "lpips"]
    assert site["runs"][2]["ignored"] == ["semantic"]


def test_items_name_their_images_and_the_prompts_each_policy_fed(data):
    tmp_path, split_dir, runs = data
    site_dir, _ = _build(tmp_path, "items")
    split = read_split_folder(split_dir)
    items = read_items(site_dir)
    assert [item["id"] for item in items] == list(split.ids)
    for row, item in zip(split.rows, items):
        assert item["fed"] == {"none": ["", ""], "both": [row.semantic_prompt, row.restoration_prompt],
                               "restoration": ["", row.restoration_prompt]}
        assert item["cr"] == row.restoration_prompt
        params = row.params_dict()
        assert item["params"] == {key: str(value) if isinstance(value, int) and value > 2**53 else value
                                  for key, value in params.items()}  # 64-bit noise seeds: text for JavaScript
        for image, path in ((item["gt"], split.image(row, "gt")), (item["lq"], split.image(row, "lq"))):
            assert (site_dir / unquote(image["href"])).resolve() == path.resolve()
            with Image.open(path) as opened:
                assert (image["w"], image["h"]) == opened.size
        for out, key in zip(item["out"], ("bicubic/none", "classical-prompted/restoration", "classical-prompted/both")):
            if key.endswith("restoration") and item["pos"] >= 3:
                assert out is None  # the --limit 3 run restored the first three only
            else:
                assert (site_dir / unquote(out["href"])).resolve() == (runs / "coco-param" / key / "out" /
                                                                        f"{row.id}.png").resolve()
    site = read_site(site_dir)
    for run in site["runs"]:
        assert (site_dir / unquote(run["run_json"])).is_file() and (site_dir / unquote(run["summary_json"])).is_file()


def test_thumbnails_are_small_made_once_and_remade_only_when_their_image_changes(data, tmp_path):
    shutil.copytree(data[0] / "splits", tmp_path / "splits")
    shutil.copytree(data[0] / "runs", tmp_path / "runs")  # this test changes an output
    split_dir, runs = tmp_path / "splits" / "coco-param", tmp_path / "runs"
    site_dir, first = _build(tmp_path)
    thumbs = sorted((site_dir / "thumbs").rglob("*.jpg"))
    assert first.thumbs_made == len(thumbs) == N * 2 + N + N + 3 and first.thumbs_reused == 0
    umask = os.umask(0)
    os.umask(umask)
    for path in thumbs:
        with Image.open(path) as image:
            assert image.format == "JPEG" and max(image.size) <= 256
        assert path.stat().st_mode & 0o777 == 0o666 & ~umask  # what a plain open() gives
    stamps = {path: path.stat().st_mtime_ns for path in thumbs}
    site_js = (site_dir / "data" / "site.js").read_bytes()
    _, second = _build(tmp_path)
    assert (second.thumbs_made, second.thumbs_reused) == (0, len(thumbs))
    assert {path: path.stat().st_mtime_ns for path in thumbs} == stamps
    assert (site_dir / "data" / "site.js").read_bytes() == site_js
    changed = runs / "coco-param" / "bicubic" / "none" / "out" / f"{read_split_folder(split_dir).ids[1]}.png"
    Image.new("RGB", (48, 48), (255, 0, 0)).save(changed)
    os.utime(changed, ns=(changed.stat().st_atime_ns, changed.stat().st_mtime_ns + 10**9))
    (site_dir / "thumbs" / "gt" / "000002.jpg").write_bytes(b"")  # as a crash before its data reached the disk
    _, third = _build(tmp_path)
    assert (third.thumbs_made, third.thumbs_reused) == (2, len(thumbs) - 2)
    with Image.open(site_dir / "thumbs" / "gt" / "000002.jpg") as image:
        assert image.size == (48, 48)
    with Image.open(site_dir / "thumbs" / "runs" / "bicubic" / "none" / "000001.jpg") as image:
        red, green, blue = image.convert("RGB").getpixel((10, 10))
        assert red > 200 and green < 60 and blue < 60
    _, smaller = _build(tmp_path, thumb_size=32, thumb_format="webp")  # other settings: all remade
    assert smaller.thumbs_made == len(thumbs) and not list((site_dir / "thumbs").rglob("*.jpg"))
    for path in (site_dir / "thumbs").rglob("*.webp"):
        with Image.open(path) as image:
            assert image.format == "WEBP" and max(image.size) <= 32


@pytest.mark.slow
def test_the_bytes_do_not_depend_on_the_worker_count(data):
    tmp_path, _, _ = data
    one, _ = _build(tmp_path, "one", workers=0)
    two, _ = _build(tmp_path, "two", workers=2)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file() and p.name != "cache.json")
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file() and p.name != "cache.json")
    for relative in files:
        assert (one / relative).read_bytes() == (two / relative).read_bytes(), relative


def test_methods_filter_and_its_errors(data, capsys):
    tmp_path, _, _ = data
    site_dir, result = _build(tmp_path, "filtered", methods=("bicubic",))
    assert result.runs == ("bicubic/none",)
    base = ["--split", "coco-param", "--splits-dir", str(tmp_path / "splits"), "--runs-dir", str(tmp_path / "runs"),
            "--workers", "0"]
    assert main([*base, "--methods", "bicubic,nope", "--out", str(tmp_path / "x")]) == 1
    err = error_text(capsys.readouterr().err)
    assert "no run of nope" in err and "classical-prompted" in err and "bicubic" in err
    assert main([*base, "--methods", "swinir", "--out", str(tmp_path / "x")]) == 1  # present but unscored
    assert "none of the runs of swinir" in error_text(capsys.readouterr().err)


def test_user_mistakes_are_one_line_errors(data, capsys):
    tmp_path, _, _ = data
    splits, runs = str(tmp_path / "splits"), str(tmp_path / "runs")
    out = str(tmp_path / "cli")
    assert main(["--split", "coco-nope", "--splits-dir", splits, "--runs-dir", runs, "--out", out]) == 1
    assert "does not exist" in error_text(capsys.readouterr().err)
    assert main(["--split", "coco-param", "--splits-dir", splits, "--runs-dir", str(tmp_path / "no"), "--out",
                 out]) == 1
    assert "runs dir" in error_text(capsys.readouterr().err)
    foreign = tmp_path / "mine"
    foreign.mkdir()
    (foreign / "index.html").write_text("<p>my page</p>")
    assert main(["--split", "coco-param", "--splits-dir", splits, "--runs-dir", runs, "--out", str(foreign)]) == 1
    assert "not a tipbench results browser" in error_text(capsys.readouterr().err)
    assert (foreign / "index.html").read_text() == "<p>my page</p>"
    assert main(["--split", "coco-param", "--splits-dir", splits, "--out", out, "--thumb-size", "512"]) == 1
    assert "thumbnail size" in error_text(capsys.readouterr().err)
    with pytest.raises(ConfigError, match="cannot be a folder name"):
        BrowseConfig(split="../x", out=out)
    assert main(["--split", "coco-param", "--splits-dir", splits, "--runs-dir", runs, "--out", out,
                 "--workers", "0", "--no-progress"]) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out}")


def test_the_leaderboard_links_filled_cells_to_runs_shown_in_the_same_folder(data):
    from leaderboard.config import LeaderboardConfig
    from leaderboard.make import build_leaderboard

    tmp_path, _, runs = data
    plain = build_leaderboard(LeaderboardConfig(runs_dir=str(runs), out=str(tmp_path / "alone"), tables=("1",),
                                                formats=("html",)))["html"].read_text()
    assert "<a href" not in plain
    site_dir, _ = _build(tmp_path, "lb/coco-param")
    html = build_leaderboard(LeaderboardConfig(runs_dir=str(runs), out=str(site_dir), tables=("1",),
                                               formats=("html", "md")))["html"].read_text()
    assert html.count('<a href="index.html#run=bicubic%2Fnone">') == 3  # its filled cells: PSNR, SSIM, LPIPS
    assert "swinir%2Fnone" not in html and "tip%2Fboth" not in html  # not shown by the site: no link
    nested = build_leaderboard(LeaderboardConfig(runs_dir=str(runs), out=str(tmp_path / "lb"), tables=("1",),
                                                 formats=("html",)))["html"].read_text()
    assert nested.count('<a href="coco-param/index.html#run=bicubic%2Fnone">') == 3


def test_assets_ship_as_package_data():
    """Every file the page needs matches the wheel's package-data patterns (tests/test_layout's tree: assets/ is a
    namespace package under tipbench.browse, found by setuptools' discovery)."""
    from fnmatch import fnmatch

    from tipbench.browse.make import ASSET_FILES
    from tipbench.browse.site import INDEX_HTML

    tomllib = pytest.importorskip("tomllib")  # Python ≥ 3.11

    root = Path(__file__).resolve().parents[3]
    config = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["setuptools"]
    patterns = config["package-data"]["*"]
    assets = root / "tipbench" / "browse" / "assets"
    assert sorted(p.name for p in assets.iterdir() if p.is_file()) == sorted((*ASSET_FILES, INDEX_HTML))
    for name in (*ASSET_FILES, INDEX_HTML):
        assert any(fnmatch(name, pattern) for pattern in patterns), name
    assert any(fnmatch("tipbench.browse.assets", pattern) for pattern in config["packages"]["find"]["include"])


def test_an_interrupted_build_keeps_the_thumbnails_it_made(data, tmp_path, monkeypatch):
    import tipbench.browse.thumbs as thumbs

    real, calls = thumbs.render_thumbnail, []

    def ctrl_c_at_the_fifth(*args):
        calls.append(args)
        if len(calls) == 5:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(thumbs, "render_thumbnail", ctrl_c_at_the_fifth)
    with pytest.raises(KeyboardInterrupt):
        _build(data[0], str(tmp_path / "site"))
    monkeypatch.setattr(thumbs, "render_thumbnail", real)
    _, resumed = _build(data[0], str(tmp_path / "site"))
    assert resumed.thumbs_reused == 4 and resumed.thumbs_made == N * 2 + N + N + 3 - 4
