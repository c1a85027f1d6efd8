"""The dataset card (README.md with YAML front matter) of an exported split, built from split.json and the manifest."""

from __future__ import annotations

from typing import Any

#: Licence facts per source kind (contracts §1 `source`): (YAML `license`, licence name, details for the card).
SOURCE_LICENCES: dict[str, tuple[str, str, str]] = {
    "coco": (
        "other", "coco-terms",
        "Images from MS-COCO val2017 (Flickr photos, each under the Creative Commons licence recorded in the COCO "
        "annotations; see https://cocodataset.org/#termsofuse). Captions: COCO annotations, CC BY 4.0. "
        "Degraded images and restoration prompts: derived works, released under the same terms.",
    ),
    "div2k": (
        "other", "div2k-academic",
        "Images derived from DIV2K (https://data.vision.ee.ethz.ch/cvl/DIV2K/), provided for academic research "
        "only; commercial use is not allowed.",
    ),
    "stablesr": (
        "other", "div2k-academic",
        "The StableSR DIV2K_V2_val pairs (https://github.com/IceClear/StableSR), derived from DIV2K: academic "
        "research only.",
    ),
    "stablesr-zip": (
        "other", "div2k-academic",
        "The StableSR DIV2K_V2_val pairs (https://github.com/IceClear/StableSR), derived from DIV2K: academic "
        "research only.",
    ),
    "folder": (
        "unknown", "user-data",
        "Built from a user-supplied image folder; the licence is that of the source images (not known to tipbench).",
    ),
    "sample": (
        "cc0-1.0", "public-domain-and-cc0",
        "The photos bundled with tipbench (public domain or CC0; see tipbench/data/sample/LICENSES.md). A smoke-test "
        "build, NOT the benchmark.",
    ),
}

CITATION = """@article{qi2023tip,
  title   = {TIP: Text-Driven Image Processing with Semantic and Restoration Instructions},
  author  = {Qi, Chenyang and Tu, Zhengzhong and Ye, Keren and Delbracio, Mauricio and Milanfar, Peyman and
             Chen, Qifeng and Talebi, Hossein},
  journal = {arXiv preprint arXiv:2312.11595},
  year    = {2023}
}"""

REQUIRED_SECTIONS = ("## Summary", "## How it was built", "## Protocol and seeds", "## Columns", "## Licence",
                     "## Citation", "## Loading")

COLUMN_DOCS: dict[str, str] = {
    "id": "stable item id, also the file stem in the split folder",
    "index": "position in the split's seeded order (protocol §2); with `seed` it determines every random draw",
    "gt": "ground truth, 8-bit RGB PNG (bytes exactly as in the split folder)",
    "lq": "degraded input, 8-bit RGB PNG at its native size",
    "target": "selective target (coco-selective only)",
    "target_sha256": "sha256 of the target PNG bytes (coco-selective only)",
    "semantic_prompt": "c_s, the caption (empty when none)",
    "restoration_prompt": "c_r in canonical form (protocol §3)",
    "restoration_prompt_type": "type-only c_r (equals c_r for Real-ESRGAN rows)",
    "pipeline": "`param`, `realesrgan`, `published` or `selective`",
    "params": "JSON of every sampled degradation value (regenerates `lq` exactly)",
    "blur_sigma": "param pipeline: Gaussian blur σ in pixels (null when off or not param)",
    "downsample_factor": "param pipeline: bicubic downsample factor (null when off)",
    "noise_sigma": "param pipeline: Gaussian noise σ on the 0–1 scale (null when off)",
    "jpeg_quality": "param pipeline: JPEG quality (null when off)",
    "seed": "global seed of the split",
    "source_path": "path of the source image relative to the source root",
    "gt_sha256": "sha256 of the GT PNG bytes",
    "lq_sha256": "sha256 of the LQ PNG bytes",
    "width_lq": "LQ width in pixels",
    "height_lq": "LQ height in pixels",
}


def _size_category(n: int) -> str:
    for limit, name in ((1_000, "n<1K"), (10_000, "1K<n<10K"), (100_000, "10K<n<100K")):
        if n < limit:
            return name
    return "100K<n<1M"


def _warnings(info: dict[str, Any], n: int, not_paper_data: str | None) -> str:
    """Block quotes at the top of the card: not the paper's data (`tipbench.paper_data`'s reason), fewer items."""
    from tipbench.splits import BENCHMARK_N

    lines = []
    if info.get("source") == "sample":
        lines.append("> **Sample build**: made from the photos bundled with tipbench to test the tooling. It is not "
                     "the benchmark and no result on it is comparable to the paper.")
    elif not_paper_data:
        lines.append(f"> **Not the paper's data**: {not_paper_data}. No result on it is comparable to the paper.")
    if n < BENCHMARK_N:
        lines.append(f"> **{n} items, not {BENCHMARK_N}**: a partial build (`--limit`, or a small source). Scores "
                     f"on fewer than {BENCHMARK_N} items are not comparable to the paper's.")
    return "".join(f"\n{line}\n" for line in lines)


