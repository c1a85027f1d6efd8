"""Test-set builds (`python -m tipbench.build`): split folders of contracts §1 from COCO, DIV2K, StableSR, a folder
or the bundled sample.

* `config` — `BuildConfig`;
* `cli` — the command line;
* `runner` — `build_split`: resolve the source, build items in the seeded order, assemble the split folder;
* `item` — the work of one item inside a worker process (read, degrade, write, record).
"""

from __future__ import annotations

from tipbench.build.config import BuildConfig
from tipbench.registry import lazy_attributes

__all__ = ["BuildConfig", "build_parser", "build_split", "main"]

# build_split pulls in the sources and pipelines; keep `--help` and `import tipbench.build` light.
__getattr__ = lazy_attributes(__name__, {"build_split": "tipbench.build.runner", "build_parser": "tipbench.build.cli",
                                         "main": "tipbench.build.cli"})
