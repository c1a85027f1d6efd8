"""Command line: parse, build a `TrainConfig`, call `train`."""

from __future__ import annotations

import argparse

from tipbench.cli import add_output_options, progress_enabled, run_command

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
    add_output_options(parser)
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
    overrides = parse_overrides(args.overrides, parser)
    if args.resume:
        overrides["resume_from_checkpoint"] = args.resume

    def work() -> int:
        from reference_model.train.config import load_config
        from reference_model.train.loop import train

        config = load_config(args.config, overrides)
        summary = train(config, progress=progress_enabled(args))
        print(f"wrote {summary['output_dir']} (step {summary['global_step']})")
        return 0

    return run_command(args, work, interrupted="interrupted; run again with --resume latest to continue",
                       timestamps=True)
