"""Finding the Stable Diffusion base directory the reference model builds on (contracts §5).

Order: an explicit path, else the package weights registry (`tipbench.weights`, entry `sd15`: the
`stable-diffusion-v1-5` diffusers directory under `$TIPBENCH_WEIGHTS`, or the Hugging Face cache). Nothing is
downloaded; a missing directory raises the registry's `MissingWeightsError` saying where to put it and where to get it.
"""

from __future__ import annotations

import logging
from pathlib import Path

logger = logging.getLogger(__name__)

SD_BASE_ENTRY = "sd15"


def resolve_sd_base(explicit: str | Path | None = None) -> Path:
    """The local SD1.5 directory (diffusers layout), checked for the subfolders the reference model loads."""
    from reference_model.components import check_base_dir
    from tipbench.weights import resolve

    if explicit is not None:
        return check_base_dir(explicit)
    return check_base_dir(resolve(SD_BASE_ENTRY))
