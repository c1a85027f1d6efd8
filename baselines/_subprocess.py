"""The temp-folder protocol for baselines that run as subprocesses of the user's own clone and environment.

Inputs are written as `<id>.png` to a fresh temporary `in/` folder, the program writes `<id>.png` into `out/`, and
the results are read back; the folder is removed afterwards. Every command line is kept (for run.json `command`);
a non-zero exit, a timeout or a missing output is a `RestorerError` naming the command and the program's last
stderr lines — never a silent fallback.
"""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from tipbench.errors import RestorerError
from tipbench.io import decode_png, write_png

logger = logging.getLogger(__name__)

_TAIL_LINES = 8


class SubprocessRunner:
    """Runs one external program per call in `cwd`, recording each exact command line."""

    def __init__(self, name: str, cwd: str, timeout_s: float, env: dict[str, str] | None = None) -> None:
        self.name = name
        self.cwd = cwd
        self.timeout_s = timeout_s
        self.env = {**os.environ, **(env or {})}
        self.commands: list[str] = []

    def run(self, images: dict[str, np.ndarray], argv_for: Callable[[Path, Path], list[str]]
            ) -> dict[str, np.ndarray | RestorerError]:
        """Write `images` (id → HxWx3 uint8), run `argv_for(in_dir, out_dir)`, read `out_dir/<id>.png` back.

        Returns id → image, or a `RestorerError` for an id whose output is missing or unreadable.
        Raises `RestorerError` when the program fails or times out (no outputs are trusted then).
        """
        with tempfile.TemporaryDirectory(prefix=f"tipbench-{self.name.lower()}-") as tmp:
            in_dir, out_dir = Path(tmp) / "in", Path(tmp) / "out"
            in_dir.mkdir()
            out_dir.mkdir()
            for item_id, image in images.items():
                write_png(in_dir / f"{item_id}.png", image)
            argv = [str(part) for part in argv_for(in_dir, out_dir)]
            command = shlex.join(argv)
            self.commands.append(command)
            logger.info("running %s on %d image(s): %s", self.name, len(images), command)
            started = time.perf_counter()
            try:
                completed = subprocess.run(argv, cwd=self.cwd, env=self.env, capture_output=True, text=True,
                                           timeout=self.timeout_s, check=False)
            except subprocess.TimeoutExpired as exc:
                raise RestorerError(f"{self.name} timed out after {self.timeout_s:g} s: {command}") from exc
            except OSError as exc:
                raise RestorerError(f"{self.name} could not start (`{argv[0]}`): {exc}") from exc
            logger.debug("%s finished in %.1f s", self.name, time.perf_counter() - started)
            if completed.returncode != 0:
                tail = "\n".join((completed.stderr or completed.stdout or "").strip().splitlines()[-_TAIL_LINES:])
                raise RestorerError(f"{self.name} exited with status {completed.returncode}: {command}\n{tail}")
            return {item_id: _read_output(out_dir / f"{item_id}.png", self.name, command) for item_id in images}


def _read_output(path: Path, name: str, command: str) -> np.ndarray | RestorerError:
    if not path.is_file():
        return RestorerError(f"{name} wrote no `{path.name}`: {command}")
    try:
        return decode_png(path)
    except OSError as exc:
        return RestorerError(f"{name} wrote an unreadable `{path.name}`: {exc}")


def prepare_lq(lq: np.ndarray, out_size: tuple[int, int], scale: int) -> tuple[np.ndarray, int]:
    """(input image, upscale flag): the LQ as is with `scale` when LQ×scale is the output size, else the LQ
    bicubic-resized to `out_size` with upscale 1 (param splits with other factors)."""
    from baselines._common import resize_uint8

    if (lq.shape[0] * scale, lq.shape[1] * scale) == tuple(out_size):
        return lq, scale
    return resize_uint8(lq, out_size, "bicubic"), 1