def _how_built(split: str, info: dict[str, Any], n: int) -> str:
    """The build command that made the split (from split.json `build`), its source, counts and pipeline."""
    from tipbench.build.config import build_command
    from tipbench.sources import SOURCE_ENV

    build = info.get("build") if isinstance(info.get("build"), dict) else {"split": split}
    env = SOURCE_ENV.get(str((info.get("split_spec") or {}).get("source_kind")))
    root = info.get("source_root") if info.get("source") != "sample" else None
    command = build_command(build, root, env)
    source = f"`{info.get('source', 'unknown')}`" + (f" at `{root}`" if root else "")
    pipeline = f"`{info.get('pipeline') or 'not recorded'}`" + (f", parameter set `{info['param_set']}`" if info.get("param_set") else "")
    requested = info.get("n_requested")
    counts = (f"Requested {requested} items, built {info.get('n_built', n)}, skipped {info.get('n_skipped', 0)} (each "
              "skip is listed in the split's skipped.jsonl)." if requested is not None else f"{n} items.")
    return (f"Built with\n\n```bash\n{command}\npython -m tipbench.publish --split {split}\n```\n\nfrom source "
            f"{source}. {counts} Degradation pipeline: {pipeline}.")


def _manifest_line(info: dict[str, Any]) -> str:
    sha = info.get("manifest_sha256")
    return f"Manifest sha256: `{sha}`." if sha else "The manifest's sha256 is not recorded in split.json."


def card_text(split: str, info: dict[str, Any], columns: list[str], n: int, data_glob: str,
              repo_id: str | None = None, not_paper_data: str | None = None) -> str:
    """README.md of the exported dataset: YAML metadata then the sections in `REQUIRED_SECTIONS`.

    `not_paper_data`: why the split is not the paper's test data (None when it is).
    """
    import yaml

    source = str(info.get("source", "unknown"))
    licence, licence_name, licence_text = SOURCE_LICENCES.get(
        source, ("unknown", "unknown", f"Source `{source}`: licence not known to tipbench."))
    meta: dict[str, Any] = {
        "pretty_name": f"tipbench {split}",
        "license": licence,
        "task_categories": ["image-to-image"],
        "tags": ["image-restoration", "super-resolution", "text-driven-image-restoration", "tipbench"],
        "size_categories": [_size_category(n)],
        "configs": [{"config_name": split, "data_files": [{"split": "test", "path": data_glob}]}],
    }
    if licence == "other":
        meta["license_name"] = licence_name
    front = yaml.safe_dump(meta, sort_keys=False, allow_unicode=True)
    load_name = repo_id or "<org>/<name>"
    warning = _warnings(info, n, not_paper_data)
    column_lines = "\n".join(f"| `{name}` | {COLUMN_DOCS.get(name, '')} |" for name in columns)
    versions = ", ".join(f"{k} {v}" for k, v in sorted((info.get("versions") or {}).items()))
    return f"""---
{front}---

# tipbench `{split}`
{warning}
## Summary

Test split `{split}` of tipbench, a benchmark for text-driven image restoration following *TIP: Text-Driven Image
Processing with Semantic and Restoration Instructions* (Qi et al., arXiv 2312.11595; its v2 is the ECCV 2024 paper SPIRE). Each row pairs a ground-truth image
with its degraded input, the semantic prompt c_s and the restoration prompt c_r. {n} rows, one split named `test`.

## How it was built

{_how_built(split, info, n)}
The PNG bytes are those of the split folder (no re-encoding; the `gt_sha256` / `lq_sha256` columns let you
check), and the degradation columns (`blur_sigma`, …) hold exactly the values recorded in `params`. Library
versions: {versions or 'not recorded'}.

## Protocol and seeds

Protocol `{info.get('protocol') or 'not recorded'}`: GT decoded with Pillow (EXIF-oriented, RGB), short side resized to 512 with
bicubic, centre-cropped to 512×512, saved as PNG; degradations and prompts per protocol §3 (parameterized
pipeline: blur → downsample → noise → JPEG, each on with p = 0.5) and protocol §4 (Real-ESRGAN second-order pipeline).
Global seed `{info.get('seed', 0)}`: every random draw of item `index` comes from
`numpy.random.SeedSequence([seed, stage, index])`, so the split is rebuilt byte for byte from the source.
{_manifest_line(info)}

## Columns

| column | meaning |
|---|---|
{column_lines}

## Licence

{licence_text}

## Loading

```python
from datasets import load_dataset
ds = load_dataset("{load_name}", "{split}", split="test")          # from the Hub
ds = load_dataset("parquet", data_files="{data_glob}", split="train")  # from this folder
```

## Citation

```bibtex
{CITATION}
```
"""


def front_matter(text: str) -> dict[str, Any]:
    """The parsed YAML front matter of a card (raises ValueError when absent)."""
    import yaml

    if not text.startswith("---\n"):
        raise ValueError("the card does not start with YAML front matter")
    end = text.index("\n---\n", 4)
    return yaml.safe_load(text[4:end])
