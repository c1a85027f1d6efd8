"""The run loop keeps the restorer busy, and two processes restore nearly twice as fast as one.

1. Overlap: a stand-in restorer that takes a fixed time per batch (it sleeps, as a GPU kernel leaves the CPU free)
   runs through `tipbench.run`'s loop. The I/O floor is the loop's own file work done serially in one thread (decode
   each LQ, read each GT header, encode and atomically write each output PNG); the restorer's time per batch is set
   so its total equals that floor (the hardest case: neither hides the other). Target: loop time
   ≤ 1.1 × max(restorer, I/O). The in-line loop (`--io-threads 0`), ≈ their sum, is printed for reference.
2. Scale-out: `classical-prompted` on the same split in one process (`python -m tipbench.run`) and in two
   (`accelerate launch --multi_gpu --num_processes 2 … --device cpu`: two gloo ranks on a CPU machine). Throughput =
   items / restore-loop seconds from run.json (the longest rank); the whole-command wall clocks are printed too (they
   include each process's start-up). Target: ≥ 1.7× one process. Outputs of both runs are checked byte-identical.

    python bench/run_loop.py                    # 32 images, batches of 2
    python bench/run_loop.py --skip-scale       # only the overlap part
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]


def _split(root: Path, images: int, size: int) -> Path:
    """`root/bench-loop/`: sample photos centre-cropped to `size`², param-degraded (seed 0)."""
    from PIL import Image

    from tipbench.contracts.split_folder import new_item, write_split_folder
    from tipbench.degradations import param

    photos = []
    for path in sorted((ROOT / "tipbench" / "data" / "sample").glob("*.jpg")):
        with Image.open(path) as image:
            image = image.convert("RGB")
            scale = size / min(image.size)
            image = image.resize((max(size, round(image.width * scale)), max(size, round(image.height * scale))))
            left, top = (image.width - size) // 2, (image.height - size) // 2
            photos.append(np.asarray(image.crop((left, top, left + size, top + size))))
    items = []
    for index in range(images):
        gt = photos[index % len(photos)]
        result = param.degrade(gt, seed=0, index=index)
        items.append(new_item(f"{index:012d}", index, gt=gt, lq=result.lq, restoration_prompt=result.restoration_prompt,
                              restoration_prompt_type=result.restoration_prompt_type, pipeline="param",
                              params=result.params))
    return write_split_folder(root / "bench-loop", items, {"split": "bench-loop", "source": "sample"}).path


class FixedTimeRestorer:
    """Stand-in: a nearest-neighbour upscale, padded with sleep to exactly `seconds` per call (batch)."""

    name = "fixed-time"
    uses_semantic_prompt = uses_restoration_prompt = False

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def restore_batch(self, requests: list[dict]) -> list[np.ndarray]:
        started = time.perf_counter()
        outputs = []
        for request in requests:
            lq, (height, width) = request["lq"], request["out_size"]
            rows = np.minimum(np.arange(height) * lq.shape[0] // height, lq.shape[0] - 1)
            cols = np.minimum(np.arange(width) * lq.shape[1] // width, lq.shape[1] - 1)
            outputs.append(np.ascontiguousarray(lq[rows][:, cols]))
        time.sleep(max(0.0, self.seconds - (time.perf_counter() - started)))
        return outputs

    def restore(self, lq, *, out_size=(512, 512), **_: object) -> np.ndarray:
        return self.restore_batch([{"lq": lq, "out_size": out_size}])[0]


def _io_floor(split_dir: Path, out_dir: Path) -> float:
    """Seconds of the loop's file work for every item, serially in one thread."""
    from tipbench.contracts.split_folder import read_split_folder
    from tipbench.io import write_png
    from tipbench.run.loop import ItemFeed

    split = read_split_folder(split_dir)
    feed = ItemFeed(split.path, "both")
    started = time.perf_counter()
    for row in split.rows:
        request = feed(row)
        write_png(out_dir / f"{row.id}.png", FixedTimeRestorer(0).restore(request["lq"], out_size=request["out_size"]))
    return time.perf_counter() - started


