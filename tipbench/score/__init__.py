"""Scoring (`python -m tipbench.score`): a run folder, or outputs made elsewhere, against its split (contracts §3).

* `config` — `ScoreConfig`;
* `cli` — the command line;
* `runner` — `score_run`: validate, one harness pass (`tipbench.metrics.harness`), write scores and summary;
* `checks` — the split a run was made from, and every output against its reference;
* `external` — outputs made elsewhere, laid out as a run folder first.
"""

from __future__ import annotations

from tipbench.registry import lazy_attributes
from tipbench.score.config import ScoreConfig

__all__ = ["ScoreConfig", "build_parser", "main", "score_run"]

__getattr__ = lazy_attributes(__name__, {"score_run": "tipbench.score.runner", "build_parser": "tipbench.score.cli",
                                         "main": "tipbench.score.cli"})
