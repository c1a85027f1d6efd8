"""Hugging Face export of a built split (`python -m tipbench.publish`).

* `config` — `PublishConfig`;
* `cli` — the command line;
* `export` — the dataset (PNG bytes unchanged, sha256-checked), its parquet shards and `save_to_disk` copy;
* `card` — the dataset card from split.json and the manifest;
* `push` — `push_to_hub`, or what is missing for it.
"""

from __future__ import annotations

from tipbench.publish.config import PublishConfig
from tipbench.registry import lazy_attributes

__all__ = ["PublishConfig", "build_parser", "export_split", "main", "push_export"]

__getattr__ = lazy_attributes(__name__, {"export_split": "tipbench.publish.export",
                                         "push_export": "tipbench.publish.push",
                                         "build_parser": "tipbench.publish.cli", "main": "tipbench.publish.cli"})
