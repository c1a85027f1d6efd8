"""BuildConfig round trip, the splits registry entries, and `--help`."""

from __future__ import annotations

import pytest

from tipbench.build import BuildConfig, main
from tipbench.errors import ConfigError
from tipbench.splits import SPLITS


def test_build_config_round_trip_and_validation() -> None:
    config = BuildConfig(split="coco-param", source_root="/data/coco", out="/tmp/x", limit=5, seed=3, workers=2)
    assert BuildConfig.from_dict(config.to_dict()) == config
    with pytest.raises(ConfigError, match="unknown BuildConfig key"):
        BuildConfig.from_dict({"split": "coco-param", "wrokers": 2})
    for bad in ({"workers": 0}, {"seed": -1}, {"limit": 0}, {"resume": True, "overwrite": True}, {"seed": 1.5}):
        with pytest.raises(ConfigError):
            BuildConfig(split="coco-param", **bad)


def test_splits_registry() -> None:
    assert SPLITS.names() == ["coco-param", "coco-realesrgan", "coco-selective", "div2k-realesrgan", "div2k-stablesr"]
    for name in SPLITS.names():
        spec = SPLITS.get(name)
        assert spec.name == name and spec.n == 3000
    assert SPLITS.get("div2k-realesrgan").crops_per_image * 100 == 3000
    assert SPLITS.get("coco-realesrgan").param_set == "realesrgan-x4plus"
    assert SPLITS.get("div2k-realesrgan").param_set == "stablesr"


def test_help_documents_every_flag(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for flag in ("--split", "--source-root", "--out", "--limit", "--seed", "--workers", "--resume", "--overwrite",
                 "TIPBENCH_COCO_ROOT", "TIPBENCH_DIV2K_ROOT", "TIPBENCH_STABLESR_TESTSETS", "sample"):
        assert flag in text
