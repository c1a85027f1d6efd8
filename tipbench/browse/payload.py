"""What the page reads: `data/site.js` (the split, its runs and every per-item score, for the index) and the item
details (`data/items/<chunk>.js`: images, the prompts each run was fed, the degradation parameters).

Both are JavaScript files that hand JSON to the page (`window.TIPBENCH_SITE = …`, `TIPBENCH_ITEMS(chunk, …)`):
a page opened from file:// may load scripts but not fetch files. Everything here is a pure function of the split,
the runs and the image sizes, so two builds of the same inputs write the same bytes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tipbench.browse.collect import SiteRun
from tipbench.browse.site import (
    CHUNK,
    LEADERBOARD_HTML,
    SITE_VERSION,
    Linker,
    href,
    position_name,
    run_view_href,
    thumb_dir,
)
from tipbench.contracts.prompt_policy import feed_prompts, prompt_policy
from tipbench.contracts.run_folder import RUN_JSON
from tipbench.contracts.scores import SUMMARY_JSON
from tipbench.contracts.split_folder import SplitFolder, SplitRow
from tipbench.errors import PromptError
from tipbench.metrics.specs import IMAGE_SCORES, METRICS, SUMMARY_SCORES

#: The scores each card shows (the issue's PSNR / SSIM / LPIPS); every per-image score can be sorted on.
CARD_METRICS = ("psnr", "ssim", "lpips")
_DECIMALS = 5


def js_call(function: str, *args: Any) -> bytes:
    """`function(arg, …);` with the arguments as JSON (ASCII-only, so no character can end the script early)."""
    body = ",".join(json.dumps(arg, ensure_ascii=True, separators=(",", ":"), allow_nan=False) for arg in args)
    return f"{function}({body});\n".encode("ascii")


def degradation_types(row: SplitRow) -> tuple[str, ...]:
    """The degradation types c_r names, as their type-only phrases (`Deblur`, `Denoise`, …); `none` for no c_r.

    >>> from types import SimpleNamespace
    >>> degradation_types(SimpleNamespace(restoration_prompt="Denoise with sigma 0.06; Deblur with sigma 3.0"))
    ('Deblur', 'Denoise')
    """
    from tipbench.prompts import parse_restoration_prompt

    try:
        ops = parse_restoration_prompt(row.restoration_prompt)
    except PromptError:
        return ("unparsed",)
    return tuple(op.type_only.phrase() for op in ops) or ("none",)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, _DECIMALS)


def shown_metrics(runs: list[SiteRun]) -> list[str]:
    """Per-image scores with at least one value in some run, in scores.parquet order."""
    return [name for name in IMAGE_SCORES if any(v is not None for run in runs for v in run.scores[name])]


def _run_entry(run: SiteRun, metrics: list[str], link: Linker, sizes: dict[str, tuple[int, int]],
               suffix: str) -> dict[str, Any]:
    key, site_key = run.key, run.site_key
    folder = thumb_dir(site_key)
    missing = [i for i, there in enumerate(run.present)
               if not there or f"{folder}/{position_name(i)}{suffix}" not in sizes]
    summary_path = run.path / SUMMARY_JSON
    return {
        "key": site_key, "label": run.label, "method": key.method, "variant": key.variant, "prompts": key.prompts,
        "policy": prompt_policy(key.prompts).summary, "ignored": list(run.ignored_prompts),
        "marks": [{"code": m.code, "symbol": m.symbol, "meaning": m.meaning} for m in run.marks],
        "run_json": link(run.path / RUN_JSON),
        "summary_json": link(summary_path) if summary_path.is_file() else None,
        "means": {name: _round(run.summary.get(name)) for name in SUMMARY_SCORES
                  if isinstance(run.summary.get(name), (int, float))},
        "n": run.summary.get("n"), "thumbs": folder + "/", "missing": missing,
        "scores": {name: [_round(v) for v in run.scores[name]] for name in metrics},
    }


def site_data(split: SplitFolder, runs: list[SiteRun], site_dir: Path, sizes: dict[str, tuple[int, int]], *,
              page_size: int, suffix: str) -> dict[str, Any]:
    """The contents of data/site.js."""
    from tipbench import __version__

    metrics = shown_metrics(runs)
    link = Linker(site_dir)
    types = [degradation_types(row) for row in split.rows]
    type_names = sorted({name for names in types for name in names})
    used_marks: dict[str, dict[str, str]] = {}
    for run in runs:
        for mark in run.marks:
            used_marks.setdefault(mark.code, {"symbol": mark.symbol, "meaning": mark.meaning})
    thumbs = {panel: thumb_dir(panel) + "/" for panel in ("gt", "lq")}
    missing = {panel: [i for i in range(len(split.rows)) if f"{thumbs[panel]}{position_name(i)}{suffix}" not in sizes]
               for panel in thumbs}
    return {
        "version": SITE_VERSION, "generator": f"tipbench {__version__}",
        "split": {"name": split.name, "source": split.source, "n": len(split.rows), "protocol": split.protocol,
                  "manifest_sha256": split.manifest_sha256, "dir": href(split.path, site_dir)},
        "page_size": page_size, "chunk": CHUNK, "thumb_suffix": suffix,
        "metrics": [{"name": name, "label": METRICS.get(name).label, "higher": METRICS.get(name).higher_is_better,
                     "decimals": METRICS.get(name).decimals} for name in metrics],
        "card_metrics": [name for name in CARD_METRICS if name in metrics],
        "type_names": type_names,
        "items": {"id": list(split.ids), "cs": [row.semantic_prompt for row in split.rows],
                  "cr": [row.restoration_prompt for row in split.rows],
                  "types": [[type_names.index(name) for name in names] for names in types]},
        "thumbs": thumbs, "missing_thumbs": missing,
        "runs": [_run_entry(run, metrics, link, sizes, suffix) for run in runs],
        "marks": used_marks,
        "leaderboard": LEADERBOARD_HTML if (site_dir / LEADERBOARD_HTML).is_file() else None,
    }


def _image(path: Path, link: Linker, size: tuple[int, int] | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"href": link(path)}
    if size is not None:
        entry["w"], entry["h"] = size
    return entry


#: Integers beyond this lose digits as JavaScript numbers (noise seeds are 64-bit): the page gets them as text.
_JS_SAFE_INTEGER = 2**53 - 1


def _js_safe(value: Any) -> Any:
    """`value` with every integer JavaScript cannot hold exactly written as a string.

    >>> _js_safe({"noise_seed": 2050450949429659000, "sigma": 2})
    {'noise_seed': '2050450949429659000', 'sigma': 2}
    """
    if isinstance(value, dict):
        return {key: _js_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_js_safe(item) for item in value]
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _JS_SAFE_INTEGER:
        return str(value)
    return value


def _params(row: SplitRow) -> dict[str, Any]:
    try:
        params = row.params_dict()
    except ValueError:
        return {"params": row.params}
    return _js_safe(params) if isinstance(params, dict) else {"params": params}


def item_details(split: SplitFolder, runs: list[SiteRun], site_dir: Path, sizes: dict[str, tuple[int, int]],
                 suffix: str) -> list[dict[str, Any]]:
    """One record per item: its images (with their sizes), prompts, parameters and what each policy fed."""
    policies = list(dict.fromkeys(run.key.prompts for run in runs))
    link = Linker(site_dir)
    details = []
    for position, row in enumerate(split.rows):
        name = position_name(position) + suffix
        outputs = []
        for run in runs:
            size = sizes.get(f"{thumb_dir(run.site_key)}/{name}")
            there = run.present[position]
            outputs.append(_image(run.outputs[position], link, size) if there else None)
        details.append({
            "pos": position, "id": row.id, "cs": row.semantic_prompt, "cr": row.restoration_prompt,
            "crt": row.restoration_prompt_type, "pipeline": row.pipeline, "seed": _js_safe(row.seed), "params": _params(row),
            "gt": _image(split.image(row, "gt"), link, sizes.get(f"{thumb_dir('gt')}/{name}")),
            "lq": _image(split.image(row, "lq"), link, sizes.get(f"{thumb_dir('lq')}/{name}")),
            "target": _image(split.image(row, "target"), link, None) if row.target_path else None,
            "fed": {policy: list(feed_prompts(policy, row)) for policy in policies},
            "out": outputs,
        })
    return details


def chunks(details: list[dict[str, Any]]) -> list[bytes]:
    """The item details as `TIPBENCH_ITEMS(chunk, [...])` scripts of `CHUNK` items each."""
    return [js_call("TIPBENCH_ITEMS", start // CHUNK, details[start:start + CHUNK])
            for start in range(0, len(details), CHUNK)]


def run_links(runs: list[SiteRun]) -> list[dict[str, Any]]:
    """browse.json's runs: identity and page of each run shown."""
    return [{**run.key.identity(), "href": run_view_href(run.site_key)} for run in runs]
