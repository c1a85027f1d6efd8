"""Command line of `python -m tipbench.publish` (contracts §6): parse, build a `PublishConfig`, export (and push)."""

from __future__ import annotations

import argparse

from tipbench.cli import add_output_options, progress_enabled, run_command
from tipbench.publish.config import PublishConfig

EPILOG = """\
examples:
  python -m tipbench.publish --split coco-param --out hf/coco-param
  python -m tipbench.publish --split coco-param --repo-id my-org/tipbench --push

writes OUT/README.md (dataset card), OUT/data/test-*.parquet and OUT/disk/ (save_to_disk); see
docs/data_recipes.md. Exit status: 0 ok, 1 data/config error or a failed push, 2 bad usage.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tipbench.publish",
        description="Export a built split as a Hugging Face dataset (parquet shards, save_to_disk copy, dataset card).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = parser.add_argument_group("what and where")
    what.add_argument("--split", required=True, metavar="S", help="split name (a folder under the splits dir)")
    what.add_argument("--splits-dir", metavar="D", help="splits folder (default $TIPBENCH_HOME/splits)")
    what.add_argument("--out", metavar="DIR", help="export folder (default $TIPBENCH_HOME/hf/<split>)")
    hub = parser.add_argument_group("hub")
    hub.add_argument("--repo-id", metavar="ORG/NAME", help="Hub dataset repository (named in the card)")
    hub.add_argument("--push", action="store_true", help="upload to --repo-id after the local export")
    how = parser.add_argument_group("how")
    how.add_argument("--rows-per-shard", type=int, default=500, metavar="N", help="rows per parquet file (500)")
    how.add_argument("--no-disk", action="store_true", help="skip the save_to_disk copy")
    add_output_options(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.push and not args.repo_id:
        parser.error("--push needs --repo-id ORG/NAME")

    def work() -> int:
        from tipbench.publish.export import export_split
        from tipbench.publish.push import push_export

        cfg = PublishConfig(split=args.split, splits_dir=args.splits_dir, out=args.out, repo_id=args.repo_id,
                            push=args.push, rows_per_shard=args.rows_per_shard, save_to_disk=not args.no_disk,
                            progress=progress_enabled(args))
        out = export_split(cfg)
        print(f"wrote {out}")
        if cfg.push:
            print(f"pushed {push_export(out, cfg)}")
        return 0

    return run_command(args, work, interrupted="interrupted; the export folder is replaced only when complete, run "
                       "the same command again")


if __name__ == "__main__":
    raise SystemExit(main())
