"""Metrics (protocol §6): the table of every score (`specs`), functional forms in `tipbench.metrics.functional`,
stateful classes beside them, and the one-pass scoring harness.

`import tipbench.metrics` imports no torch: the table names each class lazily.
"""

from __future__ import annotations

from tipbench.metrics.specs import METRICS, MetricSpec, metric_spec

__all__ = ["METRICS", "MetricSpec", "metric_spec"]
