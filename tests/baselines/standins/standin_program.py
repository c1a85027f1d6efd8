"""Stand-in for StableSR's and DiffBIR's entry scripts: upstream's command line, a tiny deterministic body.

The parser is built from the flags recorded from the upstream script (`tests/baselines/upstream_flags/*.json`, which
`baseline_helpers.make_clone` copies into the fake clone as `.standin/upstream_flags.json`), never from the
adapters: a flag the upstream script lacks is an argparse error (exit 2), and so is a value outside its `choices` or
outside the values its code compares against (`values_from_code`). The body does what the real script does to the
image geometry, without a model: the StableSR `_old.py` script rounds the input down to a multiple of 32 (Lanczos),
resizes the short side to `--input_size` and centre-crops a square; scripts with `--upscale` resize by that factor
(bicubic). Outputs are `<stem>.png`, like upstream's.

STANDIN_MODE selects an error path: `fail` (exit 3 with a message on stderr), `hang` (sleep past any timeout),
`skip-first` (no output for the first input). Every call's argv is appended to STANDIN_LOG when set.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from PIL import Image

TYPES = {"str": str, "int": int, "float": float}


def upstream_parser(script: str) -> argparse.ArgumentParser:
    record = json.loads((Path.cwd() / ".standin" / "upstream_flags.json").read_text())
    entry = record["scripts"][script]
    parser = argparse.ArgumentParser(prog=script, allow_abbrev=False)
    for flag in entry["flags"]:
        options = {key: flag[key] for key in ("default", "action", "required", "nargs") if key in flag}
        if "type" in flag:
            options["type"] = TYPES[flag["type"]]
        choices = flag.get("choices") or entry["values_from_code"].get(flag["name"], {}).get("values")
        if choices:
            options["choices"] = choices
        parser.add_argument(flag["name"], *flag["aliases"], **options)
    return parser


def centre_square(image: Image.Image, side: int) -> Image.Image:
    """`_old.py`: multiple-of-32 rounding (Lanczos), short side to `side` (bilinear), centre crop."""
    width, height = image.width - image.width % 32, image.height - image.height % 32
    image = image.resize((width, height), Image.LANCZOS)
    scale = side / min(width, height)
    image = image.resize((round(width * scale), round(height * scale)), Image.BILINEAR)
    left, top = (image.width - side) // 2, (image.height - side) // 2
    return image.crop((left, top, left + side, top + side))


def main() -> int:
    script = Path(sys.argv[0]).resolve().relative_to(Path.cwd().resolve()).as_posix()
    args = vars(upstream_parser(script).parse_args())
    if os.environ.get("STANDIN_LOG"):
        with open(os.environ["STANDIN_LOG"], "a") as handle:
            handle.write(json.dumps({"argv": sys.argv, "cwd": os.getcwd()}) + "\n")
    mode = os.environ.get("STANDIN_MODE", "")
    if mode == "fail":
        print("CUDA out of memory (stand-in failure)", file=sys.stderr)
        return 3
    if mode == "hang":
        time.sleep(60)
    in_dir = Path(args.get("init_img") or args["input"])
    out_dir = Path(args.get("outdir") or args["output"])
    out_dir.mkdir(parents=True, exist_ok=True)
    for position, path in enumerate(sorted(in_dir.iterdir())):
        if mode == "skip-first" and position == 0:
            continue
        with Image.open(path) as opened:
            image = opened.convert("RGB")
        if "upscale" in args:
            size = (int(image.width * args["upscale"]), int(image.height * args["upscale"]))
            image = image.resize(size, Image.BICUBIC)
        else:
            image = centre_square(image, args["input_size"])
        image.save(out_dir / f"{path.stem}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
