"""Throughput of the CPU methods and of the run loop, with the ratio to a reference measured in the same run.

Inputs: the bundled sample photos canonicalised to 512² (protocol §1), each degraded with the param pipeline
(protocol §3, seed 0). Prints images/s of `bicubic` (the reference: a resize) and `classical-prompted`, the
classical method's PSNR gain over bicubic, and the overhead of `tipbench.run` (PNG reads/writes, atomic writes,
records) against calling the restorer directly.

    python bench/run_methods.py --images 18
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np


def _sample_gt(size: int) -> list[np.ndarray]:
    from PIL import Image

    folder = Path(__file__).resolve().parents[1] / "tipbench" / "data" / "sample"
    images = []
    for path in sorted(folder.glob("*.jpg")):
        with Image.open(path) as image:
            image = image.convert("RGB")
            scale = size / min(image.size)
            image = image.resize((max(size, round(image.width * scale)), max(size, round(image.height * scale))),
                                 Image.BICUBIC)
            left, top = (image.width - size) // 2, (image.height - size) // 2
            images.append(np.asarray(image.crop((left, top, left + size, top + size))))
    return images


def _psnr(a: np.ndarray, b: np.ndarray) -> float:
    return float(10 * np.log10(255.0**2 / np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)))


def _timed(restorer, cases) -> tuple[float, list[np.ndarray]]:
    started = time.perf_counter()
    outputs = [restorer.restore(lq, restoration_prompt=prompt, out_size=gt.shape[:2]) for gt, lq, prompt in cases]
    return time.perf_counter() - started, outputs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=18)
    parser.add_argument("--size", type=int, default=512)
    args = parser.parse_args()

    from baselines.bicubic import BicubicRestorer
    from baselines.classical_prompted import ClassicalPromptedRestorer
    from tipbench.degradations import param

    photos = _sample_gt(args.size)
    cases = []
    for index in range(args.images):
        gt = photos[index % len(photos)]
        cases.append((gt, *(lambda r: (r.lq, r.restoration_prompt))(param.degrade(gt, seed=0, index=index))))
    bicubic, classical = BicubicRestorer(), ClassicalPromptedRestorer()
    classical.restore(cases[0][1], restoration_prompt=cases[0][2], out_size=cases[0][0].shape[:2])  # warm imports
    bicubic_s, bicubic_out = _timed(bicubic, cases)
    classical_s, classical_out = _timed(classical, cases)
    gain = np.mean([_psnr(c, gt) - _psnr(b, gt) for (gt, _, _), b, c in zip(cases, bicubic_out, classical_out)])
    n = len(cases)
    print(f"{n} images {args.size}², param pipeline seed 0")
    print(f"bicubic (reference):  {n / bicubic_s:8.2f} img/s")
    print(f"classical-prompted:   {n / classical_s:8.2f} img/s  ({classical_s / bicubic_s:.1f}× bicubic's time)")
    print(f"PSNR gain of classical-prompted over bicubic: {gain:+.2f} dB (mean of per-image gains)")

    # The run loop's own cost: tipbench.run with bicubic vs the direct calls above.
    from tipbench.contracts.split_folder import new_item, write_split_folder
    from tipbench.run import RunConfig, run_method

    with tempfile.TemporaryDirectory() as tmp:
        items = [new_item(f"{index:012d}", index, gt=gt, lq=lq, restoration_prompt=prompt, restoration_prompt_type="")
                 for index, (gt, lq, prompt) in enumerate(cases)]
        write_split_folder(Path(tmp) / "splits" / "bench-param", items, {"split": "bench-param", "source": "sample"})
        record = run_method(RunConfig(method="bicubic", split="bench-param", splits_dir=str(Path(tmp) / "splits"),
                                      runs_dir=str(Path(tmp) / "runs"), score=False, progress=False))
    print(f"tipbench.run bicubic: {record['images_per_second']:8.2f} img/s  "
          f"({record['seconds'] / bicubic_s:.1f}× the direct calls: PNG decode/encode + atomic writes)")


if __name__ == "__main__":
    main()
