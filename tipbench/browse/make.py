"""`build_site`: a static results browser of one split and its scored runs, written under `config.out`.

The site references the split's and the runs' images where they are (relative links; nothing is copied but the
thumbnails), so it opens from file:// on the machine holding the data, with no server and nothing downloaded.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from tipbench.browse.collect import SiteRun, collect_site_runs
from tipbench.browse.config import BrowseConfig
from tipbench.browse.site import (
    ASSETS_DIR,
    DATA_DIR,
    INDEX_HTML,
    ITEMS_DIR,
    LEADERBOARD_HTML,
    SITE_JS,
    check_out_folder,
    chunk_name,
    position_name,
    thumb_dir,
    write_site_marker,
)
from tipbench.browse.thumbs import ThumbJob, make_thumbnails, thumb_suffix
from tipbench.contracts.split_folder import SplitFolder
from tipbench.errors import ConfigError
from tipbench.io import atomic_write_bytes

logger = logging.getLogger(__name__)

#: The page's files, shipped as package data in `tipbench/browse/assets/`: index.html goes to the site's root.
ASSET_FILES = ("browse.css", "common.js", "index.js", "item.js", "viewer.js")


@dataclass(frozen=True)
class SiteResult:
    """What a build wrote: the page, how many items and runs it shows, and the thumbnail work done."""

    index: Path
    n_items: int
    runs: tuple[str, ...]
    thumbs_made: int
    thumbs_reused: int


def _asset(name: str) -> bytes:
    from importlib.resources import files

    return files("tipbench.browse").joinpath("assets", name).read_bytes()


def _write_if_changed(path: Path, data: bytes) -> None:
    """Leave identical files untouched (their mtime too), so a rebuild changes only what changed."""
    if path.is_file() and path.read_bytes() == data:
        return
    atomic_write_bytes(path, data)


def _thumb_jobs(split: SplitFolder, runs: list[SiteRun], suffix: str) -> list[ThumbJob]:
    jobs = []
    for position, row in enumerate(split.rows):
        name = position_name(position) + suffix
        jobs.append(ThumbJob(split.image(row, "gt"), f"{thumb_dir('gt')}/{name}"))
        jobs.append(ThumbJob(split.image(row, "lq"), f"{thumb_dir('lq')}/{name}"))
        for run in runs:
            if run.present[position]:
                jobs.append(ThumbJob(run.outputs[position], f"{thumb_dir(run.site_key)}/{name}"))
    return jobs


def _write_data(out: Path, split: SplitFolder, runs: list[SiteRun], sizes: dict[str, tuple[int, int]],
                config: BrowseConfig, suffix: str) -> None:
    from tipbench.browse.payload import chunks, item_details, js_call, site_data

    data = site_data(split, runs, out, sizes, page_size=config.page_size, suffix=suffix)
    _write_if_changed(out / DATA_DIR / SITE_JS, js_call("TIPBENCH_SITE", data))
    written = set()
    for index, script in enumerate(chunks(item_details(split, runs, out, sizes, suffix))):
        _write_if_changed(out / DATA_DIR / ITEMS_DIR / chunk_name(index), script)
        written.add(chunk_name(index))
    for stale in (out / DATA_DIR / ITEMS_DIR).glob("*.js"):
        if stale.name not in written:
            stale.unlink()


def build_site(config: BrowseConfig) -> SiteResult:
    """Write the results browser of `config.split` to `config.out`; returns what was written.

    Raises:
        ManifestError: the split folder is missing or unreadable.
        ConfigError: `--runs-dir` does not exist, a `--methods` entry has no run, `out` holds another index.html.
    """
    from tipbench import paths
    from tipbench.browse.payload import run_links
    from tipbench.contracts.split_folder import read_split_folder

    split = read_split_folder(paths.splits_dir(config.splits_dir) / config.split)
    if config.runs_dir and not Path(config.runs_dir).is_dir():
        raise ConfigError(f"runs dir `{config.runs_dir}` does not exist (omit --runs-dir for $TIPBENCH_HOME/runs)")
    runs = collect_site_runs(split, paths.runs_dir(config.runs_dir), config.methods)
    out = Path(config.out)
    check_out_folder(out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = thumb_suffix(config.thumb_format)
    thumbs = make_thumbnails(out, _thumb_jobs(split, runs, suffix), max_side=config.thumb_size,
                             fmt=config.thumb_format, workers=config.workers, progress=config.progress)
    for name in ASSET_FILES:
        _write_if_changed(out / ASSETS_DIR / name, _asset(name))
    _write_data(out, split, runs, thumbs.sizes, config, suffix)
    write_site_marker(out, split.name, run_links(runs))
    _write_if_changed(out / INDEX_HTML, _asset(INDEX_HTML))
    logger.info("%d item(s), %d run(s); thumbnails: %d made, %d reused", len(split.rows), len(runs), thumbs.made,
                thumbs.reused)
    if (out / LEADERBOARD_HTML).is_file():
        logger.info("%s is in this folder: (re)write it with `python -m tipbench.leaderboard --out %s` to link its "
                    "cells to these runs", LEADERBOARD_HTML, out)
    return SiteResult(out / INDEX_HTML, len(split.rows), tuple(run.site_key for run in runs), thumbs.made,
                      thumbs.reused)
