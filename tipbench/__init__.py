"""tipbench: test sets, degradations, metrics and tables for text-driven image restoration (TIP).

The degradation pipelines and the restoration-prompt grammar are importable from here; everything heavy (torch,
diffusers, metrics networks) is imported only by the modules that need it.
"""

from __future__ import annotations

from typing import Any

from tipbench.degradations.base import DegradationResult
from tipbench.degradations.param import ParamDegradation
from tipbench.degradations.param import apply as apply_param_degradation
from tipbench.degradations.param import degrade as degrade_param
from tipbench.degradations.param import sample as sample_param_degradation
from tipbench.errors import PromptError, TipbenchError
from tipbench.prompts import RestorationOp, format_restoration_prompt, parse_restoration_prompt

__version__ = "0.1.0"

_REALESRGAN_EXPORTS = {
    "RealESRGANParams": "RealESRGANParams",
    "sample_realesrgan_degradation": "sample",
    "apply_realesrgan_degradation": "apply",
    "degrade_realesrgan": "degrade",
}

__all__ = [
    "DegradationResult",
    "ParamDegradation",
    "PromptError",
    "RestorationOp",
    "TipbenchError",
    "__version__",
    "apply_param_degradation",
    "degrade",
    "degrade_param",
    "format_restoration_prompt",
    "parse_restoration_prompt",
    "sample_param_degradation",
    *_REALESRGAN_EXPORTS,
]


def degrade(gt: Any, pipeline: str = "param", *, seed: int = 0, index: int = 0, **options: Any) -> DegradationResult:
    """Degrade one image with a registered pipeline (`param` or `realesrgan`), seeded per protocol §2."""
    from tipbench.degradations.base import DEGRADATIONS

    return DEGRADATIONS.get(pipeline).degrade(gt, seed=seed, index=index, **options)


def __getattr__(name: str) -> Any:
    # The Real-ESRGAN module pulls in scipy's Bessel functions; import it on first use only.
    if name in _REALESRGAN_EXPORTS:
        from tipbench.degradations import realesrgan

        return getattr(realesrgan, _REALESRGAN_EXPORTS[name])
    raise AttributeError(f"module 'tipbench' has no attribute {name!r}")
