"""What every degradation pipeline returns, and the registry of pipelines."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tipbench.registry import Registry


@dataclass
class DegradationResult:
    """The LQ image (HxWx3 uint8), its prompts and the parameters that regenerate it exactly."""

    lq: np.ndarray
    restoration_prompt: str
    restoration_prompt_type: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PipelineEntry:
    """Registry entry of one pipeline: its module's functions under the common names every caller uses."""

    name: str
    params_type: type
    sample: Callable[..., Any]
    apply: Callable[..., Any]
    degrade: Callable[..., Any]
    params_from_dict: Callable[[dict[str, Any]], Any]


#: Degradation pipelines by name; each entry is a module exposing `sample`, `apply` and `degrade`.
DEGRADATIONS: Registry[Any] = Registry("degradation pipeline")
DEGRADATIONS.register("param", "tipbench.degradations.param:PIPELINE")
DEGRADATIONS.register("realesrgan", "tipbench.degradations.realesrgan:PIPELINE")
DEGRADATIONS.register("selective", "tipbench.degradations.selective:PIPELINE")
