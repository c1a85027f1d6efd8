"""Test-set sources (protocol §5): where a split's images come from, resolved from `--source-root` or the
environment, falling back to the bundled sample only when nothing at all is configured."""

from __future__ import annotations

import logging
from pathlib import Path

from tipbench import paths
from tipbench.errors import SourceError
from tipbench.sources.base import Candidate, ResolvedSource, folder_id
from tipbench.splits import SplitSpec

logger = logging.getLogger(__name__)

__all__ = ["Candidate", "ResolvedSource", "folder_id", "resolve_source", "SAMPLE_WARNING"]

#: Which environment variable configures each source kind.
SOURCE_ENV = {"coco": paths.ENV_COCO_ROOT, "div2k": paths.ENV_DIV2K_ROOT, "stablesr": paths.ENV_STABLESR_TESTSETS}

SAMPLE_WARNING = (
    "no source configured for split `{split}` (pass --source-root or set {env}): building from the BUNDLED SAMPLE "
    "({count} items from the public-domain photos in tipbench/data/sample). This is a smoke-test split, not the benchmark; split.json says "
    "\"source\": \"sample\"."
)


def resolve_source(spec: SplitSpec, source_root: str | None, seed: int, *,
                   stablesr_zip_sha256: str | None = None) -> ResolvedSource:
    """Resolve the source of `spec`: explicit root, else its environment variable, else the bundled sample.

    An explicit or environment root that is wrong raises `SourceError`; it never falls back to the sample.
    """
    env_name = SOURCE_ENV[spec.source_kind]
    given = source_root if source_root not in (None, "") else None
    root = Path(given).expanduser() if given else paths.env_path(env_name)
    root_as_given = given if given else (str(root) if root else None)
    if root is None:
        return _resolve_sample(spec, seed, env_name)
    if not root.exists():
        origin = "--source-root" if given else env_name
        raise SourceError(f"source root `{root}` (from {origin}) does not exist")
    if spec.source_kind == "coco":
        from tipbench.sources.coco import is_coco_layout, resolve_coco
        from tipbench.sources.folder import resolve_folder

        if not root.is_dir():
            raise SourceError(f"source root `{root}` is not a directory")
        if is_coco_layout(root):
            return resolve_coco(root, seed, root_as_given)
        return resolve_folder(root, seed, kind="folder", root_as_given=root_as_given)
    if spec.source_kind == "div2k":
        from tipbench.sources.div2k import find_hr_dir, resolve_crops

        if not root.is_dir():
            raise SourceError(f"source root `{root}` is not a directory")
        return resolve_crops(find_hr_dir(root), seed, spec.crops_per_image, root_as_given=root_as_given)
    if spec.source_kind == "stablesr":
        from tipbench.sources.stablesr import ZIP_SHA256, resolve_stablesr

        return resolve_stablesr(root, root_as_given, expected_sha256=stablesr_zip_sha256 or ZIP_SHA256)
    raise SourceError(f"unknown source kind `{spec.source_kind}`")  # pragma: no cover - SplitSpec is typed


def _resolve_sample(spec: SplitSpec, seed: int, env_name: str) -> ResolvedSource:
    from dataclasses import replace

    from tipbench.sources.div2k import resolve_crops
    from tipbench.sources.folder import resolve_folder, sample_root

    root = sample_root()
    if spec.source_kind == "div2k":
        resolved = resolve_crops(root, seed, spec.crops_per_image, kind="sample")
    else:
        resolved = resolve_folder(root, seed, kind="sample", use_captions=spec.semantic_policy == "caption")
    notes = [SAMPLE_WARNING.format(split=spec.name, env=env_name, count=len(resolved.candidates))]
    if spec.source_kind == "stablesr":
        notes.append("the sample has no published LQ: its GT is canonicalised (protocol §1) and its LQ synthesised "
                     "with the Real-ESRGAN `stablesr` parameter set")
    logger.warning(notes[0])
    return replace(resolved, notes=tuple(notes))
