"""Start a tipbench module the way users scale it out: `accelerate launch` with 2 CPU ranks (gloo)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

from tipbench import paths

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def launch(module: str, *args: str, **env: str) -> subprocess.CompletedProcess:
    """`accelerate launch --multi_gpu --num_processes 2 -m <module> …` on a CPU machine (docs/methods.md: accelerate's
    `--cpu` starts one process without MPI). The fault-injection switches pass only when given."""
    command = [sys.executable, "-m", "accelerate.commands.launch", "--multi_gpu", "--num_processes", "2",
               "--num_machines", "1", "--mixed_precision", "no", "--dynamo_backend", "no",
               "--main_process_port", str(free_port()), "-m", module, *args]
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "HF_HUB_OFFLINE": "1", **env}
    for name in (paths.ENV_FAULT_AFTER, paths.ENV_FAULT_RANK):
        if name not in env:
            environment.pop(name, None)
    return subprocess.run(command, env=environment, cwd=ROOT, capture_output=True, text=True, timeout=900)
