"""`python -m tipbench.figures walk|semantic|compare`: labelled PNG grids from any registered method."""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tipbench.errors import ConfigError, TipbenchError, report_cli_error

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class FigureInput:
    """Where the degraded input comes from: exactly one of `lq`, `image` (degraded here) or `split` + `id`."""

    lq: str | None = None
    image: str | None = None
    blur: float = 2.0
    noise: float = 0.10
    size: int = 256
    split: str | None = None
    id: str | None = None
    splits_dir: str | None = None
    seed: int = 0

    def load(self) -> tuple[np.ndarray, str, str]:
        """(LQ, its semantic prompt, its restoration prompt) — prompts are "" unless the input is a split item."""
        from leaderboard.figures_inputs import degrade_blur_noise, read_split_items
        from tipbench import paths
        from tipbench.io import decode_png

        given = [name for name in ("lq", "image", "split") if getattr(self, name)]
        if len(given) != 1:
            raise ConfigError(f"give exactly one input: `--lq`, `--image` or `--split` with `--id` (got {given})")
        if self.lq:
            return decode_png(_readable(self.lq, "--lq")), "", ""
        if self.image:
            clean = _load_clean_or_error(self.image, self.size)
            return degrade_blur_noise(clean, self.blur, self.noise, self.seed), "", ""
        if not self.id:
            raise ConfigError("`--split` needs `--id`")
        item = read_split_items(paths.splits_dir(self.splits_dir) / self.split, [self.id])[0]
        return item.lq, item.semantic_prompt, item.restoration_prompt


def _readable(path: str, flag: str) -> str:
    """`path` if it is an image file PIL can identify, else a one-line ConfigError naming `flag`."""
    from PIL import Image, UnidentifiedImageError

    if not Path(path).is_file():
        raise ConfigError(f"{flag} `{path}` is not a file")
    try:
        with Image.open(path):
            pass
    except (OSError, UnidentifiedImageError) as exc:
        raise ConfigError(f"{flag} `{path}` is not a readable image ({exc})") from exc
    return path


def _load_clean_or_error(path: str, size: int) -> np.ndarray:
    from leaderboard.figures_inputs import load_clean
    from tipbench.canonical import SkipImage

    _readable(path, "--image")
    try:
        return load_clean(path, size)
    except SkipImage as exc:
        raise ConfigError(f"--image `{path}`: {exc}") from exc


@dataclass(frozen=True)
class FigureConfig:
    kind: str  # walk | semantic | compare
    method: tuple[str, ...]
    out: str
    input: FigureInput
    deblur_sigmas: tuple[float, ...] = ()
    denoise_sigmas: tuple[float, ...] = ()
    semantic_prompts: tuple[str, ...] = ()
    restoration_prompt: str | None = None
    ids: tuple[str, ...] = ()
    prompts: str = "both"
    runs_dir: str | None = None
    checkpoint: str | None = None
    device: str = "cpu"


def _restorer(config: FigureConfig, spec: str):
    from leaderboard.restorers import load_restorer

    return load_restorer(spec, checkpoint=config.checkpoint, device=config.device)


def make_figure(config: FigureConfig):
    """Build the configured grid (a `GridFigure`); writing it is the caller's job."""
    if config.kind == "walk":
        from leaderboard.figures_walk import DEFAULT_DEBLUR_SIGMAS, DEFAULT_DENOISE_SIGMAS, walk_grid

        lq, semantic, _ = config.input.load()
        return walk_grid(_restorer(config, config.method[0]), lq,
                         deblur_sigmas=config.deblur_sigmas or DEFAULT_DEBLUR_SIGMAS,
                         denoise_sigmas=config.denoise_sigmas or DEFAULT_DENOISE_SIGMAS,
                         semantic_prompt="", seed=config.input.seed, progress=True)
    if config.kind == "semantic":
        from leaderboard.figures_panels import semantic_grid

        lq, semantic, restoration = config.input.load()
        prompts = config.semantic_prompts or ("", semantic)
        chosen = restoration if config.restoration_prompt is None else config.restoration_prompt
        return semantic_grid(_restorer(config, config.method[0]), lq, list(prompts), restoration_prompt=chosen,
                             seed=config.input.seed)
    if config.kind == "compare":
        from leaderboard.figures_inputs import read_split_items
        from leaderboard.figures_panels import compare_grid, restorer_source, run_output_source
        from tipbench import paths

        if not config.input.split or not config.ids:
            raise ConfigError("`compare` needs `--split` and at least one `--id`")
        items = read_split_items(paths.splits_dir(config.input.splits_dir) / config.input.split, list(config.ids))
        sources = []
        for spec in config.method:
            leaf = config.prompts + (f"@{spec.partition('@')[2]}" if "@" in spec else "")
            run_dir = paths.runs_dir(config.runs_dir) / config.input.split / spec.partition("@")[0] / leaf
            if (run_dir / "out").is_dir():
                sources.append((spec, run_output_source(run_dir)))
            else:
                sources.append((spec, restorer_source(_restorer(config, spec), config.prompts)))
        return compare_grid(items, sources, title=f"{config.input.split}, prompts: {config.prompts}")
    raise ConfigError(f"unknown figure `{config.kind}`; valid: walk, semantic, compare")


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
    compare.add_argument("--prompts", default="both", help="prompt policy when restoring live (default both)")
    compare.add_argument("--runs-dir", metavar="D", help="reuse outputs of existing runs found here")
    for sub in (walk, semantic, compare):
        sub.add_argument("-m", "--method", action="append", required=True, metavar="M[@VARIANT]",
                         help="registered method (compare: repeat for each column)")
        sub.add_argument("--checkpoint", metavar="PATH", help="checkpoint for the method")
        sub.add_argument("--device", default="cpu", help="cpu or cuda (default cpu)")
        sub.add_argument("--out", required=True, metavar="PNG", help="where to write the figure")
        sub.add_argument("-v", "--verbose", action="count", default=0)
        _add_input(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * min(args.verbose, 2), format="%(levelname)s: %(message)s")
    figure_input = FigureInput(lq=args.lq, image=args.image, blur=args.blur, noise=args.noise, size=args.size,
                               split=args.split, id=getattr(args, "id", None), splits_dir=args.splits_dir,
                               seed=args.seed)
    config = FigureConfig(
        kind=args.kind, method=tuple(args.method), out=args.out, input=figure_input,
        deblur_sigmas=getattr(args, "deblur", ()), denoise_sigmas=getattr(args, "denoise", ()),
        semantic_prompts=tuple(getattr(args, "prompt", ())), restoration_prompt=getattr(args, "restoration_prompt", None),
        ids=tuple(getattr(args, "ids", ())), prompts=getattr(args, "prompts", "both"),
        runs_dir=getattr(args, "runs_dir", None), checkpoint=args.checkpoint, device=args.device,
    )
    try:
        figure = make_figure(config)
        from tipbench.io import write_png

        Path(config.out).parent.mkdir(parents=True, exist_ok=True)
        write_png(config.out, figure.image)
    except (TipbenchError, OSError) as exc:  # user-fixable: one line, exit 1
        return report_cli_error(exc)
    print(f"wrote {config.out}")
    return 0
