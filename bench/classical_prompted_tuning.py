"""PSNR gain of `classical-prompted` over `bicubic` on the images its constants were tuned on, and on held-out ones.

The constants of `ClassicalSettings` were tuned by hand on the nine bundled sample photos (docs/benchmarks.md), so a
gain measured on those photos is in-sample. This script prints three figures, each the mean of per-image gains
(classical PSNR − bicubic PSNR, dB) on param-pipeline degradations (protocol §3, test mode):

* tuning set: the 9 sample photos at 256², 60 degradations (seed 0, indices 0–59, photo = index mod 9);
* in-sample: the 9 sample photos at 512² (protocol §1 canonicalisation), 2 degradations each (seed 0, indices
  0–17): the "+4.3 dB on 18 images" of docs/methods.md, i.e. 9 photos × 2 degradations, not 18 photos;
* held-out: 9 other images that ship with scikit-image (never looked at while tuning: a motorcycle photo, a colour
  test photo, coins, the moon, brick / grass / gravel textures, a microscopy cell, a motion-blurred clock), read
  from its installed data folder (nothing is downloaded), canonicalised to 512², 2 degradations each drawn with
  another seed (seed 1, indices 0–17).

    python bench/classical_prompted_tuning.py              # all three (about 2-4 min on one loaded core)
    python bench/classical_prompted_tuning.py --sets held-out
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

#: Held-out images: scikit-image's bundled data files that are not among tipbench's sample photos.
HELD_OUT = ("motorcycle_left.png", "color.png", "coins.png", "moon.png", "brick.png", "grass.png", "gravel.png",
            "cell.png", "clock_motion.png")
SETS = ("tuning", "in-sample", "held-out")


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255.0**2 / np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)))


def sample_photos() -> list[Path]:
    from tipbench.sources.folder import list_images, sample_root

    return [sample_root() / name for name in list_images(sample_root())]


def held_out_photos() -> list[Path]:
    import skimage

    folder = Path(skimage.__file__).parent / "data"
    missing = [name for name in HELD_OUT if not (folder / name).is_file()]
    if missing:
        raise SystemExit(f"scikit-image's data folder {folder} lacks {', '.join(missing)}")
    return [folder / name for name in HELD_OUT]


def _canonical(paths: list[Path], size: int) -> list[np.ndarray]:
    """Protocol §1 GTs (512²), resized with Pillow bicubic when a smaller `size` is asked for."""
    from PIL import Image

    from tipbench.canonical import load_canonical

    images = [load_canonical(path) for path in paths]
    if size == images[0].shape[0]:
        return images
    return [np.asarray(Image.fromarray(image).resize((size, size), Image.BICUBIC)) for image in images]


def mean_gain(photos: list[np.ndarray], seed: int, count: int) -> tuple[float, float, int]:
    """(mean gain dB, worst gain dB, images) over `count` degradations, photo = index mod len(photos)."""
    from baselines.bicubic import BicubicRestorer
    from baselines.classical_prompted import ClassicalPromptedRestorer
    from tipbench.degradations import param

    bicubic, classical = BicubicRestorer(), ClassicalPromptedRestorer()
    gains = []
    for index in range(count):
        gt = photos[index % len(photos)]
        result = param.degrade(gt, seed=seed, index=index)
        out_size = gt.shape[:2]
        ours = classical.restore(result.lq, restoration_prompt=result.restoration_prompt, out_size=out_size)
        floor = bicubic.restore(result.lq, out_size=out_size)
        gains.append(_psnr(ours, gt) - _psnr(floor, gt))
    return float(np.mean(gains)), float(np.min(gains)), len(gains)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(SETS), help=f"comma-separated subset of {', '.join(SETS)}")
    args = parser.parse_args()
    chosen = [name for name in args.sets.split(",") if name]
    unknown = sorted(set(chosen) - set(SETS))
    if unknown:
        parser.error(f"unknown set(s) {', '.join(unknown)}; choose from {', '.join(SETS)}")
    plans = {
        "tuning": ("9 sample photos, 256², seed 0, 60 degradations (tuned on these)", sample_photos, 256, 0, 60),
        "in-sample": ("9 sample photos × 2, 512², seed 0 (in-sample)", sample_photos, 512, 0, 18),
        "held-out": ("9 held-out scikit-image images × 2, 512², seed 1", held_out_photos, 512, 1, 18),
    }
    for name in chosen:
        label, paths, size, seed, count = plans[name]
        started = time.perf_counter()
        mean, worst, n = mean_gain(_canonical(paths(), size), seed, count)
        print(f"{name:9s} {label}: classical-prompted − bicubic = {mean:+.2f} dB mean, {worst:+.2f} dB worst "
              f"({n} images, {time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
