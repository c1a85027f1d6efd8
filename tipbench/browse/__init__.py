"""Results browser (`python -m tipbench.browse`): a static site of a split and every scored run of it, side by side.

* `config` — `BrowseConfig`;
* `cli` — the command line;
* `make` — `build_site`: read, thumbnail, write;
* `collect` — the runs shown, their per-item scores and the leaderboard's marks;
* `thumbs` — thumbnails made once and reused;
* `payload` — the data the page reads (`data/site.js`, the item details);
* `site` — the site folder's layout, run links, and the marker the leaderboard's HTML links through;
* `assets/` — the page itself (plain HTML, CSS and JavaScript; nothing from the network).
"""

from __future__ import annotations

from tipbench.browse.config import BrowseConfig
from tipbench.registry import lazy_attributes

__all__ = ["BrowseConfig", "build_parser", "build_site", "main"]

__getattr__ = lazy_attributes(__name__, {"build_site": "tipbench.browse.make", "build_parser": "tipbench.browse.cli",
                                         "main": "tipbench.browse.cli"})
