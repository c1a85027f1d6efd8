"""The files and interfaces between the stages (docs/contracts.md), one module per contract.

* `split_folder` — contracts §1: manifest schema, the typed `SplitRow`, the one reader and the one writer;
* `safe_paths`, `manifest_checks` — what the reader checks in a folder it did not write (ids, paths, types);
* `integrity` — contracts §1: the files a stage reads still have their manifest sha256 (`build --verify`);
* `published` — contracts §1.1: the exported Hugging Face dataset, written by `publish`, read back by `build`;
* `run_folder` — contracts §2: `RunKey` (where a run lives), run.json, failures.jsonl, prompt-walk folders;
* `prompt_policy` — contracts §2.2: what each item's restorer is fed;
* `scores` — contracts §3: scores.parquet and the summary file names;
* `restorer` — contracts §4: the `Restorer` protocol and its input/output checks.

Every file a stage writes records `PROTOCOL`, the version of docs/protocol.md it follows.
"""

from __future__ import annotations

#: The protocol every split, run and summary records (docs/protocol.md); a changed rule is a new version.
PROTOCOL = "tipbench-v1"

__all__ = ["PROTOCOL"]
