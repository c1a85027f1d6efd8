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
import json  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402


def make_split(root: Path, n: int) -> Path:
    from PIL import Image

    from tipbench.canonical import canonicalize
    from tipbench.degradations import selective
    from tipbench.io import write_json, write_manifest, write_png
    from tipbench.sources.folder import sample_root

    photos = []
    for path in sorted(sample_root().glob("*.jpg")):
        with Image.open(path) as image:
            photos.append(canonicalize(image))
    split_dir, rows = root / "coco-selective", []
    for index in range(n):
        item_id = f"{index:012d}"
        gt = photos[index % len(photos)]
        result = selective.degrade(gt, seed=0, index=index)
        paths = {kind: f"{kind}/{item_id}.png" for kind in ("gt", "lq", "target")}
        shas = {kind: write_png(split_dir / paths[kind], image)
                for kind, image in (("gt", gt), ("lq", result.lq), ("target", result.target))}
        rows.append({"id": item_id, "index": index, "source_path": item_id, "gt_path": paths["gt"],
                     "lq_path": paths["lq"], "target_path": paths["target"], "gt_sha256": shas["gt"],
                     "lq_sha256": shas["lq"], "target_sha256": shas["target"], "width_lq": 512, "height_lq": 512,
                     "semantic_prompt": "", "restoration_prompt": result.restoration_prompt,
                     "restoration_prompt_type": result.restoration_prompt_type, "pipeline": "selective",
                     "params": json.dumps(result.params), "seed": 0})
    write_manifest(split_dir / "manifest.parquet", rows)
    write_json(split_dir / "split.json", {"split": "coco-selective", "seed": 0, "source": "sample"})
    return split_dir


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
