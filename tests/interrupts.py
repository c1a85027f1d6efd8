"""Fault injection for the long commands: a real Ctrl-C (SIGINT to the whole process group, as a terminal sends it)
or a real SIGKILL, sent once the command is observably mid-way, and the checks every such test makes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

#: What must never reach a user's terminal after an interrupt or a kill.
FORBIDDEN = ("Traceback", "leaked semaphore", "KeyboardInterrupt", "BrokenProcessPool")


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the user's TIPBENCH_* settings (the tests pass every location explicitly)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("TIPBENCH_")}
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    env.update(extra)
    return env


def group_gone(group: int, seconds: float) -> bool:
    """True once no process of `group` is left (workers included), waiting at most `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def children(pid: int) -> list[int]:
    """Direct children of `pid` that do work (pool or loader workers), not Python's resource tracker."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().decode(errors="replace")
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and "resource_tracker import main" not in cmdline:
            found.append(int(entry.name))
    return found


def interrupt(command: list[str], ready: Callable[[], bool], *, how: str = "ctrl-c", timeout: float = 180,
              cwd: Path | None = None) -> subprocess.CompletedProcess:
    """Run `python -m <command>` in its own session; once `ready()`, send `how` (`ctrl-c`: SIGINT to the group;
    `kill-parent` / `kill-worker`: SIGKILL to the main process / one pool worker). Returns the finished process
    after every process of the group is gone."""
    process = subprocess.Popen([sys.executable, "-m", *command], env=clean_env(), cwd=cwd, start_new_session=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + timeout
        while not ready() and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        assert process.poll() is None, f"finished before it could be interrupted:\n{process.communicate()[1]}"
        if how == "ctrl-c":
            os.killpg(process.pid, signal.SIGINT)
        elif how == "kill-parent":
            os.kill(process.pid, signal.SIGKILL)
        else:
            workers = children(process.pid)
            assert workers, "no pool worker to kill"
            os.kill(workers[0], signal.SIGKILL)
        out, err = process.communicate(timeout=timeout)
        assert group_gone(process.pid, seconds=30), "processes of the command kept running"
        time.sleep(0.5)  # the resource tracker, if any, writes its notes as it exits
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def check_ctrl_c(result: subprocess.CompletedProcess, resume_hint: str) -> None:
    """Exit 130, and the one thing said about it is `interrupted; …` naming how to resume; no traceback."""
    assert result.returncode == 130, result.stderr
    for text in FORBIDDEN:
        assert text not in result.stderr, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    said = [line for line in lines if "interrupt" in line.lower()]
    assert said == [lines[-1]] and lines[-1].startswith("interrupted; ") and resume_hint in lines[-1], result.stderr
    for line in lines[:-1]:  # everything else is ordinary log records
        assert line.split(" ", 1)[0] in ("DEBUG", "INFO", "WARNING"), line
