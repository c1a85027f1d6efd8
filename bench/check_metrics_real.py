"""Cross-check with REAL weights (a GPU machine): the harness vs clean-fid `compute_fid` and the lpips package.

Needs `inception-fid`, `lpips-alexnet` (and, for CLIP, `clip-vit-l-14-openai`) resolvable through the weights
registry (`python -m tipbench.weights verify inception-fid lpips-alexnet`). Scores one run folder with
`tipbench.score` (real weights), then recomputes FID with clean-fid over the same two folders (its own
torchscript Inception loaded from the registry path, mode="clean") and LPIPS with `lpips.LPIPS(net="alex")`
using the same AlexNet file, and prints the differences. Nothing is downloaded.

    python bench/check_metrics_real.py RUN_DIR [--splits-dir D] [--device cuda] [--batch-size 64]
    python bench/check_metrics_real.py --make-demo 300 --device cuda   # synthetic pairs when no run exists
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
import torch


def _lpips_reference(run_dir: Path, split_dir: Path, ids: list[str], device: str, batch_size: int) -> np.ndarray:
    import lpips
    from PIL import Image

    from tipbench.metrics.networks import load_alexnet_backbone
    from tipbench.weights import resolve

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = lpips.LPIPS(net="alex", pnet_rand=True, verbose=False)
    load_alexnet_backbone(net, torch.load(resolve("lpips-alexnet"), map_location="cpu", weights_only=True))
    net = net.to(device).eval()
    values = []
    for start in range(0, len(ids), batch_size):
        chunk = ids[start:start + batch_size]
        load = lambda p: torch.from_numpy(np.array(Image.open(p).convert("RGB"))).permute(2, 0, 1)  # noqa: E731
        out = torch.stack([load(run_dir / "out" / f"{i}.png") for i in chunk]).to(device)
        gt = torch.stack([load(split_dir / "gt" / f"{i}.png") for i in chunk]).to(device)
        with torch.no_grad():
            # lpips' own [0, 1] → [-1, 1] conversion (normalize=True), independent of the harness's.
            values.append(net(out.float() / 255.0, gt.float() / 255.0, normalize=True).reshape(-1).cpu())
    return torch.cat(values).double().numpy()


def _cleanfid_reference(run_dir: Path, split_dir: Path, device: str, batch_size: int) -> float:
    from cleanfid import fid
    from cleanfid.inception_torchscript import InceptionV3W

    from tipbench.weights import resolve

    model = InceptionV3W(str(resolve("inception-fid").parent), download=False).to(device).eval()
    return float(fid.compute_fid(str(run_dir / "out"), str(split_dir / "gt"), mode="clean",
                                 custom_feat_extractor=model, device=torch.device(device), batch_size=batch_size,
                                 num_workers=4, verbose=False, use_dataparallel=False))


def _make_demo(root: Path, n: int) -> tuple[Path, Path]:
    sys.path.insert(0, str(Path(__file__).parent))
    from metrics import make_data  # bench/metrics.py

    split, (run, _) = make_data(root, n, 512)
    return run, split.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run_dir", nargs="?")
    parser.add_argument("--splits-dir")
    parser.add_argument("--make-demo", type=int, metavar="N", help="score N synthetic 512² pairs instead")
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--clip", action="store_true", help="also compute CLIP-I/CLIP-T (needs the CLIP weights)")
    args = parser.parse_args()
    if (args.run_dir is None) == (args.make_demo is None):
        parser.error("give RUN_DIR or --make-demo N")

    from tipbench.contracts.run_folder import read_run_json
    from tipbench.score import ScoreConfig, score_run
    from tipbench.score.checks import find_split_dir

    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    with tempfile.TemporaryDirectory() as tmp:
        if args.make_demo:
            run_dir, splits_dir = _make_demo(Path(tmp), args.make_demo)
        else:
            run_dir, splits_dir = Path(args.run_dir), args.splits_dir
        split_dir = find_split_dir(read_run_json(run_dir), splits_dir)
        start = time.perf_counter()
        summary = score_run(ScoreConfig(run_dir=str(run_dir), splits_dir=str(split_dir.parent),
                                        metrics=("lpips", "fid", "clip") if args.clip else ("lpips", "fid"),
                                        strict_metrics=True, allow_small_fid=True, device=args.device,
                                        batch_size=args.batch_size, workers=4, progress=False))
        harness_seconds = time.perf_counter() - start
        import pandas as pd

        scores = pd.read_parquet(run_dir / "scores.parquet")
        start = time.perf_counter()
        lpips_ref = _lpips_reference(run_dir, split_dir, list(scores["id"]), args.device, args.batch_size)
        fid_ref = _cleanfid_reference(run_dir, split_dir, args.device, args.batch_size)
        reference_seconds = time.perf_counter() - start
    lpips_diff = np.abs(scores["lpips"].to_numpy() - lpips_ref)
    report = {
        "n": summary["n"], "device": args.device,
        "fid_harness": summary["fid"], "fid_cleanfid": fid_ref, "fid_abs_diff": abs(summary["fid"] - fid_ref),
        "lpips_harness_mean": summary["lpips"], "lpips_package_mean": float(lpips_ref.mean()),
        "lpips_max_abs_diff_per_pair": float(lpips_diff.max()),
        "harness_seconds": harness_seconds, "reference_seconds": reference_seconds,
        "metric_weights": summary["metric_weights"], "versions": summary["versions"],
        "clip_i": summary["clip_i"], "clip_t": summary["clip_t"],
    }
    print(json.dumps(report, indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
