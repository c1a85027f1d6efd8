"""Results browser at benchmark scale: a synthetic split of 3000 items with 10 scored runs, built into a site and
opened in headless Chromium (Debian's chromium + chromedriver through Selenium; nothing is downloaded).

Made once under --work (reused by later runs; --fresh remakes it): a param split of `--items` seeded textures at
`--size`² (the real param pipeline writes the LQs and prompts) and `--runs` run folders whose outputs are noisy GTs,
with scores.parquet (PSNR measured, SSIM/LPIPS seeded stand-ins: the page only sorts and shows them) and
summary.json. Timed:
- thumbnails, cold: `build_site` from nothing, one process (`--workers 0`), per image; reference: decoding each
  source image once with Pillow (the least any thumbnailer does);
- rebuild, warm: `build_site` again, every thumbnail reused (what a user pays after a new run is scored, minus
  that run's thumbnails);
- index load in headless Chromium, median of `--loads` fresh loads, by the page's own clock (`performance.now()`,
  from navigation start): the first page rendered, and its first thumbnails (those loaded eagerly, above the fold)
  loaded; reference: a page that loads only the data script (`data/site.js`), the floor of any page showing it;
- item view: opening one item, until every panel's full image has loaded.
Prints a markdown line for docs/benchmarks.md.

    python bench/browse.py [--items 3000] [--runs 10] [--size 128] [--loads 5] [--work /tmp/tipbench-bench-browse]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import time
from pathlib import Path

import numpy as np


def make_data(work: Path, n: int, runs: int, size: int) -> tuple[Path, Path]:
    from tipbench import degrade
    from tipbench.contracts.prompt_policy import DEFAULT_POLICY, NONE
    from tipbench.contracts.run_folder import RunKey, output_path, write_run_json
    from tipbench.contracts.scores import SUMMARY_JSON, write_scores
    from tipbench.contracts.split_folder import new_item, write_split_folder
    from tipbench.io import write_json, write_png

    splits, runs_dir = work / "splits", work / "runs"
    if (splits / "coco-param" / "manifest.parquet").is_file() and (runs_dir / "coco-param").is_dir():
        return splits, runs_dir
    shutil.rmtree(work, ignore_errors=True)
    nouns = ["cat", "bus", "kitchen", "beach", "pizza", "street", "dog", "train", "giraffe", "boat"]
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    gts, items = [], []
    for index in range(n):
        rng = np.random.default_rng(index)
        phase = rng.uniform(0, 6, 3)
        image = np.stack([0.5 + 0.4 * np.sin((4 + c) * x * (1 + index % 5) + (3 + c) * y + phase[c]) for c in range(3)],
                         -1) + 0.05 * rng.standard_normal((size, size, 3))
        gt = np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)
        result = degrade(gt, "param", seed=0, index=index)
        caption = f"a photo of a {nouns[index % 10]} next to a {nouns[(index * 7) % 10]}, scene {index}"
        items.append(new_item(f"{index:012d}", index, gt=gt, lq=result.lq, semantic_prompt=caption,
                              restoration_prompt=result.restoration_prompt,
                              restoration_prompt_type=result.restoration_prompt_type, params=result.params))
        gts.append(gt)
    split = write_split_folder(splits / "coco-param", items, {"split": "coco-param", "seed": 0, "source": "sample"})
    methods = ["bicubic", "classical-prompted", "swinir", "stablesr", "diffbir", "controlnet-sr", "tip"]
    keys = [(methods[i % len(methods)], (DEFAULT_POLICY, NONE)[i // len(methods) % 2], None if i < 2 * len(methods)
             else f"v{i}") for i in range(runs)]
    for number, (method, prompts, variant) in enumerate(keys):
        key = RunKey("coco-param", method, prompts, variant)
        run_dir = key.path(runs_dir)
        rng = np.random.default_rng(1000 + number)
        psnr = []
        for row, gt in zip(split.rows, gts):
            out = np.clip(gt.astype(np.int16) + rng.integers(-8 - 2 * number, 9 + 2 * number, gt.shape), 0, 255)
            write_png(output_path(run_dir, row.id), out.astype(np.uint8))
            mse = float(np.mean((out - gt.astype(np.int16)) ** 2))
            psnr.append(10 * np.log10(255.0 ** 2 / max(mse, 1e-10)))
        columns = {"psnr": np.array(psnr), "ssim": rng.uniform(0.4, 0.95, n), "lpips": rng.uniform(0.05, 0.6, n)}
        write_scores(run_dir / "scores.parquet", split.ids, columns)
        write_run_json(run_dir, {**key.identity(), "split_manifest_sha256": split.manifest_sha256, "weights": "real"})
        write_json(run_dir / SUMMARY_JSON, {**key.identity(), "source": "sample", "n": n, "weights": "real",
                                            **{name: float(v.mean()) for name, v in columns.items()}})
    return splits, runs_dir


def decode_reference(paths: list[Path]) -> float:
    from PIL import Image

    start = time.perf_counter()
    for path in paths:
        with Image.open(path) as image:
            image.load()
    return (time.perf_counter() - start) / len(paths)


def browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--force-device-scale-factor=1"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)


def poll(driver, script: str, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return float(value)
        time.sleep(0.01)
    raise RuntimeError(f"timed out: {script[:60]}")


def load_times(driver, url: str, loads: int, clocks: tuple[str, ...]) -> list[float]:
    """Median over `loads` fresh loads of each page clock (ms from navigation start, as the page recorded it)."""
    samples: list[list[float]] = [[] for _ in clocks]
    for _ in range(loads):
        driver.get("about:blank")
        driver.get(url)
        for sample, clock in zip(samples, clocks):
            sample.append(poll(driver, f"return {clock}"))
    return [statistics.median(sample) for sample in samples]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=3000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--size", type=int, default=128, help="GT side in pixels (LQs follow the param pipeline)")
    parser.add_argument("--loads", type=int, default=5)
    parser.add_argument("--work", default="/tmp/tipbench-bench-browse")
    parser.add_argument("--fresh", action="store_true", help="remake the synthetic split and runs")
    parser.add_argument("--keep-thumbnails", action="store_true",
                        help="reuse the last site's thumbnails (no cold build): only the rebuild and the loads")
    args = parser.parse_args()
    from tipbench.browse import BrowseConfig, build_site
    from tipbench.contracts.split_folder import read_split_folder

    work = Path(args.work)
    if args.fresh:
        shutil.rmtree(work, ignore_errors=True)
    start = time.perf_counter()
    splits, runs = make_data(work, args.items, args.runs, args.size)
    print(f"data: {time.perf_counter() - start:.0f} s (reused when already there)")
    site = work / "site"
    if not args.keep_thumbnails:
        shutil.rmtree(site, ignore_errors=True)
    config = BrowseConfig(split="coco-param", out=str(site), splits_dir=str(splits), runs_dir=str(runs), workers=0,
                          progress=False)
    start = time.perf_counter()
    result = build_site(config)
    cold = time.perf_counter() - start
    start = time.perf_counter()
    warm_result = build_site(config)
    warm = time.perf_counter() - start
    assert warm_result.thumbs_made == 0
    n_thumbs = result.thumbs_made + result.thumbs_reused
    split = read_split_folder(splits / "coco-param")
    sample = [split.image(row, "gt") for row in split.rows[:500]] + [split.image(row, "lq") for row in split.rows[:500]]
    sample += sorted((runs / "coco-param").glob("*/*/out/*.png"))[:1000]
    reference = decode_reference(sample)
    per_thumb = cold / n_thumbs
    site_js = (site / "data" / "site.js").stat().st_size / 1e6
    cold_text = (f"{n_thumbs} in {cold:.0f} s = {per_thumb * 1e3:.2f} ms each ({per_thumb / reference:.1f} × a Pillow "
                 f"decode, {reference * 1e3:.2f} ms)" if result.thumbs_made else "not measured (--keep-thumbnails)")
    print(f"thumbnails, cold: {cold_text}; warm rebuild: {warm:.1f} s; data/site.js {site_js:.1f} MB")
    (work / "reference.html").write_text(
        '<!DOCTYPE html><meta charset="utf-8"><script src="site/assets/common.js"></script>'
        '<script src="site/data/site.js"></script>', encoding="utf-8")
    driver = browser()
    try:
        index_ready, index_thumbs = load_times(driver, (site / "index.html").as_uri(), args.loads,
                                               ("window.TB_READY_MS", "window.TB_THUMBS_MS"))
        cards = driver.execute_script("return document.querySelectorAll('.card').length")
        (ref_ready,) = load_times(driver, (work / "reference.html").as_uri(), args.loads,
                                  ("window.TB && TB.site && performance.now()",))
        item_id = split.ids[args.items // 2]
        (item_images,) = load_times(driver, (site / "index.html").as_uri() + f"#item={item_id}", args.loads,
                                    ("document.documentElement.getAttribute('data-item-images-ms')",))
    finally:
        driver.quit()
    load = os.getloadavg()[0]
    print(f"index: first page ({cards} cards of {args.items}) ready {index_ready:.0f} ms, first thumbnails loaded "
          f"{index_thumbs:.0f} ms ({index_thumbs / 2000:.2f} of the 2 s budget; ready = {index_ready / ref_ready:.1f} × "
          f"the data-script-only page, {ref_ready:.0f} ms); item view, all {args.runs + 2} images: {item_images:.0f} ms")
    print(json.dumps({"load_average_1min": load}))
    print(f"| {args.items} items × {args.runs} runs, {args.size}² GT | thumbnails {cold_text}, warm rebuild "
          f"{warm:.1f} s | index "
          f"ready {index_ready:.0f} ms, first thumbnails {index_thumbs:.0f} ms (budget 2000 ms; ready = "
          f"{index_ready / ref_ready:.1f} × data-only page) | item view {item_images:.0f} ms | load avg {load:.1f} |")


if __name__ == "__main__":
    main()
