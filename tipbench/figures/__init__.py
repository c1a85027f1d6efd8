"""Figures (`python -m tipbench.figures walk|semantic|compare`): labelled PNG grids from any registered method.

* `config` — `FigureInput` (where the degraded input comes from) and `FigureConfig`;
* `cli` — the command line;
* `make` — `make_figure`, dispatching on the kind;
* `walk` (Figs. 6, 9), `panels` (Figs. 4, 5), `grid` (the one layout), `inputs` (split rows, images we degrade).
"""

from __future__ import annotations

from tipbench.figures.config import FigureConfig, FigureInput
from tipbench.registry import lazy_attributes

__all__ = ["FigureConfig", "FigureInput", "build_parser", "main", "make_figure"]

__getattr__ = lazy_attributes(__name__, {"make_figure": "tipbench.figures.make", "build_parser": "tipbench.figures.cli",
                                         "main": "tipbench.figures.cli"})
