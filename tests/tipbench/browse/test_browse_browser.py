"""The results browser in a real browser: Debian's chromium driven by Selenium through Debian's chromedriver (no
browser or driver is downloaded). Marked `browser`: CI runs them in their own step (`python -m pytest -m browser`),
and they skip when selenium, chromium or chromedriver is missing.

The site is built from a tiny split restored by real methods (`tipbench.run`) and scored by `tipbench.score` with
random metric weights. After every test: no console error, and no request left file://.
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import numpy as np
import pytest
from PIL import Image

from tests.tiny_splits import edit_manifest, make_param_split
from tipbench.contracts.split_folder import read_split_folder

pytestmark = pytest.mark.browser

N = 20
RUNS = ("bicubic/none", "classical-prompted/both")
HOSTILE = '<img src="x" onerror="window.PWNED = 1"></script><b>bold</b> "quoted" \u2028 a cat'



def _executable(*names: str) -> str | None:
    return next((found for found in map(shutil.which, names) if found), None)


@pytest.fixture(scope="module")
def driver():
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install '.[browser]'")
    from selenium.webdriver.chrome.service import Service

    chromium = _executable("chromium", "chromium-browser")
    chromedriver = _executable("chromedriver")
    if not chromium or not chromedriver:
        pytest.skip("needs Debian's chromium and chromium-driver (apt-get install chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium  # with the driver's path given too, Selenium Manager downloads nothing
    for argument in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                     "--window-size=1400,1000", "--force-device-scale-factor=1", "--no-first-run"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    browser = webdriver.Chrome(service=Service(chromedriver), options=options)
    yield browser
    browser.quit()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A site of a 20-item split with two real runs: bicubic fed nothing, classical-prompted fed both prompts."""
    from tipbench.browse import BrowseConfig, build_site
    from tipbench.run.cli import main as run
    from tipbench.score.cli import main as score

    root = tmp_path_factory.mktemp("browser")
    split_dir = make_param_split(root / "splits", "coco-param", n=N, size=64)
    edit_manifest(split_dir, lambda rows: [{**row, "semantic_prompt": HOSTILE} if row["index"] == N - 1 else row
                                           for row in rows])  # a caption is data, never markup
    where = ["--splits-dir", str(root / "splits"), "--runs-dir", str(root / "runs")]
    for key in RUNS:
        method, prompts = key.split("/")
        assert run(["--method", method, "--prompts", prompts, "--split", "coco-param", "--no-score", "-q", *where]) == 0
        assert score([str(root / "runs" / "coco-param" / key), "--metric-weights", "random", "--metrics", "lpips",
                      "-q"]) == 0
    build_site(BrowseConfig(split="coco-param", out=str(root / "site"), splits_dir=str(root / "splits"),
                            runs_dir=str(root / "runs"), progress=False))
    return root / "site", split_dir, root / "runs"


@pytest.fixture(autouse=True)
def offline_and_clean(driver):
    """Every test: nothing logged as an error in the console, no request to anything but file:// (or data:)."""
    driver.get_log("browser")
    driver.get_log("performance")
    yield
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []
    assert [url for url in _requests(driver) if not url.startswith(("file://", "data:"))] == []


