"""Degradation pipelines: the paper's parameterized pipeline and the Real-ESRGAN second-order pipeline."""

from tipbench.degradations.base import DEGRADATIONS, DegradationResult

__all__ = ["DEGRADATIONS", "DegradationResult"]
