"""The one Restorer interface (contracts §4) and the input and output checks every implementation uses."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np

from tipbench.errors import RestorerError


@runtime_checkable
class Restorer(Protocol):
    """Restores one degraded image. `lq` and the result are HxWx3 uint8 RGB; the result has exactly `out_size`."""

    name: str
    uses_semantic_prompt: bool
    uses_restoration_prompt: bool

    def restore(
        self,
        lq: np.ndarray,
        *,
        semantic_prompt: str = "",
        restoration_prompt: str = "",
        out_size: tuple[int, int] = (512, 512),
        seed: int = 0,
    ) -> np.ndarray: ...


def check_restore_inputs(lq: np.ndarray, out_size: tuple[int, int]) -> None:
    """Reject inputs a restorer cannot take (raised before any model work)."""
    if not isinstance(lq, np.ndarray) or lq.dtype != np.uint8 or lq.ndim != 3 or lq.shape[2] != 3:
        got = f"{lq.dtype} {lq.shape}" if isinstance(lq, np.ndarray) else type(lq).__name__
        raise RestorerError(f"`lq` must be HxWx3 uint8 RGB, got {got}")
    if len(out_size) != 2 or min(out_size) <= 0:
        raise RestorerError(f"`out_size` must be (H, W) with positive sides, got {out_size!r}")


def check_restore_output(out: np.ndarray, out_size: tuple[int, int], name: str) -> np.ndarray:
    """A restorer's result must be HxWx3 uint8 of exactly `out_size`; never silently resized."""
    if not isinstance(out, np.ndarray) or out.ndim != 3 or out.shape[2] != 3 or out.dtype != np.uint8:
        got = f"{out.dtype} {out.shape}" if isinstance(out, np.ndarray) else type(out).__name__
        raise RestorerError(f"method `{name}` returned {got}; expected HxWx3 uint8")
    if tuple(out.shape[:2]) != tuple(out_size):
        raise RestorerError(f"method `{name}` returned size {out.shape[:2]}, expected {tuple(out_size)}")
    return out
