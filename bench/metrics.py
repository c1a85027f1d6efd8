"""Benchmark: one `tipbench.score` pass vs the separate passes a user would run otherwise, on the same pairs.

Reference ("separate passes"): torchmetrics PSNR/SSIM (RGB and Y) over the decoded pairs, the `lpips` package
(AlexNet, random backbone), and clean-fid `compute_fid(mode="clean")` with a custom extractor that is the very
same random Inception network the harness uses. Each pass decodes the PNGs itself, as separate tools do.
Harness: `score_run` with the same random networks (`--metric-weights random --random-arch full`), CLIP off
(the reference has no CLIP pass), first with a cold GT cache, then for a second method on the same split (warm).

    python bench/metrics.py [--pairs 200] [--size 512] [--arch tiny|full] [--workers 2] [--batch-size 8]
"""

from __future__ import annotations

import argparse
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch


def _image(rng: np.random.Generator, size: int) -> np.ndarray:
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    phase = rng.uniform(0, 6, 3)
    base = np.stack([0.5 + 0.4 * np.sin(6 * x + 2 * y + phase[0]), 0.5 + 0.4 * np.cos(5 * y + phase[1]),
                     0.5 + 0.3 * np.sin(9 * x * y + phase[2])], -1)
    image = base + 0.05 * rng.standard_normal((size, size, 3))
    return np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)


def make_data(root: Path, pairs: int, size: int) -> tuple[Path, list[Path]]:
    """A split folder and two run folders (methods `a` and `b`) of `pairs` 8-bit RGB PNG pairs."""
    from tipbench.contracts.run_folder import RunKey, output_path, write_run_json
    from tipbench.contracts.split_folder import new_item, write_split_folder
    from tipbench.io import write_png

    rng = np.random.default_rng(0)
    items, outs = [], {}
    for index in range(pairs):
        item_id = f"{index:05d}"
        gt = _image(rng, size)
        noise = rng.integers(-12, 13, gt.shape)
        outs[item_id] = np.clip(gt.astype(np.int16) + noise, 0, 255).astype(np.uint8)
        items.append(new_item(item_id, index, gt=gt, lq=gt, semantic_prompt="a picture"))
    folder = write_split_folder(root / "splits" / "bench-split", items, {"split": "bench-split", "source": "bench"})
    split = folder.path
    runs = []
    for method in ("a", "b"):
        key = RunKey("bench-split", method, "both")
        run = key.path(root / "runs")
        for item_id, image in outs.items():
            write_png(output_path(run, item_id), image)
        write_run_json(run, {**key.identity(), "split_manifest_sha256": folder.manifest_sha256})
        runs.append(run)
    return split, runs


def _decode_pairs(split: Path, run: Path):
    from PIL import Image

    for gt_path in sorted((split / "gt").glob("*.png")):
        out = np.array(Image.open(run / "out" / gt_path.name).convert("RGB"))
        gt = np.array(Image.open(gt_path).convert("RGB"))
        yield torch.from_numpy(out).permute(2, 0, 1), torch.from_numpy(gt).permute(2, 0, 1)


def _batches(split: Path, run: Path, batch_size: int):
    outs, gts = [], []
    for out, gt in _decode_pairs(split, run):
        outs.append(out)
        gts.append(gt)
        if len(outs) == batch_size:
            yield torch.stack(outs), torch.stack(gts)
            outs, gts = [], []
    if outs:
        yield torch.stack(outs), torch.stack(gts)