def clone_commit(repo: str) -> str | None:
    """The clone's checked-out commit (`git rev-parse HEAD`); None when git is absent or the folder is not the top of
    its own checkout (a copy inside another repository would otherwise report that repository's commit)."""
    try:
        found = subprocess.run(["git", "-C", repo, "rev-parse", "--show-toplevel", "HEAD"], capture_output=True,
                               text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    lines = found.stdout.split()
    if found.returncode != 0 or len(lines) != 2 or Path(lines[0]).resolve() != Path(repo).resolve():
        return None
    return lines[1] if len(lines[1]) == 40 else None


@dataclass(frozen=True)
class CallPlan:
    """What one program call needs besides its images: the script it runs and the upscale factor it is given
    (0 for a script without an upscale flag). Items with equal plans can share a call."""

    script: str
    upscale: int


def python_path_env(repo: str) -> dict[str, str]:
    """PYTHONPATH with the clone first, so its top-level packages (`ldm`, `diffbir`) import from scripts/."""
    existing = os.environ.get("PYTHONPATH", "")
    return {"PYTHONPATH": repo + (os.pathsep + existing if existing else "")}


class SubprocessRestorer:
    """Base of the subprocess baselines: plans each item's call, groups items into calls, resizes to `out_size`.

    Items are grouped by their `CallPlan` (and, with `group_by_semantic_prompt`, by c_s, since the programs take
    one prompt per call). The seed of a call is the seed of its first item: the programs take one seed, so outputs
    depend on which items share a call (recorded in `settings`).
    """

    name = "subprocess"
    uses_semantic_prompt = False
    uses_restoration_prompt = False
    retry_items_alone = False  # a failed call is systematic: re-running items one by one would only repeat it
    group_by_semantic_prompt = False
    scale = 4
    default_timeout_s = 3600.0

    def __init__(self, options, clone, runner_name: str) -> None:
        from tipbench.methods import clone_paths

        self.clone = clone
        self.repo, self.python = clone_paths(clone, options.repo, options.python)
        self.clone_commit = clone_commit(self.repo)
        self.device = options.device
        timeout = options.timeout_s or self.default_timeout_s
        self.runner = SubprocessRunner(runner_name, self.repo, timeout, env=python_path_env(self.repo))
        self.items_per_script: dict[str, int] = {}
        self._warned: set[str] = set()

    def plan(self, lq: np.ndarray, out_size: tuple[int, int]) -> tuple[np.ndarray, CallPlan]:
        """(the image given to the program, its call plan): by default the clone's entry script, with the LQ as is
        and upscale `scale` when LQ×scale is the output size, else the LQ bicubic-resized to it and upscale 1."""
        image, upscale = prepare_lq(lq, out_size, self.scale)
        return image, CallPlan(self.clone.entry, upscale)

    def argv(self, in_dir: Path, out_dir: Path, *, plan: CallPlan, seed: int, semantic_prompt: str) -> list[str]:
        raise NotImplementedError

    def restore(self, lq: np.ndarray, *, semantic_prompt: str = "", restoration_prompt: str = "",
                out_size: tuple[int, int] = (512, 512), seed: int = 0) -> np.ndarray:
        result = self.restore_batch([{"lq": lq, "semantic_prompt": semantic_prompt,
                                      "restoration_prompt": restoration_prompt, "out_size": out_size,
                                      "seed": seed}])[0]
        if isinstance(result, BaseException):
            raise result
        return result

    def restore_batch(self, items: list[dict]) -> list[np.ndarray | RestorerError]:
        """Restore many items in as few calls as the program allows; a missing output is that item's error."""
        from baselines._common import resize_uint8, warn_ignored_prompts
        from tipbench.contracts.restorer import check_restore_inputs

        groups: dict[tuple[CallPlan, str], list[int]] = {}
        prepared = []
        for position, item in enumerate(items):
            out_size = tuple(item.get("out_size", (512, 512)))
            check_restore_inputs(item["lq"], out_size)
            warn_ignored_prompts(self, self._warned, semantic_prompt=item.get("semantic_prompt", ""),
                                 restoration_prompt=item.get("restoration_prompt", ""))
            image, plan = self.plan(item["lq"], out_size)
            prompt = item.get("semantic_prompt", "") if self.uses_semantic_prompt else ""
            prepared.append((image, out_size))
            groups.setdefault((plan, prompt if self.group_by_semantic_prompt else ""), []).append(position)
        results: list[np.ndarray | RestorerError | None] = [None] * len(items)
        for (plan, prompt), positions in groups.items():
            names = {f"{position:06d}": prepared[position][0] for position in positions}
            seed = int(items[positions[0]].get("seed", 0))
            outputs = self.runner.run(names, lambda i, o, c=plan, s=seed, p=prompt: self.argv(
                i, o, plan=c, seed=s, semantic_prompt=p))
            self.items_per_script[plan.script] = self.items_per_script.get(plan.script, 0) + len(positions)
            for position in positions:
                output = outputs[f"{position:06d}"]
                if isinstance(output, np.ndarray):
                    output = self.postprocess(output, items[position], resize_uint8(output, prepared[position][1]))
                results[position] = output
        return results  # type: ignore[return-value]

    def postprocess(self, raw: np.ndarray, item: dict, resized: np.ndarray) -> np.ndarray:
        """Hook for a second stage (SDEdit); default: the program's output resized to `out_size`."""
        return resized

    def describe_common(self) -> dict:
        return {"command": list(self.runner.commands), "repo": self.repo, "python": self.python,
                "seed_policy": "one seed per call: the restorer seed of the call's first item",
                "upstream": {"source": self.clone.source, "checked_commit": self.clone.checked_commit,
                             "clone_commit": self.clone_commit},
                "items_per_script": dict(self.items_per_script)}
