"""The results browser's folder (one home for its file names): what `tipbench.browse` writes under `--out`, how a
page names a run, and the marker (`browse.json`) through which the leaderboard finds a site beside its HTML.

Layout of a site folder:

    index.html                     the page (plain HTML/CSS/JS, works from file://)
    assets/                        browse.css and the scripts, copied from the package
    data/site.js                   the split, its runs and every per-item score (one `<script>`)
    data/items/<chunk>.js          item details (images, fed prompts, params), CHUNK items per file, loaded on demand
    thumbs/{gt,lq}/<pos>.jpg       thumbnails (≤ 256 px), made once and reused while their source is unchanged
    thumbs/runs/<method>/<prompts>[@<variant>]/<pos>.jpg
    thumbs/cache.json              what each thumbnail was made from (path, size, mtime, settings)
    browse.json                    the split and the runs the site shows, for the leaderboard's links

`<pos>` is the item's position in the split's seeded order (zero-padded), so no id ever becomes a path.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote

from tipbench.contracts.run_folder import RunKey
from tipbench.errors import ConfigError, ManifestError
from tipbench.io import read_json, write_json

logger = logging.getLogger(__name__)

INDEX_HTML = "index.html"
SITE_JSON = "browse.json"
ASSETS_DIR = "assets"
DATA_DIR = "data"
SITE_JS = "site.js"
ITEMS_DIR = "items"
THUMBS_DIR = "thumbs"
THUMB_CACHE = "cache.json"
#: Items per detail file: few files to write, and opening an item loads its neighbours' details with it.
CHUNK = 100
#: The site's own format; bumped when data/site.js changes shape.
SITE_VERSION = 1
#: The leaderboard's HTML, when written to the same folder (`leaderboard.make.FORMATS["html"]`).
LEADERBOARD_HTML = "leaderboard.html"


def run_site_key(key: RunKey) -> str:
    """How a page names a run within its split: `<method>/<prompts>[@<variant>]` (also its thumbnails' folder).

    >>> run_site_key(RunKey("coco-param", "tip", "both", "no-param"))
    'tip/both@no-param'
    """
    return f"{key.method}/{key.leaf}"


def run_view_href(site_key: str) -> str:
    """The page showing one run (its outputs as thumbnails, its marks and files), relative to the site folder.

    >>> run_view_href("tip/both@no-param")
    'index.html#run=tip%2Fboth%40no-param'
    """
    return f"{INDEX_HTML}#run={quote(site_key, safe='')}"


def position_name(position: int) -> str:
    """The file stem of an item's thumbnails: its zero-padded position in the split's order."""
    return f"{position:06d}"


def chunk_name(chunk: int) -> str:
    return f"{chunk:04d}.js"


def thumb_dir(panel: str) -> str:
    """Thumbnail folder (relative to the site) of `gt`, `lq` or a run's site key."""
    return f"{THUMBS_DIR}/{panel}" if panel in ("gt", "lq") else f"{THUMBS_DIR}/runs/{panel}"


def href(target: str | os.PathLike, site_dir: str | os.PathLike) -> str:
    """A link from the site folder to a file outside it: relative (the site keeps working when the data folder and
    the site move together), or a file:// URI where no relative path exists (another drive)."""
    target = Path(target).resolve()
    try:
        relative = os.path.relpath(target, Path(site_dir).resolve())
    except ValueError:
        return target.as_uri()
    return quote(Path(relative).as_posix(), safe="/")


class Linker:
    """`href` for many files: each folder is resolved once (a site links 36 000 images; resolving every path would
    cost more than the rest of a rebuild)."""

    def __init__(self, site_dir: str | os.PathLike) -> None:
        self.site_dir = Path(site_dir).resolve()
        self.folders: dict[str, str] = {}

    def __call__(self, target: str | os.PathLike) -> str:
        folder, name = os.path.split(os.fspath(target))
        prefix = self.folders.get(folder)
        if prefix is None:
            prefix = self.folders[folder] = href(folder or ".", self.site_dir)
        return f"{prefix}/{quote(name)}"


def check_out_folder(out: Path) -> None:
    """Refuse to write a site over a folder holding another `index.html` (anything else there is left alone)."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out `{out}` is a file, not a folder")
    if (out / INDEX_HTML).exists() and not (out / SITE_JSON).is_file():
        raise ConfigError(f"`{out / INDEX_HTML}` exists and is not a tipbench results browser; choose another --out")


def write_site_marker(out: Path, split: str, runs: list[dict[str, Any]]) -> None:
    """browse.json: the split and, per run shown, its identity (split, method, variant, prompts) and page."""
    write_json(out / SITE_JSON, {"split": split, "version": SITE_VERSION, "runs": runs})


def site_links(folder: str | os.PathLike) -> dict[tuple[str, str, str | None, str], str]:
    """Run identity `(split, method, variant, prompts)` → link to its page, relative to `folder`, for every site
    written to `folder` itself or to one of its direct subfolders (one site per split)."""
    folder = Path(folder)
    markers = [folder / SITE_JSON, *sorted(folder.glob(f"*/{SITE_JSON}"))] if folder.is_dir() else []
    links: dict[tuple[str, str, str | None, str], str] = {}
    for marker in markers:
        if not marker.is_file():
            continue
        try:
            data = read_json(marker)
            prefix = "" if marker.parent == folder else quote(marker.parent.name, safe="") + "/"
            for run in data.get("runs") or []:
                key = (str(run["split"]), str(run["method"]), run.get("variant") or None, str(run["prompts"]))
                links.setdefault(key, prefix + str(run["href"]))
        except (ManifestError, AttributeError, KeyError, TypeError) as exc:
            logger.warning("ignoring results browser marker %s: %s", marker, exc)
    return links
