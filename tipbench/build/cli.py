"""Command line of `python -m tipbench.build` (contracts §6): parse, build a `BuildConfig`, call `build_split`."""

from __future__ import annotations

import argparse

from tipbench.build.config import BuildConfig
from tipbench.cli import add_output_options, progress_enabled, run_command

EPILOG = """\
splits (protocol §5):
  coco-param        COCO val2017, param pipeline, caption + param/type-only prompts
  coco-realesrgan   the same ids and GT, Real-ESRGAN x4plus (LQ 128), "Remove all degradation"
  coco-selective    the same ids and GT, blur + noise, prompt names one; adds target/ (docs/splits.md)
  div2k-stablesr    StableSR DIV2K_V2_val pairs as published (zip or extracted lq/ gt/)
  div2k-realesrgan  DIV2K_valid_HR, 30 seeded 512 crops per image, Real-ESRGAN stablesr params

published datasets: --source-root OUT of `python -m tipbench.publish` (or its disk/), or --repo-id ORG/NAME
(online), gives the published split's gt/ lq/ target/ and manifest byte for byte; split.json keeps the original
source and adds `published`.

sources: --source-root, else TIPBENCH_COCO_ROOT (coco-*), TIPBENCH_DIV2K_ROOT (div2k-realesrgan),
TIPBENCH_STABLESR_TESTSETS (div2k-stablesr). A COCO root holds val2017/ and
annotations/captions_val2017.json; any other folder is a generic folder source (every image file, optional
captions.csv with file_name,caption), never the paper's data. With nothing configured the split is built from
the bundled sample photos and split.json says "source": "sample" (a smoke test, not the benchmark). A wrong
explicit root is an error, never a fallback. Only COCO val2017 (seed 0), the StableSR zip and DIV2K_valid_HR
can be compared with the paper (docs/protocol.md §5.1; python -m tipbench.paper_data SPLIT_DIR says).

output: OUT/<split>/{gt,lq,target}/<id>.png, manifest.parquet, split.json, skipped.jsonl (contracts §1), plus
.work/ (per-item records used by --resume; safe to delete after a finished build).
Exit status: 0 ok, 1 data/config error (one line `error: ...`), 2 bad usage. -v also logs every skipped image.

examples:
  python -m tipbench.build --split coco-param                      # bundled sample
  python -m tipbench.build --split coco-param --source-root ~/data/coco --workers 2
  python -m tipbench.build --split coco-realesrgan --limit 100 --out /tmp/splits
  python -m tipbench.build --split coco-param --resume             # continue an interrupted build
  python -m tipbench.build --split coco-param --verify             # re-hash every file against the manifest
  python -m tipbench.build --split coco-param --source-root hf/coco-param   # from a published export
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tipbench.build", description="Build a tipbench test split folder from its source.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    what = parser.add_argument_group("what to build")
    what.add_argument("--split", required=True, metavar="SPLIT",
                      help="split name: coco-param, coco-realesrgan, coco-selective, div2k-stablesr, div2k-realesrgan")
    what.add_argument("--source-root", metavar="DIR", default=None,
                      help="source folder (or StableSR zip, or a published export: its files are copied and "
                           "checked, not rebuilt); default: the split's environment variable, else the bundled sample")
    what.add_argument("--repo-id", metavar="ORG/NAME", default=None,
                      help="build from the dataset published on the Hub (online); a local export of "
                           "`python -m tipbench.publish` is given with --source-root instead")
    what.add_argument("--limit", type=int, metavar="N", default=None,
                      help="build only the first N items of the seeded order (same bytes as the full build)")
    what.add_argument("--seed", type=int, metavar="S", default=0, help="global seed, protocol §2 (default: 0)")
    where = parser.add_argument_group("where and how")
    where.add_argument("--out", metavar="DIR", default=None,
                       help="writes DIR/<split>/ (default: $TIPBENCH_HOME/splits, TIPBENCH_HOME=./tipbench-data)")
    where.add_argument("--workers", type=int, metavar="K", default=1,
                       help="worker processes; output bytes do not depend on it (default: 1)")
    where.add_argument("--resume", action="store_true",
                       help="continue an interrupted build: keep items whose files match their recorded sha256, "
                            "redo the rest")
    where.add_argument("--overwrite", action="store_true", help="delete a previous build of this split first")
    where.add_argument("--verify", action="store_true",
                       help="build nothing: re-hash every file of the built split OUT/<split>/ against its manifest "
                            "sha256 and report each mismatch (exit 1 when any)")
    add_output_options(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in ("limit", "workers"):
        value = getattr(args, name)
        if value is not None and value < 1:
            parser.error(f"--{name} must be >= 1, got {value}")
    if args.seed < 0:
        parser.error(f"--seed must be >= 0, got {args.seed}")
    if args.resume and args.overwrite:
        parser.error("--resume and --overwrite exclude each other")

    if args.verify and (args.resume or args.overwrite or args.source_root or args.limit or args.repo_id):
        parser.error("--verify checks a built split; it takes only --split and --out")

    def work() -> int:
        from tipbench.build.runner import build_split

        if args.verify:
            return _verify(args)

        config = BuildConfig(split=args.split, source_root=args.source_root, out=args.out, limit=args.limit,
                             seed=args.seed, workers=args.workers, resume=args.resume, overwrite=args.overwrite,
                             progress=progress_enabled(args), repo_id=args.repo_id)
        print(f"wrote {build_split(config)}")
        return 0

    return run_command(args, work, interrupted="interrupted; run again with --resume to continue")


def _verify(args: argparse.Namespace) -> int:
    """Print one line per problem, then `ok: …` or the one `error:` line (exit 1)."""
    from tipbench.build.verify import verify_built_split
    from tipbench.errors import ManifestError

    result = verify_built_split(args.split, args.out, progress=progress_enabled(args))
    for problem in result.problems:
        print(f"mismatch: {problem}")
    if result.problems:
        raise ManifestError(f"{len(result.problems)} problem(s) in `{result.split_dir}`: it no longer matches its "
                            "manifest; rebuild it (--overwrite) or get an intact copy")
    print(f"ok: {result.split_dir}: {result.checked} files (manifest included) match their sha256")
    return 0
