"""One command per paper table (`python -m tipbench.reproduce --table 1|3|4|5|6|a [--plan]`).

* `config` — `ReproduceConfig`;
* `plan` — `make_plan`: every (split, method, prompts, variant) run the table needs, done / ready / missing and why;
* `report` — the plan as text;
* `execute` — `reproduce`: build the splits, run and score what is ready (resuming), render the table;
* `cli` — the command line.
"""

from __future__ import annotations

from tipbench.registry import lazy_attributes
from tipbench.reproduce.config import ReproduceConfig

__all__ = ["ReproduceConfig", "main", "make_plan", "reproduce"]

__getattr__ = lazy_attributes(__name__, {"make_plan": "tipbench.reproduce.plan", "reproduce": "tipbench.reproduce.execute",
                                         "main": "tipbench.reproduce.cli"})
