"""The README's screenshots of the results browser (not a benchmark): the quick start's commands, run as written
in a fresh `TIPBENCH_HOME`, then the site's index and one item view in headless Chromium (Debian's chromium and
chromedriver through Selenium), saved as small palette PNGs.

    python bench/browse_screenshots.py [--out docs/images] [--item coffee]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUICK_START = (
    ["tipbench.build", "--split", "coco-param"],
    ["tipbench.run", "--method", "classical-prompted", "--split", "coco-param"],
    ["tipbench.run", "--method", "bicubic", "--split", "coco-param"],
    ["tipbench.browse", "--split", "coco-param", "--out", "site"],
)


def _save(driver, path: Path, width: int) -> None:
    """The screenshot, scaled to `width` and reduced to 256 colours (a few hundred KB at most)."""
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(driver.get_screenshot_as_png())) as image:
        shot = image.convert("RGB")
    if shot.width > width:
        shot = shot.resize((width, round(shot.height * width / shot.width)), Image.Resampling.LANCZOS)
    shot.quantize(256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(path, optimize=True)
    print(f"wrote {path} ({path.stat().st_size // 1024} KB)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="docs/images")
    parser.add_argument("--item", default="coffee", help="the item shown in the item view")
    parser.add_argument("--width", type=int, default=1100, help="screenshot width in pixels")
    args = parser.parse_args()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as home:
        env = {**os.environ, "TIPBENCH_HOME": str(Path(home) / "tipbench-data"), "HF_HUB_OFFLINE": "1"}
        for command in QUICK_START:
            subprocess.run([sys.executable, "-m", *command, "-q"], cwd=home, env=env, check=True)
        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,860",
                         "--force-device-scale-factor=1", "--hide-scrollbars"):
            options.add_argument(argument)
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"),
                                  options=options)
        try:
            index = (Path(home) / "site" / "index.html").as_uri()
            driver.get(index)
            time.sleep(1.0)
            _save(driver, out / "browse-index.png", args.width)
            driver.get(index + f"#item={args.item}")
            driver.refresh()
            time.sleep(1.5)
            _save(driver, out / "browse-item.png", args.width)
        finally:
            driver.quit()


if __name__ == "__main__":
    main()
