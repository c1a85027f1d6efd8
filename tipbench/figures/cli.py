"""`python -m tipbench.figures walk|semantic|compare`: labelled PNG grids from any registered method."""

from __future__ import annotations

import argparse
from pathlib import Path

from tipbench.cli import add_output_options, progress_enabled, run_command
from tipbench.contracts.prompt_policy import DEFAULT_POLICY, POLICY_NAMES
from tipbench.figures.config import FigureConfig, FigureInput


def _floats(text: str) -> tuple[float, ...]:
    try:
        return tuple(float(x) for x in text.split(",") if x.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected comma-separated numbers, got {text!r}") from None


def _add_input(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("input (exactly one of --lq, --image, --split)")
    group.add_argument("--lq", metavar="PNG", help="a degraded image, used as is")
    group.add_argument("--image", metavar="PATH", help="a clean image, canonicalised and degraded by --blur/--noise")
    group.add_argument("--blur", type=float, default=2.0, metavar="S", help="blur sigma for --image (default 2.0)")
    group.add_argument("--noise", type=float, default=0.10, metavar="S", help="noise sigma for --image (default 0.10)")
    group.add_argument("--size", type=int, default=256, metavar="PX", help="--image side after cropping (default 256)")
    group.add_argument("--split", metavar="SPLIT", help="a built split; use with --id")
    group.add_argument("--splits-dir", metavar="D", help="splits folder (default: $TIPBENCH_HOME/splits)")
    group.add_argument("--seed", type=int, default=0, help="seed for the degradation and the restorer (default 0)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tipbench.figures", description=__doc__)
    commands = parser.add_subparsers(dest="kind", required=True, metavar="walk|semantic|compare")
    walk = commands.add_parser("walk", help="prompt-space walk grid (Figs. 6, 9)",
                               epilog="example: walk --method classical-prompted --image photo.jpg --out walk.png")
    walk.add_argument("--deblur", type=_floats, default=(), metavar="1,2,3,4", help="deblur sigmas (rows)")
    walk.add_argument("--denoise", type=_floats, default=(), metavar="0.06,0.12", help="denoise sigmas (columns)")
    walk.add_argument("--id", help="split item id (with --split)")
    semantic = commands.add_parser("semantic", help="semantic-prompt grid (Fig. 5)",
                                   epilog='example: semantic --method tip --lq x.png --prompt "a zebra" --prompt ""')
    semantic.add_argument("--prompt", action="append", default=[], metavar="TEXT", help="a semantic prompt (repeat)")
    semantic.add_argument("--restoration-prompt", metavar="TEXT", help="default: the split item's, else empty")
    semantic.add_argument("--id", help="split item id (with --split)")
    compare = commands.add_parser("compare", help="method comparison grid on chosen ids (Fig. 4)",
                                  epilog="example: compare --split coco-param --id 000000000139 -m swinir -m tip")
    compare.add_argument("--id", action="append", default=[], dest="ids", help="split item id (repeat)")
    compare.add_argument("--prompts", default=DEFAULT_POLICY, choices=POLICY_NAMES,
                         help=f"prompt policy of the runs to read, and fed when restoring live (default {DEFAULT_POLICY})")
    compare.add_argument("--runs-dir", metavar="D", help="reuse outputs of existing runs found here")
    for sub in (walk, semantic, compare):
        sub.add_argument("-m", "--method", action="append", required=True, metavar="M[@VARIANT]",
                         help="registered method (compare: repeat for each column)")
        sub.add_argument("--checkpoint", metavar="PATH", help="checkpoint for the method")
        sub.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
        sub.add_argument("--out", required=True, metavar="PNG", help="where to write the figure")
        _add_input(sub)
        add_output_options(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    figure_input = FigureInput(lq=args.lq, image=args.image, blur=args.blur, noise=args.noise, size=args.size,
                               split=args.split, id=getattr(args, "id", None), splits_dir=args.splits_dir,
                               seed=args.seed)
    config = FigureConfig(
        kind=args.kind, method=tuple(args.method), out=args.out, input=figure_input,
        deblur_sigmas=getattr(args, "deblur", ()), denoise_sigmas=getattr(args, "denoise", ()),
        semantic_prompts=tuple(getattr(args, "prompt", ())), restoration_prompt=getattr(args, "restoration_prompt", None),
        ids=tuple(getattr(args, "ids", ())), prompts=getattr(args, "prompts", DEFAULT_POLICY),
        runs_dir=getattr(args, "runs_dir", None), checkpoint=args.checkpoint, device=args.device,
        progress=progress_enabled(args),
    )

    def work() -> int:
        from tipbench.figures.make import make_figure
        from tipbench.io import write_png

        figure = make_figure(config)
        Path(config.out).parent.mkdir(parents=True, exist_ok=True)
        write_png(config.out, figure.image)
        print(f"wrote {config.out}")
        return 0

    return run_command(args, work)


if __name__ == "__main__":
    raise SystemExit(main())