def _loop(split_dir: Path, run_dir: Path, per_batch: float, batch_size: int, io_threads: int) -> float:
    from tipbench.contracts.split_folder import read_split_folder
    from tipbench.run.loop import ItemFeed, restore_items

    split = read_split_folder(split_dir)
    started = time.perf_counter()
    restore_items(FixedTimeRestorer(per_batch), list(split.rows), run_dir, ItemFeed(split.path, "both"),
                  batch_size=batch_size, progress=False, io_threads=io_threads)
    return time.perf_counter() - started


def overlap(split_dir: Path, work: Path, batch_size: int, repeats: int) -> tuple[float, float, float, float]:
    """(I/O floor, restorer total, overlapped loop, in-line loop), best of `repeats`."""
    images = len(list((split_dir / "lq").glob("*.png")))
    batches = -(-images // batch_size)
    io = min(_io_floor(split_dir, work / f"floor{r}") for r in range(repeats))
    per_batch = io / batches
    loops = [_loop(split_dir, work / f"overlap{r}", per_batch, batch_size, 2) for r in range(repeats)]
    inline = [_loop(split_dir, work / f"inline{r}", per_batch, batch_size, 0) for r in range(repeats)]
    return io, per_batch * batches, min(loops), min(inline)


def _cli_run(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run(args, check=True, env=env, cwd=ROOT, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def scale_out(split_dir: Path, work: Path, port: int) -> dict[str, float]:
    from tipbench.io import read_json

    env = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1"}
    common = ["--method", "classical-prompted", "--split", split_dir.name, "--splits-dir", str(split_dir.parent),
              "--no-score", "-q", "--device", "cpu"]
    one_wall = _cli_run([sys.executable, "-m", "tipbench.run", *common, "--runs-dir", str(work / "one")], env)
    two_wall = _cli_run([sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
                         "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
                         "--main_process_port", str(port), "-m", "tipbench.run", *common,
                         "--runs-dir", str(work / "two")], env)
    runs = {name: work / name / split_dir.name / "classical-prompted" / "both" for name in ("one", "two")}
    records = {name: read_json(path / "run.json") for name, path in runs.items()}
    same = all((runs["one"] / "out" / p.name).read_bytes() == p.read_bytes() for p in (runs["two"] / "out").glob("*"))
    return {"one_ips": records["one"]["images_per_second"], "two_ips": records["two"]["images_per_second"],
            "one_wall": one_wall, "two_wall": two_wall, "processes": records["two"]["processes"], "same": same}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=32)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--port", type=int, default=29517, help="rendezvous port of the 2-process run")
    parser.add_argument("--skip-scale", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        split_dir = _split(work / "splits", args.images, args.size)
        io, restorer, looped, inline = overlap(split_dir, work, args.batch_size, args.repeats)
        ratio = looped / max(io, restorer)
        print(f"{args.images} images {args.size}², batches of {args.batch_size}; load average {load:.1f}")
        print(f"I/O floor (serial)      {io:7.2f} s")
        print(f"stand-in restorer       {restorer:7.2f} s  ({restorer / -(-args.images // args.batch_size):.3f} s/batch)")
        print(f"loop, overlapped I/O    {looped:7.2f} s  = {ratio:.2f} × max(restorer, I/O)  (target ≤ 1.1)")
        print(f"loop, in-line I/O       {inline:7.2f} s  = {inline / max(io, restorer):.2f} × max  (≈ the sum)")
        scale = None if args.skip_scale else scale_out(split_dir, work, args.port)
        if scale:
            speedup = scale["two_ips"] / scale["one_ips"]
            print(f"classical-prompted, 1 process   {scale['one_ips']:6.3f} img/s  (command {scale['one_wall']:.1f} s)")
            print(f"classical-prompted, 2 processes {scale['two_ips']:6.3f} img/s  (command {scale['two_wall']:.1f} s)"
                  f"  = {speedup:.2f}× (target ≥ 1.7); outputs identical: {scale['same']}")
        day = time.strftime("%Y-%m-%d")
        line = (f"| {day} | {load:.1f} | {args.images} × {args.size}², batch {args.batch_size} | {ratio:.2f} "
                f"| {inline / max(io, restorer):.2f} | " + (f"{speedup:.2f}× |" if scale else "— |"))
        print("\nmarkdown row for docs/benchmarks.md (date | load | images | overlapped/max | in-line/max | 2 procs):")
        print(line)


if __name__ == "__main__":
    main()
