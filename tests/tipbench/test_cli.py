"""The one CLI helper: `-v` / `-q` mean the same in every command, log lines never break a progress bar, and the
edge turns user-fixable failures into one `error:` line (exit 1) and Ctrl-C into one line (exit 130)."""

from __future__ import annotations

import argparse
import importlib
import io
import logging

import pytest

from tipbench.cli import LOG_FORMAT, add_output_options, log_level, progress_bar, run_command
from tipbench.errors import ConfigError

#: Every command's parser factory (module, function, argv reaching the parser that carries the output options).
PARSERS = [
    ("tipbench.build.cli", "build_parser", ["--split", "coco-param"]),
    ("tipbench.run.cli", "build_parser", []),
    ("tipbench.score.cli", "build_parser", ["runs/x"]),
    ("tipbench.adherence.cli", "build_parser", ["runs/x"]),
    ("tipbench.adherence.cli", "build_walk_parser", ["--method", "bicubic"]),
    ("tipbench.publish.cli", "build_parser", ["--split", "coco-param"]),
    ("tipbench.figures.cli", "build_parser", ["walk", "-m", "bicubic", "--out", "x.png"]),
    ("leaderboard.cli", "build_parser", []),
    ("tipbench.weights", "build_parser", ["list"]),
    ("data_recipes.shards", "build_parser", ["sample-train"]),
    ("reference_model.train.cli", "build_parser", ["config.yaml"]),
]


@pytest.mark.parametrize(("module", "factory", "argv"), PARSERS, ids=[f"{m}.{f}" for m, f, _ in PARSERS])
def test_every_command_takes_the_same_verbosity_flags(module, factory, argv):
    parser = getattr(importlib.import_module(module), factory)()
    for flags, level in (([], logging.INFO), (["-v"], logging.DEBUG), (["-q"], logging.WARNING),
                         (["-qq"], logging.ERROR)):
        # options of a subcommand follow it; the shared ones sit on the subcommand's parser
        args = parser.parse_args(argv[:1] + flags + argv[1:] if module == "tipbench.figures.cli" else flags + argv)
        assert log_level(args.verbose, args.quiet) == level, (module, flags)


def test_levels_and_format():
    assert [log_level(v, q) for v, q in ((0, 0), (1, 0), (2, 0), (0, 1), (0, 2), (0, 3), (1, 1))] == [
        logging.INFO, logging.DEBUG, logging.DEBUG, logging.WARNING, logging.ERROR, logging.ERROR, logging.INFO]
    assert LOG_FORMAT == "%(levelname)s %(name)s: %(message)s"


class _Terminal(io.StringIO):
    """A stderr that says it is a terminal, so tqdm draws its bar."""

    def isatty(self) -> bool:
        return True


def _args(*flags: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    add_output_options(parser)
    return parser.parse_args(list(flags))


def _log_during_a_bar() -> int:
    bar = progress_bar(total=3, desc="items", unit="img")
    bar.update(1)
    logging.getLogger("tipbench.example").info("halfway there")
    bar.update(2)
    bar.close()
    return 0


def test_a_log_line_during_a_progress_bar_gets_its_own_line(monkeypatch):
    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    assert run_command(_args(), _log_during_a_bar) == 0
    text = terminal.getvalue()
    assert "items" in text and "3/3" in text  # the bar was drawn
    line = next(line for line in text.split("\n") if "halfway there" in line)
    # what is visible on that terminal line starts with the record, not with the bar
    assert line.split("\r")[-1] == "INFO tipbench.example: halfway there"


def test_without_the_redirect_the_bar_would_swallow_the_line(monkeypatch):
    """The check above can fail: logging straight to the terminal writes onto the bar's line."""
    from tipbench.cli import configure_logging

    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    configure_logging()
    _log_during_a_bar()
    line = next(line for line in terminal.getvalue().split("\n") if "halfway there" in line)
    assert line.split("\r")[-1] != "INFO tipbench.example: halfway there"


def test_quiet_hides_info_and_no_progress_hides_the_bar(monkeypatch):
    from tipbench.cli import progress_enabled

    terminal = _Terminal()
    monkeypatch.setattr("sys.stderr", terminal)
    args = _args("-q")
    assert run_command(args, lambda: (logging.getLogger("tipbench.x").info("chatter"),
                                      logging.getLogger("tipbench.x").warning("careful"))[0] or 0) == 0
    assert "chatter" not in terminal.getvalue() and "WARNING tipbench.x: careful" in terminal.getvalue()
    assert progress_enabled(_args()) and not progress_enabled(args) and not progress_enabled(_args("--no-progress"))


def test_the_edge(capsys):
    def fails() -> int:
        raise ConfigError("`--limit` must be >= 1, got 0")

    def interrupted() -> int:
        raise KeyboardInterrupt

    def bug() -> int:
        raise ZeroDivisionError

    assert run_command(_args(), fails) == 1
    assert capsys.readouterr().err == "error: `--limit` must be >= 1, got 0\n"
    assert run_command(_args(), lambda: (_ for _ in ()).throw(NotADirectoryError(20, "Not a directory", "/x"))) == 1
    assert capsys.readouterr().err == "error: Not a directory: `/x`\n"
    assert run_command(_args(), interrupted, interrupted="interrupted; run again to resume") == 130
    assert capsys.readouterr().err == "interrupted; run again to resume\n"
    with pytest.raises(ZeroDivisionError):  # a bug keeps its traceback
        run_command(_args(), bug)
