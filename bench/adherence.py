"""Adherence diagnostics throughput at 512² (one process) and the ratio to a reference measured in the same run.

A selective split of N items is made from the bundled sample photos (canonicalised to 512, cycled), with the LQs
as the "outputs". Timed, best of R:
- cold: the diagnostics of a run including the split's anchor measures (the first run on a split);
- warm: with the anchors from the split cache (every later run) — what a run costs;
- reference: decode each output PNG and run `skimage.restoration.estimate_sigma` on it once — the least any
  noise-based check must do per image.
Printed: images/s and ms/image for each, warm / reference (the warm pass does ≈ 3 references' work: it also decodes
the GT and runs the detail gain's two Gaussian filters) and cold / warm (what the anchor cache saves).

    python bench/adherence.py [--images 24] [--repeats 3]
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402


def make_split(root: Path, n: int) -> Path:
    from PIL import Image

    from tipbench.canonical import canonicalize
    from tipbench.contracts.split_folder import new_item, write_split_folder
    from tipbench.degradations import selective
    from tipbench.sources.folder import sample_root

    photos = []
    for path in sorted(sample_root().glob("*.jpg")):
        with Image.open(path) as image:
            photos.append(canonicalize(image))
    items = []
    for index in range(n):
        gt = photos[index % len(photos)]
        result = selective.degrade(gt, seed=0, index=index)
        items.append(new_item(f"{index:012d}", index, gt=gt, lq=result.lq, target=result.target,
                              restoration_prompt=result.restoration_prompt,
                              restoration_prompt_type=result.restoration_prompt_type, pipeline="selective",
                              params=result.params))
    return write_split_folder(root / "coco-selective", items, {"split": "coco-selective", "seed": 0,
                                                               "source": "sample"}).path


def best_of(repeats: int, function) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    from skimage.restoration import estimate_sigma

    from tipbench.adherence.scoring import diagnose_outputs, split_anchors
    from tipbench.adherence.split import read_selective_items
    from tipbench.images import to_float01
    from tipbench.io import decode_png

    with tempfile.TemporaryDirectory() as tmp:
        split_dir = make_split(Path(tmp), args.images)
        items = read_selective_items(split_dir)
        outputs = split_dir / "lq"

        def cold() -> None:
            anchors = split_anchors(items, split_dir, use_cache=False)
            diagnose_outputs(items, outputs, anchors=anchors)

        anchors = split_anchors(items, split_dir)  # fills the cache

        def warm() -> None:
            diagnose_outputs(items, outputs, anchors=split_anchors(items, split_dir))

        def reference() -> None:
            for item in items:
                estimate_sigma(to_float01(decode_png(outputs / f"{item.id}.png")), channel_axis=-1,
                               average_sigmas=True)

        assert anchors
        timings = {name: best_of(args.repeats, fn) for name, fn in
                   (("reference", reference), ("warm", warm), ("cold", cold))}
    n = args.images
    for name, seconds in timings.items():
        print(f"{name:9s} {n / seconds:7.2f} images/s  {1000 * seconds / n:7.1f} ms/image")
    print(f"warm / reference = {timings['warm'] / timings['reference']:.2f}; "
          f"cold / warm = {timings['cold'] / timings['warm']:.2f}")


if __name__ == "__main__":
    main()
