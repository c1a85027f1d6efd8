"""Finding the Stable Diffusion base directory the reference model builds on (contracts §5).

Order: an explicit path; the package weights registry (`tipbench.weights`, entry `stable-diffusion-v1-5`) when it
provides one; `$TIPBENCH_WEIGHTS/stable-diffusion-v1-5`. Nothing is downloaded; a missing directory raises one
`MissingWeightsError` saying where to put it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from tipbench.errors import MissingWeightsError
from tipbench.paths import weights_dir

logger = logging.getLogger(__name__)

SD_BASE_NAME = "stable-diffusion-v1-5"
SD_BASE_SOURCE = "huggingface.co/stable-diffusion-v1-5/stable-diffusion-v1-5 (CreativeML OpenRAIL-M), diffusers layout"


def _from_registry() -> Path | None:
    """The registry's path for the SD base, if the registry module exists and knows the entry."""
    try:
        from tipbench import weights as registry  # written by another issue; optional until it lands
    except ImportError:
        return None
    for function_name in ("resolve_dir", "resolve", "path_of", "find"):
        function = getattr(registry, function_name, None)
        if callable(function):
            try:
                found = function(SD_BASE_NAME)
            except Exception as error:  # the registry raises its own MissingWeightsError; we add ours below
                logger.debug("weights registry has no %s: %s", SD_BASE_NAME, error)
                return None
            return Path(found) if found else None
    return None


def resolve_sd_base(explicit: str | Path | None = None) -> Path:
    """The local SD1.5 directory (diffusers layout), checked for its subfolders."""
    from reference_model.components import check_base_dir

    if explicit is not None:
        return check_base_dir(explicit)
    candidate = _from_registry() or weights_dir() / SD_BASE_NAME
    if not candidate.is_dir():
        raise MissingWeightsError([
            {"name": SD_BASE_NAME, "file_name": f"{SD_BASE_NAME}/", "put_in": str(candidate.parent),
             "source": SD_BASE_SOURCE}
        ])
    return check_base_dir(candidate)
