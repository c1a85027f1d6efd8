"""Finding the Stable Diffusion base directory the reference model builds on (contracts §5).

Order: an explicit path, else the package weights registry (`tipbench.weights`, entry `sd15`: the
`stable-diffusion-v1-5` diffusers directory under `$TIPBENCH_WEIGHTS`, or the Hugging Face cache). Nothing is
downloaded; a missing directory raises the registry's `MissingWeightsError` saying where to put it and where to get it.
"""

from __future__ import annotations

import logging
from pathlib import Path

from tipbench.errors import MissingWeightsError

logger = logging.getLogger(__name__)

SD_BASE_ENTRY = "sd15"
#: The diffusers-layout subfolders the reference model loads from an SD directory.
BASE_SUBFOLDERS = ("unet", "vae", "text_encoder", "tokenizer")


def check_base_dir(root: str | Path) -> Path:
    """Raise `MissingWeightsError` listing every missing SD subfolder of a diffusers-layout directory."""
    root = Path(root).expanduser()
    missing = [
        {"name": f"stable-diffusion/{sub}", "file_name": f"{sub}/", "put_in": str(root),
         "source": "a Stable Diffusion 1.5 checkpoint in diffusers layout (e.g. stable-diffusion-v1-5)"}
        for sub in BASE_SUBFOLDERS
        if not (root / sub).is_dir()
    ]
    if missing:
        raise MissingWeightsError(missing)
    return root


def resolve_sd_base(explicit: str | Path | None = None) -> Path:
    """The local SD1.5 directory (diffusers layout), checked for the subfolders the reference model loads."""
    from tipbench.weights import resolve

    if explicit is not None:
        return check_base_dir(explicit)
    return check_base_dir(resolve(SD_BASE_ENTRY))