def _wait(driver, script: str, timeout: float = 15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = driver.execute_script(script)
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for: {script}")


def _open(driver, site_dir: Path, hash_: str = "") -> None:
    driver.get((site_dir / "index.html").as_uri() + hash_)
    driver.refresh()  # a fresh page even when only the hash differs from the last one
    _wait(driver, "return document.documentElement.getAttribute('data-ready') === '1'")


def _open_item(driver, site_dir: Path, item_id: str) -> None:
    _open(driver, site_dir, f"#item={item_id}")
    _wait(driver, f"return document.documentElement.getAttribute('data-item-ready') === {json.dumps(item_id)}")
    _images_loaded(driver)


def _images_loaded(driver) -> list[dict]:
    return _wait(driver, """
        const imgs = Array.from(document.querySelectorAll('#stage img'));
        if (!imgs.length || !imgs.every(i => i.complete && i.naturalWidth > 0)) return null;
        return imgs.map(i => ({panel: i.dataset.panel, src: i.currentSrc, w: i.naturalWidth, h: i.naturalHeight}));""")


def _card_ids(driver) -> list[str]:
    return driver.execute_script("return Array.from(document.querySelectorAll('#cards .card'))"
                                 ".map(c => c.dataset.itemId)")


def _placements(driver) -> list[dict]:
    """Each viewport's images, placed relative to the viewport (what the eye compares across panels)."""
    return driver.execute_script("""
        return Array.from(document.querySelectorAll('#stage .port')).map(port => {
          const p = port.getBoundingClientRect();
          return Array.from(port.querySelectorAll('img')).map(img => {
            const r = img.getBoundingClientRect();
            return {panel: img.dataset.panel, x: r.left - p.left, y: r.top - p.top, w: r.width, h: r.height,
                    natural: img.naturalWidth, pixelated: getComputedStyle(img).imageRendering};
          });
        }).flat();""")


def _keys(driver, *keys: str) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    for key in keys:
        ActionChains(driver).send_keys(key).perform()


def test_the_index_has_one_card_per_item_and_the_leaderboards_marks(driver, site):
    from leaderboard.collect import read_run
    from leaderboard.marks import run_marks

    site_dir, split_dir, runs = site
    _open(driver, site_dir)
    assert _card_ids(driver) == list(read_split_folder(split_dir).ids)
    assert "NOT THE BENCHMARK" in driver.find_element("id", "banner").text
    for key in RUNS:
        expected = "".join(mark.symbol for mark in run_marks(read_run(runs / "coco-param" / key)))
        assert expected  # sample source, random metric weights, N < 3000
        shown = driver.execute_script(
            "return Array.from(document.querySelectorAll(`.card tr[data-run='${arguments[0]}'] .marks`))"
            ".map(m => m.textContent)", key)
        assert shown == [expected] * N


def test_prompts_are_shown_as_text_never_run_as_markup(driver, site):
    site_dir, split_dir, _ = site
    last = read_split_folder(split_dir).rows[-1]
    assert last.semantic_prompt == HOSTILE
    _open(driver, site_dir)
    assert driver.find_element("css selector", f".card[data-item-id='{last.id}'] .cs").get_attribute(
        "textContent") == HOSTILE
    _open_item(driver, site_dir, last.id)
    assert HOSTILE in driver.find_element("css selector", "table.facts").get_attribute("textContent")
    assert driver.execute_script("return window.PWNED === undefined && !document.querySelector('img[src=\"x\"]') "
                                 "&& !document.querySelector('#cards b, #item-info b')")


def test_paging_with_lazy_thumbnails(driver, site):
    site_dir, split_dir, _ = site
    _open(driver, site_dir)
    loading = driver.execute_script("return Array.from(document.querySelectorAll('#cards img')).map(i => i.loading)")
    assert loading == ["eager"] * 15 + ["lazy"] * (N - 15)  # above the fold at once, the rest when scrolled near
    _open(driver, site_dir, "#n=8")
    seen = []
    for page in range(3):
        ids = _card_ids(driver)
        assert len(ids) == (8 if page < 2 else N - 16)
        seen += ids
        if page < 2:
            driver.find_element("css selector", f"#pager button[data-page='{page + 2}']").click()
    assert seen == list(read_split_folder(split_dir).ids)
    _keys(driver, "\ue012")  # ← : the page before
    assert _card_ids(driver) == seen[8:16]


def test_a_card_opens_the_item_view_with_every_run_image_loaded(driver, site):
    site_dir, split_dir, runs = site
    _open(driver, site_dir)
    split = read_split_folder(split_dir)
    row = split.rows[2]
    driver.find_element("css selector", f".card[data-item-id='{row.id}']").click()
    _wait(driver, f"return document.documentElement.getAttribute('data-item-ready') === '{row.id}'")
    images = _images_loaded(driver)
    assert [image["panel"] for image in images] == ["lq", *RUNS, "gt"]
    files = {"lq": split.image(row, "lq"), "gt": split.image(row, "gt"),
             **{key: runs / "coco-param" / key / "out" / f"{row.id}.png" for key in RUNS}}
    for image in images:
        path = Path(unquote(urlparse(image["src"]).path))
        assert path.resolve() == files[image["panel"]].resolve()
        with Image.open(path) as opened:
            assert (image["w"], image["h"]) == opened.size
    lq = next(image for image in images if image["panel"] == "lq")
    gt = next(image for image in images if image["panel"] == "gt")
    assert lq["w"] < gt["w"]  # this item was downsampled: its LQ is shown in the GT's frame, and says so
    caption = driver.find_element("css selector", "figure[data-panel='lq'] figcaption").text
    ratio = gt["w"] / lq["w"]
    shown = str(round(ratio)) if abs(ratio - round(ratio)) < 0.01 else f"{ratio:.2f}"
    assert f"LQ {lq['w']}×{lq['h']}, upscaled ×{shown} for display" in caption


def test_zoom_and_pan_stay_in_sync_and_100_percent_is_pixel_exact(driver, site):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.actions.wheel_input import ScrollOrigin

    site_dir, split_dir, _ = site
    _open_item(driver, site_dir, read_split_folder(split_dir).ids[1])
    ports = driver.find_elements("css selector", "#stage .port")
    fitted = _placements(driver)
    ActionChains(driver).scroll_from_origin(ScrollOrigin.from_element(ports[0], 20, 15), 0, -400).perform()
    zoomed = _wait(driver, "return document.querySelector('#stage img').getBoundingClientRect().width > "
                           f"{fitted[0]['w'] * 1.5} && true") and _placements(driver)
    ActionChains(driver).move_to_element(ports[2]).click_and_hold().move_by_offset(40, 25).release().perform()
    panned = _placements(driver)
    for placements in (fitted, zoomed, panned):
        first = placements[0]
        for other in placements[1:]:  # every panel (the LQ too, scaled to the GT's frame) shows the same region
            assert (other["x"], other["y"]) == (first["x"], first["y"])
            assert (other["w"], other["h"]) == pytest.approx((first["w"], first["h"]), abs=0.01)  # float scale
    assert zoomed[0]["w"] > 1.5 * fitted[0]["w"]
    assert (panned[0]["x"] - zoomed[0]["x"], panned[0]["y"] - zoomed[0]["y"]) == (40, 25)
    _keys(driver, "z")
    actual = _placements(driver)
    gt = next(p for p in actual if p["panel"] == "gt")
    assert gt["w"] == gt["natural"] and driver.find_element("id", "zoom-level").text == "100 %"
    assert all(p["pixelated"] == "pixelated" for p in actual)
    _keys(driver, "+", "+")
    assert next(p for p in _placements(driver) if p["panel"] == "gt")["w"] == 2.25 * gt["natural"]


def test_the_before_after_slider_moves(driver, site):
    from selenium.webdriver.common.action_chains import ActionChains

    site_dir, split_dir, _ = site
    _open_item(driver, site_dir, read_split_folder(split_dir).ids[0])
    _keys(driver, "s")
    _wait(driver, "return document.querySelector('#stage.slider .port .divider') !== null")
    _images_loaded(driver)
    state = ("const port = document.querySelector('#stage .port');"
             "return {value: Number(document.querySelector('.slider-range').value),"
             " left: parseFloat(port.querySelector('.divider').style.left),"
             " clip: port.querySelector('.clip').style.clipPath, width: port.clientWidth,"
             " a: port.querySelector('.clip img').dataset.panel, b: port.querySelector(':scope > img').dataset.panel};")
    before = driver.execute_script(state)
    assert before["value"] == 500 and before["left"] == round(before["width"] / 2)
    assert (before["a"], before["b"]) == ("bicubic/none", "gt")
    handle = driver.find_element("css selector", "#stage .divider .handle")
    ActionChains(driver).click_and_hold(handle).move_by_offset(-120, 0).release().perform()
    after = driver.execute_script(state)
    assert after["left"] == pytest.approx(before["left"] - 120, abs=1)
    assert after["value"] == pytest.approx(1000 * after["left"] / after["width"], abs=2) and after["value"] < 400
    assert after["clip"] == f"inset(0px {after['width'] - after['left']:.0f}px 0px 0px)"
    _keys(driver, "3")  # right side: panel 3; shift+1: left side panel 1
    ActionChains(driver).key_down("\ue008").send_keys("1").key_up("\ue008").perform()
    picked = driver.execute_script(state)
    assert (picked["a"], picked["b"]) == ("lq", "classical-prompted/both")


def _scores(runs: Path, key: str, metric: str) -> dict[str, float]:
    import pyarrow.parquet as pq

    table = pq.read_table(runs / "coco-param" / key / "scores.parquet").to_pydict()
    return dict(zip(table["id"], table[metric]))


def test_sorting_by_a_metric_or_a_difference_orders_the_cards(driver, site):
    from selenium.webdriver.support.ui import Select

    site_dir, _, runs = site
    _open(driver, site_dir)
    Select(driver.find_element("id", "sort")).select_by_value("metric")
    Select(driver.find_element("id", "metric")).select_by_value("psnr")
    Select(driver.find_element("id", "run-a")).select_by_value(RUNS[1])
    psnr = _scores(runs, RUNS[1], "psnr")
    assert _card_ids(driver) == sorted(psnr, key=lambda i: -psnr[i])  # best (highest) first
    Select(driver.find_element("id", "dir")).select_by_value("worst")
    assert _card_ids(driver) == sorted(psnr, key=lambda i: psnr[i])
    Select(driver.find_element("id", "metric")).select_by_value("lpips")
    Select(driver.find_element("id", "dir")).select_by_value("best")
    lpips = _scores(runs, RUNS[1], "lpips")
    assert len(set(lpips.values())) == N and _card_ids(driver) == sorted(lpips, key=lambda i: lpips[i])  # lower first
    Select(driver.find_element("id", "sort")).select_by_value("diff")
    Select(driver.find_element("id", "metric")).select_by_value("psnr")
    Select(driver.find_element("id", "run-a")).select_by_value(RUNS[1])
    Select(driver.find_element("id", "run-b")).select_by_value(RUNS[0])
    other = _scores(runs, RUNS[0], "psnr")
    ahead = {i: psnr[i] - other[i] for i in psnr}
    assert _card_ids(driver) == sorted(ahead, key=lambda i: -ahead[i])  # where A beats B most, first
    assert all(np.isfinite(list(ahead.values())))


def test_filter_by_degradation_type_and_search_the_prompts(driver, site):
    site_dir, split_dir, _ = site
    split = read_split_folder(split_dir)
    _open(driver, site_dir)
    driver.find_element("css selector", "#types input[value='Denoise']").click()
    expected = [row.id for row in split.rows if "Denoise" in row.restoration_prompt]
    assert 0 < len(expected) < N and _card_ids(driver) == expected
    _open(driver, site_dir)
    driver.find_element("id", "q").send_keys('"NUMBER 3"')  # a quoted phrase; unquoted words must all appear
    _wait(driver, "return document.querySelectorAll('#cards .card').length === 1")
    assert _card_ids(driver) == [row.id for row in split.rows if row.semantic_prompt.endswith("number 3")]


def test_keyboard_moves_between_items_and_picks_panels(driver, site):
    site_dir, split_dir, _ = site
    ids = read_split_folder(split_dir).ids
    _open_item(driver, site_dir, ids[0])
    _keys(driver, "\ue014")  # →
    _wait(driver, f"return document.documentElement.getAttribute('data-item-ready') === '{ids[1]}'")
    _keys(driver, "\ue012")  # ←
    _wait(driver, f"return document.documentElement.getAttribute('data-item-ready') === '{ids[0]}'")
    panels = "return Array.from(document.querySelectorAll('#stage figure')).map(f => f.dataset.panel)"
    assert driver.execute_script(panels) == ["lq", *RUNS, "gt"]
    _keys(driver, "2")
    assert driver.execute_script(panels) == [RUNS[0]]
    _keys(driver, "4")
    assert driver.execute_script(panels) == ["gt"]
    _keys(driver, "4")  # the same digit again: all panels
    assert driver.execute_script(panels) == ["lq", *RUNS, "gt"]
    _keys(driver, "\ue00c")  # Esc
    _wait(driver, "return !document.getElementById('index-view').hidden")


def test_the_item_view_shows_what_each_run_was_fed_and_links_its_files(driver, site):
    site_dir, split_dir, runs = site
    row = read_split_folder(split_dir).rows[3]
    _open_item(driver, site_dir, row.id)
    fed = driver.execute_script("""
        return Array.from(document.querySelectorAll('table.fed tr[data-run]')).map(r => ({
          run: r.dataset.run, cs: r.querySelector('.fed-cs').textContent, cr: r.querySelector('.fed-cr').textContent,
          files: Array.from(r.querySelectorAll('a')).slice(1).map(a => a.href)}));""")
    assert [f["run"] for f in fed] == list(RUNS)
    assert (fed[0]["cs"], fed[0]["cr"]) == ("(nothing)", "(nothing)")  # policy none
    assert fed[1]["cs"] == f"“{row.semantic_prompt}” — ignored by the method"  # classical-prompted reads c_r only
    assert fed[1]["cr"] == f"“{row.restoration_prompt}”"
    for entry, key in zip(fed, RUNS):
        paths = [Path(unquote(urlparse(href).path)) for href in entry["files"]]
        assert paths == [runs / "coco-param" / key / "run.json", runs / "coco-param" / key / "summary.json"]


def test_a_leaderboard_cell_opens_its_run(driver, site):
    from leaderboard.config import LeaderboardConfig
    from leaderboard.make import build_leaderboard

    site_dir, _, runs = site
    page = build_leaderboard(LeaderboardConfig(runs_dir=str(runs), out=str(site_dir), tables=("1",),
                                               formats=("html",)))["html"]
    try:
        driver.get(page.as_uri())
        driver.find_element("css selector", "a[href='index.html#run=bicubic%2Fnone']").click()
        _wait(driver, "return !document.getElementById('run-banner').hidden")
        assert "bicubic · none" in driver.find_element("id", "run-banner").text
        sources = driver.execute_script("return Array.from(document.querySelectorAll('#cards img'))"
                                        ".map(i => i.getAttribute('src') || i.dataset.src)")
        assert len(sources) == N and all(src.startswith("thumbs/runs/bicubic/none/") for src in sources)
    finally:
        page.unlink()


def _requests(driver) -> list[str]:
    """URLs the browser requested since the last read of its network log (Chrome DevTools `Network` events)."""
    events = [json.loads(entry["message"])["message"] for entry in driver.get_log("performance")]
    return [e["params"]["request"]["url"] for e in events if e["method"] == "Network.requestWillBeSent"]


def test_every_request_of_a_tour_is_a_local_file(driver, site):
    """Chromium keeps no Resource Timing entries for file:// loads, so the DevTools network log is the witness."""
    site_dir, split_dir, _ = site
    item_id = read_split_folder(split_dir).ids[4]
    _requests(driver)
    _open_item(driver, site_dir, item_id)
    _keys(driver, "\ue00c")
    _wait(driver, "return !document.getElementById('index-view').hidden")
    urls = _requests(driver)
    for part in ("/assets/browse.css", "/data/site.js", "/data/items/0000.js", f"/gt/{item_id}.png",
                 f"/out/{item_id}.png", "/thumbs/gt/000000.jpg"):
        assert any(part in url for url in urls), part
    assert [url for url in urls if not url.startswith("file://")] == []
    assert driver.execute_script("return performance.getEntriesByType('resource')"
                                 ".filter(e => !e.name.startsWith('file:')).length") == 0
