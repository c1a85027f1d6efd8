"""Shard-writer throughput at 512²: 1 and 2 workers vs the per-sample floor measured in the same run.

The floor is `build_sample` alone (decode + crop + Algorithm 1 degradation + PNG encode) in this process, one
sample after another; the shard writer adds tar writing, hashing and (for 2 workers) process start-up. Printed:
samples/s for each, writer/floor ratio for 1 worker (target ≥ 0.85) and the 2-worker speed-up (target ≥ 1.7×;
meaningless when the 2 cores are shared with other work, so a CPU-time view is printed too).

    python bench/shards.py [--samples 48] [--shards 4] [--recipe-mix tip-train]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image


def cpu_seconds() -> float:
    """CPU time of this process (all threads) plus its finished child processes (the pool workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def make_source(root: Path, count: int) -> Path:
    """`count` textured 640×512 JPEGs with captions (decode cost like a COCO photo)."""
    root.mkdir(parents=True, exist_ok=True)
    rows = ["file_name,caption"]
    y, x = np.mgrid[0:512, 0:640].astype(np.float32)
    for i in range(count):
        rng = np.random.default_rng(i)
        base = 127 + 90 * np.sin(x / (7 + i))[..., None] * np.cos(y / (5 + i % 3))[..., None] * rng.random(3)
        image = np.clip(base + 12 * rng.standard_normal((512, 640, 3)), 0, 255).astype(np.uint8)
        Image.fromarray(image).save(root / f"im{i:03d}.jpg", quality=90)
        rows.append(f"im{i:03d}.jpg,a textured test photo {i}")
    (root / "captions.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=48)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--realesrgan", type=float, default=0.5, help="Real-ESRGAN share (paper: 0.5)")
    args = parser.parse_args()

    from data_recipes.recipes import parse_recipe_yaml
    from data_recipes.samples import build_sample
    from data_recipes.shards import ShardsConfig, write_shards
    from data_recipes.sources import SeededOrder, open_source

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        source = make_source(tmp / "src", 16)
        recipe_path = tmp / "bench.yaml"
        recipe_path.write_text(
            f"name: bench\nsource: {{kind: folder, root: {source}}}\n"
            f"mixture: {{realesrgan_probability: {args.realesrgan}}}\nresolution: 512\nnum_samples: {args.samples}\n",
            encoding="utf-8",
        )
        recipe = parse_recipe_yaml(recipe_path.read_text())
        order = SeededOrder(open_source(recipe.source), recipe.seed)
        build_sample(recipe, order, 0)  # warm-up (imports, kernels)
        start, cpu = time.perf_counter(), cpu_seconds()
        for index in range(args.samples):
            build_sample(recipe, order, index)
        floor = args.samples / (time.perf_counter() - start)
        floor_cpu = args.samples / (cpu_seconds() - cpu)

        rates, cpu_rates = {}, {}
        for workers in (1, 2):
            cfg = ShardsConfig(str(recipe_path), str(tmp / f"out{workers}"), num_shards=args.shards,
                               workers=workers, progress=False)
            start, cpu = time.perf_counter(), cpu_seconds()
            write_shards(cfg)
            rates[workers] = args.samples / (time.perf_counter() - start)
            cpu_rates[workers] = args.samples / (cpu_seconds() - cpu)
        same = all((tmp / "out1" / f"shard-{k:06d}.tar").read_bytes() == (tmp / "out2" / f"shard-{k:06d}.tar").read_bytes()
                   for k in range(args.shards))

    print(f"samples={args.samples} shards={args.shards} resolution=512 realesrgan_share={args.realesrgan}")
    print(f"floor (build_sample alone, 1 process): {floor:.2f} samples/s")
    print(f"writer 1 worker: {rates[1]:.2f} samples/s  ratio to floor {rates[1] / floor:.3f}")
    print(f"writer 2 workers: {rates[2]:.2f} samples/s  speed-up {rates[2] / rates[1]:.2f}x  "
          f"ratio to 2x floor {rates[2] / (2 * floor):.3f}")
    print(f"1-worker and 2-worker shards byte-identical: {same}")
    # CPU-time view (robust when other jobs share the cores): samples per CPU-second, this process + pool workers
    print(f"cpu: floor {floor_cpu:.2f} samples/cpu-s; writer 1 worker {cpu_rates[1]:.2f} "
          f"(ratio {cpu_rates[1] / floor_cpu:.3f}); 2 workers {cpu_rates[2]:.2f} (ratio {cpu_rates[2] / floor_cpu:.3f}, "
          f"speed-up on 2 free cores ≈ {2 * cpu_rates[2] / cpu_rates[1]:.2f}x)")
    print(f"load average (1 min) at the end: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
