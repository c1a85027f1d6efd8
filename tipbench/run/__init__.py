"""Runs (`python -m tipbench.run`): restore a split with one method into its run folder (contracts §2), then score.

* `config` — `RunConfig`;
* `cli` — the command line (`build_parser`, `main`, `--list`);
* `runner` — `run_method`: validate, build the restorer, restore, record run.json, score;
* `loop` — the restoring loop: batches, per-item failures, atomic writes, worker processes, this process's share;
* `overlap` — input decoding and output writing on threads beside the restorer;
* `parts` — a run written by several processes (accelerate ranks, `--shard I/N`): part records, one run.json.
"""

from __future__ import annotations

from tipbench.registry import lazy_attributes
from tipbench.run.config import RunConfig

__all__ = ["RunConfig", "build_parser", "list_methods", "main", "run_method"]

__getattr__ = lazy_attributes(__name__, {"run_method": "tipbench.run.runner", "build_parser": "tipbench.run.cli",
                                         "main": "tipbench.run.cli", "list_methods": "tipbench.run.cli"})
