"""The paper's numbers in every table definition equal the paper text, table by table, as printed."""

from __future__ import annotations

import re

import pytest
from leaderboard_fakes import EXCERPT, PAPER

from leaderboard.tables import TABLES

NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
TICKS = {"X": "×", "×": "×", "$\\checkmark$": "✓", "wo param": "wo param"}


def paper_rows(text: str, table_key: str) -> list[list[str]]:
    """Rows (tab-split cells) of the block of paper Table `table_key`: header line up to the `Table N.` line."""
    lines = text.splitlines()
    end = next(i for i, line in enumerate(lines) if line.startswith(f"Table {table_key}."))
    start = max(i for i in range(end) if lines[i].startswith("Method\t"))
    return [line.split("\t") for line in lines[start + 1:end] if line.strip()]


def check_table(text: str, key: str) -> None:
    spec = TABLES.get(key)
    rows = paper_rows(text, key)
    transcribed = [row for row in spec.rows if row.paper_label]  # rows we add (reference floors) have no label
    assert all(not row.paper for row in spec.rows if not row.paper_label)
    assert len(rows) == len(transcribed), f"table {key}: row count"
    for printed, row in zip(rows, transcribed):
        assert printed[0] == row.paper_label, f"table {key}: row label"
        numbers = [cell for cell in printed[1:] if NUMBER.match(cell)]
        assert numbers == [row.paper[c.key] for c in spec.columns], f"table {key}, row {row.label}"
        ticks = [TICKS[cell] for cell in printed[1:] if not NUMBER.match(cell)]
        assert ticks == list(row.descriptors), f"table {key}, row {row.label}: descriptors"


@pytest.mark.parametrize("key", ["1", "3", "4", "5", "6"])
def test_definitions_equal_frozen_excerpt(key):
    check_table(EXCERPT.read_text(encoding="utf-8"), key)


@pytest.mark.skipif(not PAPER.exists(), reason="paper text not present on this machine")
@pytest.mark.parametrize("key", ["1", "3", "4", "5", "6"])
def test_definitions_equal_paper_text(key):
    check_table(PAPER.read_text(encoding="utf-8"), key)


def test_per_table_inconsistencies_kept_as_printed():
    full = {key: next(r for r in TABLES.get(key).rows if r.label == "Ours") for key in ("1", "4", "5")}
    assert full["1"].paper["coco-param:clip_t"] == "0.306"
    assert full["5"].paper["coco-param:clip_t"] == "0.306"
    assert full["4"].paper["coco-param:clip_t"] == "0.305"
    assert TABLES.get("1").rows[3].paper["coco-param:clip_t"] == "0.300"  # trailing zero survives


def test_every_row_names_a_registered_method_and_variant():
    from tipbench.methods import METHODS, check_variant

    for key in TABLES:
        for row in TABLES.get(key).rows:
            for match in row.matches:
                assert match.method in METHODS, (key, row.label)
                check_variant(METHODS.get(match.method), match.variant)


def test_metric_directions_come_from_the_one_metrics_table():
    from tipbench.metrics import METRICS

    for key in TABLES:
        for column in TABLES.get(key).columns:
            assert column.info is METRICS.get(column.metric), (key, column.key)
    for name in METRICS.names():
        spec = METRICS.get(name)
        if spec.implementation is not None:  # the stateful class reads its direction from the same entry
            assert spec.load().higher_is_better is spec.higher_is_better, name
