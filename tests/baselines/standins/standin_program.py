"""Stand-in for StableSR's and DiffBIR's inference scripts: the same command-line contract, no model.

Reads every image in the input folder, bicubic-upscales it by `--upscale` and writes `<stem>.png` to the output
folder, like the real programs. STANDIN_MODE selects an error path: `fail` (exit 3 with a message on stderr),
`hang` (sleep past any timeout), `skip-first` (no output for the first input). Every call's argv is appended to
STANDIN_LOG when set, so tests can check what was run.
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

from PIL import Image


def main() -> int:
    parser = argparse.ArgumentParser()
    stablesr = "sr_val" in Path(sys.argv[0]).name
    if stablesr:
        for flag in ("--config", "--ckpt", "--vqgan_ckpt", "--init-img", "--outdir", "--colorfix_type"):
            parser.add_argument(flag)
        for flag in ("--ddpm_steps", "--seed", "--n_samples"):
            parser.add_argument(flag, type=int)
        parser.add_argument("--dec_w", type=float)
        parser.add_argument("--upscale", type=float, default=4.0)
        parser.add_argument("--nocolor", action="store_true")
    else:
        for flag in ("--task", "--version", "--sampler", "--captioner", "--pos_prompt", "--neg_prompt",
                     "--precision", "--device", "--input", "--output"):
            parser.add_argument(flag, required=flag in ("--input", "--output"))
        parser.add_argument("--upscale", type=float, required=True)
        parser.add_argument("--steps", type=int)
        parser.add_argument("--seed", type=int)
        parser.add_argument("--cfg_scale", type=float)
    args = parser.parse_args()
    if os.environ.get("STANDIN_LOG"):
        with open(os.environ["STANDIN_LOG"], "a") as handle:
            handle.write(json.dumps({"argv": sys.argv, "cwd": os.getcwd()}) + "\n")
    mode = os.environ.get("STANDIN_MODE", "")
    if mode == "fail":
        print("CUDA out of memory (stand-in failure)", file=sys.stderr)
        return 3
    if mode == "hang":
        time.sleep(60)
    in_dir = Path(args.init_img if stablesr else args.input)
    out_dir = Path(args.outdir if stablesr else args.output)
    out_dir.mkdir(parents=True, exist_ok=True)
    for position, path in enumerate(sorted(in_dir.iterdir())):
        if mode == "skip-first" and position == 0:
            continue
        with Image.open(path) as image:
            size = (round(image.width * args.upscale), round(image.height * args.upscale))
            image.convert("RGB").resize(size, Image.BICUBIC).save(out_dir / f"{path.stem}.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
