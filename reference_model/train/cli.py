"""Command line: parse, build a `TrainConfig`, call `train`."""

from __future__ import annotations

import argparse
import logging
import sys

from tipbench.errors import TipbenchError, os_error_text

EPILOG = """examples:
  python -m reference_model.train reference_model/configs/tip.yaml
  accelerate launch --mixed_precision bf16 -m reference_model.train reference_model/configs/tip.yaml
  python -m reference_model.train reference_model/configs/tiny.yaml --set max_train_steps=5 --set output_dir=/tmp/t
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m reference_model.train", description="Train a TIP adapter (or one of its ablations).",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("config", metavar="CONFIG", help="training YAML (see reference_model/configs/)")
    parser.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value (YAML-parsed; `model.fusion=additive` for sections)")
    parser.add_argument("--resume", metavar="latest|DIR", help="resume from a checkpoint (default: as configured)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    verbosity = parser.add_mutually_exclusive_group()
    verbosity.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    verbosity.add_argument("-q", "--quiet", action="store_true", help="warnings only")
    return parser


def parse_overrides(items: list[str], parser: argparse.ArgumentParser) -> dict:
    import yaml

    overrides: dict = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            parser.error(f"`--set {item}`: expected KEY=VALUE")
        try:
            parsed = yaml.safe_load(value)
        except yaml.YAMLError as error:
            parser.error(f"`--set {item}`: the value is not valid YAML ({str(error).splitlines()[0]})")
        section, dot, leaf = key.partition(".")
        if dot:
            overrides.setdefault(section, {})[leaf] = parsed
        else:
            overrides[key] = parsed
    return overrides


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    level = logging.DEBUG if args.verbose else logging.WARNING if args.quiet else logging.INFO
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    overrides = parse_overrides(args.overrides, parser)
    if args.resume:
        overrides["resume_from_checkpoint"] = args.resume
    try:
        from reference_model.train.config import load_config
        from reference_model.train.loop import train

        config = load_config(args.config, overrides)
        summary = train(config, progress=not args.no_progress and sys.stderr.isatty())
    except TipbenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except OSError as error:  # an unwritable output folder, an unreadable input
        print(f"error: {os_error_text(error)}", file=sys.stderr)
        return 1
    print(f"wrote {summary['output_dir']} (step {summary['global_step']})")
    return 0
