"""Degradation throughput at 512² (single process, one thread) and the ratio to an op floor measured in the same run.

For each pipeline (`param`, `realesrgan`) the same sampled records (seed 0, indices 0…N−1) are applied to a textured
512² image. For every record, the unavoidable operations are also timed alone, on inputs of the same sizes, with
the fastest library call for each (the "op floor"):
- blur: one 2-D filter (`cv2.filter2D` with the record's k×k kernel; `cv2.GaussianBlur` for the param pipeline);
- resize: one `cv2.resize` to the same size and mode (the param pipeline's antialiased bicubic on float data: Pillow
  BICUBIC on each mode-"F" plane, the only library call that resamples float data this way; `--uint8-resize-floor`
  times one RGB uint8 Pillow call instead, faster because it quantises, and so not the same operation);
- noise: one draw (`Generator.standard_normal`, or `Generator.poisson` for Poisson noise);
- JPEG: param pipeline — the faster of an OpenCV and a Pillow libjpeg encode+decode round trip; Real-ESRGAN (whose
  protocol requires the float simulation, not libjpeg) — one forward + inverse blockwise 8×8 DCT of the Y plane and
  the two 4:2:0 chroma planes (`scipy.fft`). A stricter Real-ESRGAN ratio that takes the faster of that and a
  libjpeg round trip is printed too.
Records are timed interleaved (pipeline, then its floor ops; best of R each) so machine load hits both alike.
Printed: images/s, ms/image, floor ms/image, ratio (target ≤ 1.3), the floor and the pipeline's own operators per
category, and the torch backend on CPU (test-set mode one image per call; training mode batch of 8).

    python bench/degrade.py [--images 24] [--repeats 3] [--param-set realesrgan-x4plus] [--no-torch] [--clock cpu]
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_variable] = "1"

import argparse  # noqa: E402
import math  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402

SIZE = 512


@dataclass(frozen=True)
class BenchConfig:
    images: int = 24
    repeats: int = 3
    torch: bool = True
    param_set: str = "realesrgan-x4plus"
    clock: str = "wall"
    uint8_resize_floor: bool = False


#: Clocks: wall time, or this process's CPU time (steadier on a loaded machine; with one thread = compute time).
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def best_time(
    function: Callable[[], object], repeats: int, clock: Callable[[], float] = time.perf_counter
) -> float:
    """Fastest of `repeats` runs, seconds on `clock`."""
    best = math.inf
    for _ in range(repeats):
        start = clock()
        function()
        best = min(best, clock() - start)
    return best


class OpTimer:
    """Accumulates, per category, the floor call and the pipeline's own operator on the same synthetic input."""

    def __init__(self, repeats: int, clock: Callable[[], float]) -> None:
        import numpy as np

        self.np = np
        self.repeats = repeats
        self.clock = clock
        self.rng = np.random.default_rng(0)
        self.floor: dict[str, float] = defaultdict(float)
        self.ours: dict[str, float] = defaultdict(float)
        self.uint8_resize_floor = False

    def best(self, function: Callable[[], object], repeats: int | None = None) -> float:
        return best_time(function, repeats or self.repeats, self.clock)

    def image(self, height: int, width: int):
        return self.rng.random((height, width, 3), dtype=self.np.float32)

    def add(
        self, category: str, floor: Callable[[], object], ours: Callable[[], object] | None = None
    ) -> None:
        self.floor[category] += self.best(floor)
        if ours is not None:
            self.ours[category] += self.best(ours)

    def noise_floor(self, shape, kind: str, gray: bool) -> Callable[[], object]:
        np, rng = self.np, self.rng
        field_shape = shape if gray else (*shape, 3)
        if kind == "gaussian":
            return lambda: rng.standard_normal(field_shape, dtype=np.float32)
        rates = np.rint(rng.random(field_shape) * 255) / 255 * 256
        return lambda: rng.poisson(rates)

    def libjpeg(self, shape, quality: float) -> float:
        import cv2

        pixels = (self.image(*shape) * 255).astype(self.np.uint8)
        flags = [cv2.IMWRITE_JPEG_QUALITY, int(round(quality))]
        return self.best(lambda: cv2.imdecode(cv2.imencode(".jpg", pixels, flags)[1], cv2.IMREAD_COLOR))

    def dct_pair(self, shape) -> Callable[[], object]:
        from scipy import fft

        height, width = -(-shape[0] // 16) * 16, -(-shape[1] // 16) * 16
        planes = [self.image(height, width)[..., 0].copy()] + [
            self.image(height // 2, width // 2)[..., 0].copy()
        ] * 2

        def run():
            for plane in planes:
                blocks = plane.reshape(plane.shape[0] // 8, 8, plane.shape[1] // 8, 8)
                fft.idctn(fft.dctn(blocks, axes=(1, 3), norm="ortho"), axes=(1, 3), norm="ortho")

        return run


def time_realesrgan_ops(timer: OpTimer, params) -> None:
    import cv2

    from tipbench.degradations.realesrgan import noise as noise_ops
    from tipbench.degradations.realesrgan.diffjpeg import diff_jpeg
    from tipbench.degradations.realesrgan.kernels import make_kernel
    from tipbench.degradations.realesrgan.numpy_backend import blur, unit_noise
    from tipbench.degradations.realesrgan.resize import resize_by_scale, resize_to_size

    flags = {"area": cv2.INTER_AREA, "bilinear": cv2.INTER_LINEAR, "bicubic": cv2.INTER_CUBIC}
    size1, size2, final = params.stage_sizes()
    rng = timer.rng

    def blur_op(shape, kernel):
        x = timer.image(*shape)
        dense = make_kernel(kernel, padded=False)
        floor = lambda: cv2.filter2D(x, -1, dense, borderType=cv2.BORDER_REFLECT_101)  # noqa: E731
        timer.add("blur", floor, lambda: blur(x, kernel))

    def resize_op(shape, size, mode, ours):
        x = timer.image(*shape)
        timer.add(
            "resize", lambda: cv2.resize(x, (size[1], size[0]), interpolation=flags[mode]), lambda: ours(x)
        )

    def noise_op(shape, noise):
        x = timer.image(*shape)
        timer.add(
            "noise",
            timer.noise_floor(shape, noise.kind, noise.gray),
            lambda: noise_ops.add_noise(x, unit_noise(rng, x, noise), noise.strength),
        )

    def jpeg_op(shape, quality):
        x = timer.image(*shape)
        timer.add("jpeg", timer.dct_pair(shape), lambda: diff_jpeg(x, quality))
        timer.floor["jpeg-strict"] += min(timer.libjpeg(shape, quality), timer.best(timer.dct_pair(shape), 1))

    blur_op(params.input_size, params.kernel1)
    if params.resize1.scale != 1.0:
        resize_op(params.input_size, size1, params.resize1.mode,
                  lambda x: resize_by_scale(x, params.resize1.scale, params.resize1.mode))  # fmt: skip
    noise_op(size1, params.noise1)
    jpeg_op(size1, params.jpeg1_quality)
    if params.second_blur:
        blur_op(size1, params.kernel2)
    resize_op(size1, size2, params.resize2.mode, lambda x: resize_to_size(x, size2, params.resize2.mode))
    noise_op(size2, params.noise2)
    resize_op(
        size2, final, params.final_resize_mode, lambda x: resize_to_size(x, final, params.final_resize_mode)
    )
    if params.final_kernel.kind == "sinc":
        blur_op(final, params.final_kernel)
    jpeg_op(final if params.final_order == "resize-sinc-jpeg" else size2, params.jpeg2_quality)


def time_param_ops(timer: OpTimer, params) -> None:
    import io

    import cv2
    import numpy as np
    from PIL import Image

    from tipbench.degradations import param_ops

    shape = (SIZE, SIZE)
    if params.blur_sigma is not None:
        x, sigma = timer.image(*shape), params.blur_sigma
        k = param_ops.blur_kernel_size(sigma)
        floor = lambda: cv2.GaussianBlur(x, (k, k), sigma, borderType=cv2.BORDER_REFLECT_101)  # noqa: E731
        timer.add("blur", floor, lambda: param_ops.gaussian_blur(x, sigma))
    if params.downsample_factor is not None:
        out_h, out_w = param_ops.downsample_size(SIZE, SIZE, params.downsample_factor)
        x = timer.image(*shape)
        # Floor: Pillow's antialiased bicubic on float data, one mode-"F" call per plane (protocol §3 keeps float
        # between stages; Pillow has no 3-channel float mode). `--uint8-resize-floor` times one RGB uint8 call
        # instead, which is faster but quantises.
        planes = [Image.fromarray(np.ascontiguousarray(x[..., c])) for c in range(3)]
        rgb = Image.fromarray((x * 255).astype(np.uint8))
        floor = (
            (lambda: rgb.resize((out_w, out_h), Image.BICUBIC))
            if timer.uint8_resize_floor
            else (lambda: [plane.resize((out_w, out_h), Image.BICUBIC) for plane in planes])
        )
        timer.add("resize", floor, lambda: param_ops.bicubic_downsample(x, params.downsample_factor))
        shape = (out_h, out_w)
    if params.noise_sigma is not None:
        x = timer.image(*shape)
        floor = timer.noise_floor(shape, "gaussian", False)
        timer.add("noise", floor, lambda: param_ops.add_gaussian_noise(x, params.noise_sigma, floor()))
    if params.jpeg_quality is not None:
        x = timer.image(*shape)
        pixels = Image.fromarray((x * 255).astype(np.uint8))

        def pillow_round_trip():
            buffer = io.BytesIO()
            pixels.save(buffer, format="JPEG", quality=params.jpeg_quality, subsampling=2)
            buffer.seek(0)
            return np.asarray(Image.open(buffer).convert("RGB"))

        libjpeg = min(timer.libjpeg(shape, params.jpeg_quality), timer.best(pillow_round_trip))
        timer.floor["jpeg"] += libjpeg
        timer.ours["jpeg"] += timer.best(lambda: param_ops.jpeg_roundtrip(x, params.jpeg_quality))


def profile_pipeline(name: str, cfg: BenchConfig, gt) -> dict:
    """Per record: `apply` (best of R), then the record's floor ops and the pipeline's own ops."""
    from tipbench.degradations import DEGRADATIONS
    from tipbench.seeding import Stage, item_rng

    pipeline = DEGRADATIONS.get(name)
    options = {"param_set": cfg.param_set} if name == "realesrgan" else {}
    records = [pipeline.sample(item_rng(0, Stage.DEGRADATION, i), **options) for i in range(cfg.images)]
    pipeline.apply(gt, records[0])  # warm-up
    timer = OpTimer(cfg.repeats, CLOCKS[cfg.clock])
    timer.uint8_resize_floor = cfg.uint8_resize_floor
    total = 0.0
    for record in records:
        total += timer.best(lambda r=record: pipeline.apply(gt, r))
        (time_realesrgan_ops if name == "realesrgan" else time_param_ops)(timer, record)
    return {
        "name": name,
        "records": records,
        "seconds": total,
        "floor": dict(timer.floor),
        "ours": dict(timer.ours),
    }


def profile_torch(cfg: BenchConfig, gt, records) -> dict:
    import torch

    from tipbench.degradations.realesrgan.torch_backend import apply_batch, degrade_training_batch
    from tipbench.seeding import torch_generator

    torch.set_num_threads(1)
    batch = torch.from_numpy(gt).permute(2, 0, 1)[None].float() / 255
    apply_batch(batch, records[:1])
    clock = CLOCKS[cfg.clock]
    per_image = sum(best_time(lambda r=r: apply_batch(batch, [r]), 1, clock) for r in records)
    batch8 = batch.repeat(8, 1, 1, 1)
    trained = best_time(
        lambda: degrade_training_batch(batch8, torch_generator(0), generator=torch_generator(1)), 2
    )
    return {"test_mode_seconds": per_image, "training_batch8_seconds": trained}


def _per_image(values: dict[str, float], n: int, skip: tuple[str, ...] = ()) -> str:
    return ", ".join(f"{k} {v / n * 1e3:.2f}" for k, v in sorted(values.items()) if k not in skip)


def run_bench(cfg: BenchConfig) -> list[str]:
    import cv2

    cv2.setNumThreads(1)
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the repository root, for tests.conftest
    from tests.conftest import textured_image

    gt = textured_image(SIZE)
    n = cfg.images
    lines = [
        f"512² → LQ, {n} records each, best of {cfg.repeats} ({cfg.clock} clock), one thread; "
        f"Real-ESRGAN set `{cfg.param_set}`",
        f"{'pipeline':<12} {'img/s':>7} {'ms/img':>8} {'floor ms':>9} {'ratio':>6}",
    ]
    results = [profile_pipeline(name, cfg, gt) for name in ("param", "realesrgan")]
    for result in results:
        floor = sum(v for k, v in result["floor"].items() if k != "jpeg-strict")
        lines.append(
            f"{result['name']:<12} {n / result['seconds']:7.1f} {result['seconds'] / n * 1e3:8.2f} "
            f"{floor / n * 1e3:9.2f} {result['seconds'] / floor:6.2f}"
        )
    for result in results:
        lines.append(
            f"  {result['name']} floor ops (ms/img): {_per_image(result['floor'], n, ('jpeg-strict',))}"
        )
        lines.append(f"  {result['name']} own ops   (ms/img): {_per_image(result['ours'], n)}")
    strict = results[1]["floor"]
    strict_total = sum(v for k, v in strict.items() if k != "jpeg")
    lines.append(
        f"  realesrgan ratio with JPEG floor = min(libjpeg round trip, DCT pair): "
        f"{results[1]['seconds'] / strict_total:.2f} (JPEG floor {strict['jpeg-strict'] / n * 1e3:.2f} ms/img)"
    )
    if cfg.torch:
        timing = profile_torch(cfg, gt, results[1]["records"])
        lines.append(
            f"{'torch CPU':<12} {n / timing['test_mode_seconds']:7.1f} {timing['test_mode_seconds'] / n * 1e3:8.2f}"
            f"   (Real-ESRGAN, test-set mode, one image per call); training mode, batch of 8: "
            f"{8 / timing['training_batch8_seconds']:.1f} img/s"
        )
    return lines


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--images", type=int, default=BenchConfig.images, metavar="N", help="records per pipeline"
    )
    parser.add_argument(
        "--repeats", type=int, default=BenchConfig.repeats, metavar="R", help="best of R runs"
    )
    parser.add_argument(
        "--param-set", default=BenchConfig.param_set, choices=["realesrgan-x4plus", "stablesr"]
    )
    parser.add_argument("--no-torch", action="store_true", help="skip the torch backend")
    parser.add_argument(
        "--uint8-resize-floor",
        action="store_true",
        help="param pipeline: time the resize floor as one RGB uint8 Pillow call (quantising) instead of float planes",
    )
    parser.add_argument(
        "--clock", default=BenchConfig.clock, choices=sorted(CLOCKS), help="wall or process CPU time"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.images < 1 or args.repeats < 1:
        build_parser().error("--images and --repeats must be ≥ 1")
    cfg = BenchConfig(
        images=args.images,
        repeats=args.repeats,
        torch=not args.no_torch,
        param_set=args.param_set,
        clock=args.clock,
        uint8_resize_floor=args.uint8_resize_floor,
    )
    sys.stdout.write("\n".join(run_bench(cfg)) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
