"""What each long command says when its work is interrupted or a worker dies: the edge every command shares
(`tipbench.cli.run_command`), with each command's own resume hint. The real signals are sent in the slow
fault-injection tests (build, run, score, shards, publish, adherence: docs/reliability.md)."""

from __future__ import annotations

import importlib
from concurrent.futures.process import BrokenProcessPool

import pytest

#: command → (its main, the library call its work makes, argv, the resume hint its Ctrl-C line must give)
COMMANDS = {
    "build": ("tipbench.build.cli", "tipbench.build.runner.build_split", ["--split", "coco-param"],
              "run again with --resume to continue"),
    "run": ("tipbench.run.cli", "tipbench.run.runner.run_method", ["--method", "bicubic", "--split", "x"],
            "run again to resume"),
    "score": ("tipbench.score.cli", "tipbench.score.runner.score_run", ["RUN_DIR"],
              "no score file was written (they are written at the end), run the same command again"),
    "shards": ("data_recipes.shards", "data_recipes.shards.write_shards", ["sample-train", "--out", "X"],
               "run the same command again to resume"),
    "publish": ("tipbench.publish.cli", "tipbench.publish.export.export_split", ["--split", "coco-param"],
                "the export folder is replaced only when complete, run the same command again"),
    "adherence": ("tipbench.adherence.cli", "tipbench.adherence.scoring.score_adherence", ["RUN_DIR"],
                  "adherence.json is written at the end, run the same command again"),
    "adherence walk": ("tipbench.adherence.cli", "tipbench.adherence.walk.run_walk",
                       ["walk", "--method", "bicubic"], "walk.json is written at the end, run the same command again"),
}


def _raise(exc: BaseException):
    def work(*args, **kwargs):
        raise exc
    return work


@pytest.mark.parametrize("command", list(COMMANDS))
def test_ctrl_c_is_one_line_with_the_resume_hint(command, monkeypatch, capsys):
    cli, target, argv, hint = COMMANDS[command]
    module, name = target.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(module), name, _raise(KeyboardInterrupt()))
    assert importlib.import_module(cli).main(argv) == 130
    captured = capsys.readouterr()
    assert captured.err == f"interrupted; {hint}\n" and captured.out == ""


@pytest.mark.parametrize("command", ["build", "shards"])
def test_a_dead_worker_is_one_error_line_with_the_resume_hint(command, monkeypatch, capsys):
    cli, target, argv, hint = COMMANDS[command]
    module, name = target.rsplit(".", 1)
    monkeypatch.setattr(importlib.import_module(module), name, _raise(BrokenProcessPool("A process in the pool died")))
    assert importlib.import_module(cli).main(argv) == 1
    assert capsys.readouterr().err == f"error: a worker process ended abruptly (killed, or out of memory?); {hint}\n"
