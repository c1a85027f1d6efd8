"""`diffbir-clip`: DiffBIR with the semantic prompt c_s as its positive prompt (zero-shot: v1 was trained with empty
text). `inference.py` takes one `--pos_prompt` per call, so items with different c_s run in separate calls."""

from __future__ import annotations

from baselines.diffbir import DiffBIRRestorer


class DiffBIRCLIPRestorer(DiffBIRRestorer):
    """DiffBIR with `--pos_prompt <c_s>`; ignores the restoration prompt (logged once)."""

    name = "diffbir-clip"
    uses_semantic_prompt = True
    group_by_semantic_prompt = True
