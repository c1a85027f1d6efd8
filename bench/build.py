"""Benchmark of `python -m tipbench.build` (issue 3): throughput vs the per-item floor, 2-worker speed-up, peak RSS.

    python bench/build.py                 # N = 300 and N = 3000, coco-param, 1 and 2 workers
    python bench/build.py --n 300 --split coco-realesrgan

The source is a synthetic COCO tree (640×480 JPEGs, captions JSON) read through the real captions reader. The
floor is decode + canonicalise + degrade + PNG encode of GT and LQ, timed alone in this process on the same
images. Each build runs in its own subprocess (so its peak RSS is its own) and reports wall time, CPU time of the
process and its workers, and peak RSS of the main process and of the largest worker. Timing lives here, never in
tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

DISTINCT_IMAGES = 64  # distinct JPEG contents, reused under different ids (generation time, not build time)

CHILD = r"""
import json, resource, sys, time
from tipbench.build import BuildConfig, build_split
config = BuildConfig(**json.loads(sys.argv[1]))
start, cpu = time.perf_counter(), time.process_time()
build_split(config)
wall = time.perf_counter() - start
own, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"wall_s": wall, "cpu_s": own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime,
                  "rss_main_mb": own.ru_maxrss / 1024, "rss_worker_mb": kids.ru_maxrss / 1024}))
"""


def make_source(root: Path, n: int) -> None:
    from PIL import Image

    (root / "val2017").mkdir(parents=True)
    (root / "annotations").mkdir()
    rng = np.random.default_rng(0)
    y, x = np.mgrid[0:480, 0:640].astype(np.float32)
    contents = []
    for k in range(DISTINCT_IMAGES):
        f = rng.uniform(0.005, 0.05, 3)
        image = np.stack([0.5 + 0.4 * np.sin(f[c] * (x + (c + 1) * y) + k) for c in range(3)], -1)
        image += 0.03 * rng.standard_normal(image.shape)
        path = root / f"distinct_{k}.jpg"
        Image.fromarray(np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)).save(path, quality=90)
        contents.append(path.read_bytes())
        path.unlink()
    images, annotations = [], []
    for i in range(n):
        image_id = 100_000 + i
        file_name = f"{image_id:012d}.jpg"
        (root / "val2017" / file_name).write_bytes(contents[i % DISTINCT_IMAGES])
        images.append({"id": image_id, "file_name": file_name, "width": 640, "height": 480})
        annotations.append({"id": i + 1, "image_id": image_id, "caption": f"synthetic image {i}"})
    data = {"images": images, "annotations": annotations}
    (root / "annotations" / "captions_val2017.json").write_text(json.dumps(data), encoding="utf-8")


def measure_floor(root: Path, split: str, items: int) -> tuple[float, float]:
    """(wall s, CPU s) per item of decode + canonicalise + degrade + PNG encode (GT and LQ), nothing else."""
    from tipbench.build.item import ItemContext, degrade_item
    from tipbench.canonical import load_canonical
    from tipbench.io import encode_png
    from tipbench.splits import SPLITS

    spec = SPLITS.get(split)
    context = ItemContext("", 0, None, spec.pipeline, spec.param_set, blind_prompt=False)
    paths = sorted((root / "val2017").iterdir())[:items]
    start, cpu = time.perf_counter(), time.process_time()
    for index, path in enumerate(paths):
        gt = load_canonical(path)
        result = degrade_item(context, gt, index)
        encode_png(gt), encode_png(result.lq)
        if getattr(result, "target", None) is not None:
            encode_png(result.target)
    return (time.perf_counter() - start) / len(paths), (time.process_time() - cpu) / len(paths)


def run_build(root: Path, out: Path, split: str, n: int, workers: int) -> dict:
    config = {"split": split, "source_root": str(root), "out": str(out), "limit": n, "workers": workers,
              "progress": False, "overwrite": True}
    env = {key: value for key, value in os.environ.items() if not key.startswith("TIPBENCH_")}
    done = subprocess.run([sys.executable, "-c", CHILD, json.dumps(config)], env=env, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def tree_hash(folder: Path) -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and ".work" not in p.parts):
        digest.update(path.relative_to(folder).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", default="300,3000", help="comma-separated split sizes (default: 300,3000)")
    parser.add_argument("--split", default="coco-param", help="a coco-* split (default: coco-param)")
    parser.add_argument("--floor-items", type=int, default=100, help="items timed for the floor (default: 100)")
    parser.add_argument("--keep", metavar="DIR", default=None, help="work in DIR instead of a temporary folder")
    args = parser.parse_args(argv)
    sizes = [int(value) for value in args.n.split(",")]
    with tempfile.TemporaryDirectory(prefix="tipbench-bench-build-") as temporary:
        work = Path(args.keep or temporary)
        source = work / "coco"
        if not (source / "annotations").is_dir() or len(list((source / "val2017").iterdir())) < max(sizes):
            shutil.rmtree(source, ignore_errors=True)
            make_source(source, max(sizes))
        floor_wall, floor_cpu = measure_floor(source, args.split, min(args.floor_items, max(sizes)))
        print(f"load average at start: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
        print(f"floor ({args.split}): {1 / floor_wall:.2f} img/s wall, {1 / floor_cpu:.2f} img/cpu-s")
        for n in sizes:
            runs = {}
            for workers in (1, 2):
                out = work / f"out-{n}-{workers}"
                runs[workers] = run_build(source, out, args.split, n, workers)
                runs[workers]["hash"] = tree_hash(out / args.split)
            for workers, run in runs.items():
                rate, cpu_rate = n / run["wall_s"], n / run["cpu_s"]
                print(f"N={n} workers={workers}: {rate:.2f} img/s ({rate * floor_wall:.2f} x floor), "
                      f"{cpu_rate:.2f} img/cpu-s ({cpu_rate * floor_cpu:.2f} x floor), "
                      f"peak RSS main {run['rss_main_mb']:.0f} MB, worker {run['rss_worker_mb']:.0f} MB")
            print(f"N={n}: 2-worker speed-up {runs[1]['wall_s'] / runs[2]['wall_s']:.2f}x; "
                  f"byte-identical: {runs[1]['hash'] == runs[2]['hash']}")
        print(f"load average at end: {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