def separate_passes(split: Path, run: Path, args, extractor: torch.nn.Module, lpips_state: dict) -> dict:
    import lpips
    from cleanfid import fid as cleanfid
    from torchmetrics.functional.image import peak_signal_noise_ratio, structural_similarity_index_measure

    from tipbench.metrics.functional.image import rgb_to_y_bt601

    times, values = {}, {}
    # 1. torchmetrics PSNR/SSIM, RGB and Y, per image.
    start = time.perf_counter()
    psnr, ssim = [], []
    for out, gt in _batches(split, run, args.batch_size):
        for view in (lambda t: t.float(), lambda t: rgb_to_y_bt601(t).float()):  # float64 SSIM: ~10× slower
            a, b = view(out), view(gt)
            psnr.append(peak_signal_noise_ratio(a, b, data_range=255.0, dim=(1, 2, 3), reduction="none"))
            ssim.append(structural_similarity_index_measure(a, b, data_range=255.0, reduction="none"))
    times["torchmetrics psnr/ssim"] = time.perf_counter() - start
    # 2. lpips package with the same random AlexNet backbone.
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = lpips.LPIPS(net="alex", pnet_rand=True, verbose=False).eval()
    net.net.load_state_dict(lpips_state)
    scores = []
    with torch.inference_mode():
        for out, gt in _batches(split, run, args.batch_size):
            scores.append(net(out.float() / 127.5 - 1, gt.float() / 127.5 - 1).reshape(-1))
    times["lpips package"] = time.perf_counter() - start
    values["lpips"] = float(torch.cat(scores).mean())
    # 3. clean-fid over the two folders with the same random Inception.
    start = time.perf_counter()
    try:
        values["fid"] = float(cleanfid.compute_fid(str(run / "out"), str(split / "gt"), mode="clean",
                                                   custom_feat_extractor=extractor, num_workers=args.workers,
                                                   batch_size=args.batch_size, device=torch.device("cpu"),
                                                   verbose=False, use_dataparallel=False))
    except ValueError as exc:  # rank-deficient covariance when N < feature dim (full arch, few pairs)
        values["fid"] = float("nan")
        print(f"  clean-fid: {exc}")
    times["clean-fid compute_fid"] = time.perf_counter() - start
    return {"times": times, "values": values}


def harness_pass(run: Path, splits_dir: Path, args) -> tuple[float, dict]:
    from tipbench.score import ScoreConfig, score_run

    config = ScoreConfig(run_dir=str(run), splits_dir=str(splits_dir), metric_weights="random",
                         random_arch=args.arch, metrics=("lpips", "fid"), allow_small_fid=True,
                         batch_size=args.batch_size, workers=args.workers, progress=False)
    start = time.perf_counter()
    summary = score_run(config)
    return time.perf_counter() - start, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pairs", type=int, default=200)
    parser.add_argument("--size", type=int, default=512)
    parser.add_argument("--arch", choices=("tiny", "full"), default="tiny")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=8)
    args = parser.parse_args()

    from tipbench.metrics import networks

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        split, (run_a, run_b) = make_data(root, args.pairs, args.size)
        extractor, _ = networks.build_inception("random", args.arch)
        lpips_module, _ = networks.build_lpips("random")
        reference = separate_passes(split, run_a, args, extractor, lpips_module.net.state_dict())
        ref_total = sum(reference["times"].values())
        cold, summary = harness_pass(run_a, root / "splits", args)
        warm, summary_b = harness_pass(run_b, root / "splits", args)
        print(f"{args.pairs} pairs {args.size}×{args.size}, Inception arch `{args.arch}`, workers {args.workers}, "
              f"batch {args.batch_size}, torch threads {torch.get_num_threads()}")
        for name, seconds in reference["times"].items():
            print(f"  separate: {name:26s} {seconds:8.1f} s")
        print(f"  separate total                       {ref_total:8.1f} s  ({args.pairs / ref_total:.2f} pairs/s)")
        print(f"  harness one pass, cold GT cache      {cold:8.1f} s  ({args.pairs / cold:.2f} pairs/s)  "
              f"ratio {cold / ref_total:.2f}×")
        print(f"  harness one pass, warm GT cache      {warm:8.1f} s  ({args.pairs / warm:.2f} pairs/s)  "
              f"ratio {warm / ref_total:.2f}×  (cache {summary_b['gt_cache']})")
        print(f"  agreement: lpips {summary['lpips']:.6f} vs {reference['values']['lpips']:.6f}; "
              f"fid {summary['fid']} vs {reference['values']['fid']}")


if __name__ == "__main__":
    main()
