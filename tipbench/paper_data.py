"""Is a split built from the data the paper used? One rule per source kind (protocol §5.1), in one place.

Only three sources can hold the paper's test data, so only they can ever be `comparable_to_paper`:

* COCO val2017 with the protocol's id selection: source `coco`, the captions file lists the 5000 val2017
  images, and the selection is the seeded order of protocol §2 with the protocol's seed 0;
* the StableSR DIV2K test set (`DIV2K_V2_val`), identified by sha256: the published zip (its sha256 is checked
  before anything is read), or an extracted folder whose every pair matches the recorded per-file sha256 list
  `tipbench/data/stablesr_div2k_v2_val_sha256.txt` (shipped empty: see protocol §5.1 for how it is filled);
* DIV2K_valid_HR: source `div2k`, exactly the 100 images 0801–0900, cropped with seed 0.

A `folder` source (any other image folder) and the bundled `sample` never are, whatever their size.
The evidence is `split.json` `source_fingerprint` (written by the build) plus the manifest's sha256 columns.

    python -m tipbench.paper_data SPLIT_DIR                  # the verdict for a built split
    python -m tipbench.paper_data SPLIT_DIR --stablesr-list  # per-file sha256 lines of a zip-built div2k-stablesr
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tipbench.contracts.split_folder import SplitFolder
from tipbench.sources.base import stems_sha256

#: split.json `source` values that can be the paper's data (the verdict still checks the evidence).
PAPER_SOURCES = frozenset({"coco", "stablesr", "stablesr-zip", "div2k"})
#: The protocol's global seed (protocol §2): another seed selects other COCO ids and other DIV2K crops.
PROTOCOL_SEED = 0
COCO_VAL2017_IMAGES = 5000
DIV2K_VALID_STEMS = tuple(f"{number:04d}" for number in range(801, 901))
STABLESR_HASHES = Path(__file__).parent / "data" / "stablesr_div2k_v2_val_sha256.txt"


@dataclass(frozen=True)
class PaperData:
    """The verdict: `ok` only for the paper's data; `reason` says why (or what was checked) in one line."""

    ok: bool
    reason: str


def read_stablesr_hashes(path: Path | None = None) -> dict[str, tuple[str, str]]:
    """id → (gt sha256, lq sha256) from the recorded list (`#` comments; empty when not filled yet)."""
    path = STABLESR_HASHES if path is None else path
    if not path.is_file():
        return {}
    recorded = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        fields = line.split("#", 1)[0].split()
        if len(fields) == 3:
            recorded[fields[0]] = (fields[1], fields[2])
    return recorded


def _coco(fingerprint: dict[str, Any]) -> PaperData:
    images = fingerprint.get("images")
    if images != COCO_VAL2017_IMAGES:
        return PaperData(False, f"the COCO captions file lists {images} images, not val2017's "
                                f"{COCO_VAL2017_IMAGES}: another id selection")
    return PaperData(True, f"COCO val2017 ({COCO_VAL2017_IMAGES} images), the protocol's seeded id selection")


def _div2k(fingerprint: dict[str, Any]) -> PaperData:
    if fingerprint.get("stems_sha256") != stems_sha256(DIV2K_VALID_STEMS):
        return PaperData(False, f"the DIV2K folder holds {fingerprint.get('images')} images that are not exactly "
                                "DIV2K_valid_HR 0801-0900")
    return PaperData(True, "DIV2K_valid_HR (0801-0900), the protocol's seeded crops")


def _stablesr_zip(fingerprint: dict[str, Any]) -> PaperData:
    from tipbench.sources.stablesr import ZIP_SHA256

    if fingerprint.get("zip_sha256") != ZIP_SHA256:
        return PaperData(False, "the StableSR zip was checked against another sha256 than the published one")
    return PaperData(True, "StableSR DIV2K_V2_val, published zip (sha256 checked)")


def _stablesr_folder(split: SplitFolder) -> PaperData:
    recorded = read_stablesr_hashes()
    if not recorded:
        return PaperData(False, "extracted StableSR folder: its files cannot be checked, the per-file sha256 list "
                                f"{STABLESR_HASHES.name} is not filled yet (build from the zip instead)")
    wrong = [row.id for row in split.rows if recorded.get(row.id) != (row.gt_sha256, row.lq_sha256)]
    if wrong:
        return PaperData(False, f"extracted StableSR folder: {len(wrong)} pair(s) differ from the recorded sha256 "
                                f"(first: {wrong[0]})")
    return PaperData(True, "StableSR DIV2K_V2_val, extracted folder (every pair's sha256 checked)")


def paper_data(split: SplitFolder) -> PaperData:
    """The verdict for a split folder (its split.json and rows)."""
    info = split.info
    source = info.get("source")
    if source == "sample":
        return PaperData(False, "the bundled sample photos (a smoke test)")
    if source == "folder":
        return PaperData(False, "a user image folder: never the paper's data, whatever its size")
    if source not in PAPER_SOURCES:
        return PaperData(False, f"unknown source `{source}`")
    if source in ("coco", "div2k") and info.get("seed") != PROTOCOL_SEED:
        return PaperData(False, f"seed {info.get('seed')} selects other items than the protocol's seed "
                                f"{PROTOCOL_SEED}")
    fingerprint = info.get("source_fingerprint")
    if not isinstance(fingerprint, dict):
        return PaperData(False, "split.json has no `source_fingerprint` (built by an older tipbench; rebuild)")
    if source == "coco":
        return _coco(fingerprint)
    if source == "div2k":
        return _div2k(fingerprint)
    if source == "stablesr-zip":
        return _stablesr_zip(fingerprint)
    return _stablesr_folder(split)


def stablesr_hash_lines(split: SplitFolder) -> list[str]:
    """The per-file sha256 lines of a div2k-stablesr split built from the published zip (to fill the list)."""
    from tipbench.errors import ConfigError

    if split.source != "stablesr-zip" or not paper_data(split).ok:
        raise ConfigError(f"`{split.path}` was not built from the published StableSR zip; only its bytes are known "
                          "to be the published ones")
    return [f"{row.id} {row.gt_sha256} {row.lq_sha256}" for row in split.rows]


def main(argv: list[str] | None = None) -> int:
    from tipbench.cli import add_output_options, run_command

    parser = argparse.ArgumentParser(prog="python -m tipbench.paper_data",
                                     description="Say whether a built split is the paper's test data "
                                                 "(docs/protocol.md §5.1).")
    parser.add_argument("split_dir", metavar="SPLIT_DIR", help="a built split folder")
    parser.add_argument("--stablesr-list", action="store_true",
                        help="print the per-file sha256 lines of a zip-built div2k-stablesr split")
    add_output_options(parser, progress=False)
    args = parser.parse_args(argv)

    def work() -> int:
        from tipbench.contracts.split_folder import read_split_folder

        split = read_split_folder(args.split_dir)
        if args.stablesr_list:
            print("\n".join(stablesr_hash_lines(split)))
            return 0
        verdict = paper_data(split)
        print(f"{'paper data' if verdict.ok else 'not paper data'}: {verdict.reason}")
        return 0

    return run_command(args, work)


if __name__ == "__main__":
    raise SystemExit(main())
