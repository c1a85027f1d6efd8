"""Command line of `python -m tipbench.browse` (contracts §6): parse, build a `BrowseConfig`, call `build_site`."""

from __future__ import annotations

import argparse
import os

from tipbench.browse.config import MAX_THUMB_SIDE, BrowseConfig
from tipbench.cli import add_output_options, progress_enabled, run_command

EPILOG = """\
examples:
  python -m tipbench.browse --split coco-param --out site
  python -m tipbench.browse --split coco-param --methods tip,swinir@l --runs-dir runs/ --out site/coco-param

writes OUT/index.html (open it in a browser: no server, nothing downloaded), OUT/assets/, OUT/data/ and
OUT/thumbs/ (made once, reused while their images are unchanged). Images are linked where they are, not copied.
A leaderboard written to the same folder (or its parent) links each filled cell to its run here.
Exit status: 0 ok, 1 data/config error, 2 bad usage.
"""


def _csv(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tipbench.browse",
        description="A static results browser of one split and every scored run of it: cards to sort and filter, "
                    "and every restoration side by side with synchronised pixel-exact zoom.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = parser.add_argument_group("what to show")
    what.add_argument("--split", required=True, metavar="S", help="split name (a folder under --splits-dir)")
    what.add_argument("--methods", type=_csv, default=(), metavar="M,…",
                      help="only these methods (`method` or `method@variant`; default: every scored run)")
    where = parser.add_argument_group("where")
    where.add_argument("--splits-dir", metavar="D", help="splits root (default $TIPBENCH_HOME/splits)")
    where.add_argument("--runs-dir", metavar="D", help="runs root (default $TIPBENCH_HOME/runs)")
    where.add_argument("--out", required=True, metavar="DIR", help="site folder (index.html and its files)")
    how = parser.add_argument_group("how")
    how.add_argument("--thumb-size", type=int, default=MAX_THUMB_SIDE, metavar="PX",
                     help=f"longest thumbnail side, at most {MAX_THUMB_SIDE} (default {MAX_THUMB_SIDE})")
    how.add_argument("--thumb-format", choices=("jpeg", "webp"), default="jpeg", help="default jpeg")
    how.add_argument("--page-size", type=int, default=60, metavar="N", help="cards per index page (default 60)")
    workers = min(4, os.cpu_count() or 1)
    how.add_argument("--workers", type=int, default=workers, metavar="K",
                     help=f"thumbnail processes (default here: {workers}; 0 = in this process)")
    add_output_options(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)

    def work() -> int:
        from tipbench.browse.make import build_site

        config = BrowseConfig(split=args.split, out=args.out, methods=args.methods, splits_dir=args.splits_dir,
                              runs_dir=args.runs_dir, thumb_size=args.thumb_size, thumb_format=args.thumb_format,
                              page_size=args.page_size, workers=args.workers, progress=progress_enabled(args))
        result = build_site(config)
        print(f"wrote {result.index} ({result.n_items} items, {len(result.runs)} runs)")
        return 0

    return run_command(args, work)


if __name__ == "__main__":
    raise SystemExit(main())
