"""StableSR `DIV2K_V2_val` source for `div2k-stablesr`: published (gt, lq) PNG pairs, copied as they are.

Accepts the published zip (`StableSR_testsets.zip`, checked against its sha256 first, protocol §4.8), the
extracted tree (`StableSR_testsets/DIV2K_V2_val/{gt,lq}` or `DIV2K_V2_val/{gt,lq}`), or that folder itself.
"""

from __future__ import annotations

import logging
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tipbench.canonical import GT_SIZE, SkipImage, open_checked
from tipbench.errors import SourceError
from tipbench.io import png_bit_depth, sha256_file
from tipbench.sources.base import Candidate, ResolvedSource

logger = logging.getLogger(__name__)

ZIP_NAME = "StableSR_testsets.zip"
#: LFS sha256 of the published zip on Hugging Face `Iceclear/StableSR-TestSets` (protocol §4.8).
ZIP_SHA256 = "32a6344e2a0d394ffcaa7a9245df14105c590dab3ef0d3540e940add1ef9b803"
SET_DIR = "DIV2K_V2_val"
ZIP_PREFIX = f"StableSR_testsets/{SET_DIR}"


@dataclass(frozen=True)
class PublishedPair:
    """The published bytes of one pair, checked to be 8-bit RGB PNGs with a 512×512 GT."""

    gt: bytes
    lq: bytes
    lq_size: tuple[int, int]  # (width, height)


def check_pair(gt: bytes, lq: bytes) -> PublishedPair:
    sizes = []
    for name, data in (("gt", gt), ("lq", lq)):
        with open_checked(data) as image:
            depth = png_bit_depth(data)
            if image.format != "PNG" or image.mode != "RGB" or depth != 8:
                found = f"{depth}-bit {image.mode} PNG" if image.format == "PNG" else f"{image.format} {image.mode}"
                raise SkipImage(f"published {name} is a {found}, not an 8-bit RGB PNG")
            try:
                image.load()
            except OSError as exc:
                raise SkipImage(f"published {name} is corrupt: {exc}") from exc
            sizes.append(image.size)
    if sizes[0] != (GT_SIZE, GT_SIZE):
        raise SkipImage(f"published gt is {sizes[0][0]}x{sizes[0][1]}, not {GT_SIZE}x{GT_SIZE}")
    return PublishedPair(gt, lq, sizes[1])


@dataclass(frozen=True)
class PublishedPairReader:
    """Reads `gt/<name>` and `lq/<name>` from the extracted folder or from inside the zip."""

    root: str
    zip_member_prefix: str | None = None  # set when `root` is the zip file

    def read_pair(self, candidate: Candidate) -> PublishedPair:
        name = PurePosixPath(candidate.source_path).name
        if self.zip_member_prefix is None:
            base = Path(self.root)
            try:
                gt, lq = (base / "gt" / name).read_bytes(), (base / "lq" / name).read_bytes()
            except FileNotFoundError as exc:
                raise SkipImage(f"missing pair file: {exc.filename}") from exc
        else:
            with zipfile.ZipFile(self.root) as archive:
                try:
                    gt = archive.read(f"{self.zip_member_prefix}/gt/{name}")
                    lq = archive.read(f"{self.zip_member_prefix}/lq/{name}")
                except KeyError as exc:
                    raise SkipImage(f"missing pair member in zip: {exc}") from exc
        return check_pair(gt, lq)


def _pairs(gt_names: list[str], lq_names: set[str], prefix: str) -> list[Candidate]:
    candidates = []
    for index, name in enumerate(sorted(gt_names)):
        stem = PurePosixPath(name).stem
        reason = None if name in lq_names else f"no lq/{name} beside gt/{name}"
        candidates.append(Candidate(index, stem, f"{prefix}gt/{name}", "", skip_reason=reason))
    return candidates


def resolve_stablesr(root: Path, root_as_given: str | None, *, expected_sha256: str = ZIP_SHA256) -> ResolvedSource:
    """Find DIV2K_V2_val under `root` (zip file, folder holding the zip, or extracted folders); pairs sorted by name."""
    zip_path = root if root.is_file() else root / ZIP_NAME
    for folder in (root / "StableSR_testsets" / SET_DIR, root / SET_DIR, root):
        if folder.is_dir() and (folder / "gt").is_dir():
            if not (folder / "lq").is_dir():
                raise SourceError(f"`{folder}` has gt/ but no lq/")
            gt_names = sorted(p.name for p in (folder / "gt").iterdir() if p.suffix.lower() == ".png")
            lq_names = {p.name for p in (folder / "lq").iterdir() if p.suffix.lower() == ".png"}
            if not gt_names:
                raise SourceError(f"no PNG files in `{folder / 'gt'}`")
            prefix = f"{folder.relative_to(root).as_posix()}/" if folder != root else ""
            return ResolvedSource("stablesr", root, root_as_given, _pairs(gt_names, lq_names, prefix),
                                  PublishedPairReader(str(folder)), fingerprint={"pairs": len(gt_names)})
    if zip_path.is_file():
        return _resolve_zip(zip_path, root, root_as_given, expected_sha256)
    raise SourceError(f"no StableSR `{SET_DIR}` under `{root}`: expected {ZIP_NAME} or {SET_DIR}/gt + {SET_DIR}/lq")


def _resolve_zip(zip_path: Path, root: Path, root_as_given: str | None, expected_sha256: str) -> ResolvedSource:
    logger.info("checking sha256 of %s", zip_path)
    actual = sha256_file(zip_path)
    if actual != expected_sha256:
        raise SourceError(f"`{zip_path}` has sha256 {actual}, expected {expected_sha256}; "
                          "re-download StableSR_testsets.zip (Hugging Face Iceclear/StableSR-TestSets)")
    try:
        with zipfile.ZipFile(zip_path) as archive:
            members = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise SourceError(f"`{zip_path}` is not a valid zip file: {exc}") from exc
    gt_names = [m.rsplit("/", 1)[1] for m in members if m.startswith(f"{ZIP_PREFIX}/gt/") and m.endswith(".png")]
    lq_names = {m.rsplit("/", 1)[1] for m in members if m.startswith(f"{ZIP_PREFIX}/lq/") and m.endswith(".png")}
    if not gt_names:
        raise SourceError(f"`{zip_path}` has no `{ZIP_PREFIX}/gt/*.png` members")
    candidates = _pairs(gt_names, lq_names, f"{ZIP_NAME}:{ZIP_PREFIX}/")
    return ResolvedSource("stablesr-zip", root, root_as_given, candidates,
                          PublishedPairReader(str(zip_path), zip_member_prefix=ZIP_PREFIX),
                          fingerprint={"pairs": len(gt_names), "zip_sha256": actual})
