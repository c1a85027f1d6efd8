"""`ScoreConfig`: everything `score_run` needs, as one frozen, JSON-round-trippable dataclass."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any, Literal

from tipbench.config import reject_unknown_keys
from tipbench.errors import ConfigError

NETWORK_METRICS = ("lpips", "fid", "clip")
PROMPT_POLICIES = ("none", "semantic", "restoration", "both", "both-type-only")
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]*$")


@dataclass(frozen=True)
class ScoreConfig:
    """Options of one scoring (contracts §3, §6 `python -m tipbench.score`).

    Attributes:
        run_dir: the run folder to score; or None with `split`, `outputs`, `method` (external outputs).
        split, outputs, method, prompts, variant: external-outputs form: a folder of `<id>.png` (or float
            `<id>.npy` in [0, 1]) laid out as `<runs>/<split>/<method>/<prompts>[@<variant>]/` first.
        splits_dir, runs_dir: override `$TIPBENCH_HOME/splits` and `$TIPBENCH_HOME/runs`.
        reference: score fidelity against the split's `gt/` (default) or `target/` (coco-selective); `target`
            writes `scores_target.parquet` and `summary_target.json` beside the usual files.
        metrics: which network metrics to compute (PSNR/SSIM and their Y variants always are).
        metric_weights: `real` (weights registry) or `random` (tests/CI; recorded as `"weights": "random"`).
        random_arch: with random weights, `tiny` networks of each family (fast) or the `full` architectures.
        clip_model: `ViT-L-14-quickgelu` (protocol default) or `ViT-B-32-quickgelu`.
        strict_metrics: a network metric without weights is an error instead of null.
        allow_small_fid: compute FID below N = 50 (always flagged as not comparable).
        device, batch_size, workers: where and how wide the one pass runs (`workers` DataLoader processes).
        use_gt_cache: read/write the split's GT feature cache (`<split>/.cache/metrics/`).
        progress: progress bar on stderr (only when it is a terminal).
    """

    run_dir: str | None = None
    split: str | None = None
    outputs: str | None = None
    method: str | None = None
    prompts: str = "both"
    variant: str | None = None
    splits_dir: str | None = None
    runs_dir: str | None = None
    reference: Literal["gt", "target"] = "gt"
    metrics: tuple[str, ...] = NETWORK_METRICS
    metric_weights: Literal["real", "random"] = "real"
    random_arch: Literal["tiny", "full"] = "tiny"
    clip_model: str = "ViT-L-14-quickgelu"
    strict_metrics: bool = False
    allow_small_fid: bool = False
    device: str = "cpu"
    batch_size: int = 16
    workers: int = 0
    use_gt_cache: bool = True
    progress: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "metrics", tuple(self.metrics))
        external = self.outputs is not None
        if external == (self.run_dir is not None):
            raise ConfigError("give either a run folder or `outputs` (with `split` and `method`), not both or neither")
        if external and not (self.split and self.method):
            raise ConfigError("scoring an outputs folder needs `split` and `method`")
        if self.method is not None and not _KEY.match(self.method):
            raise ConfigError(f"method key `{self.method}` must match [a-z0-9-]+ (e.g. my-method)")
        if self.variant is not None and not _KEY.match(self.variant):
            raise ConfigError(f"variant `{self.variant}` must match [a-z0-9-]+")
        if self.prompts not in PROMPT_POLICIES:
            raise ConfigError(f"unknown prompt policy `{self.prompts}`; choose one of: {', '.join(PROMPT_POLICIES)}")
        choices = {"reference": ("gt", "target"), "metric_weights": ("real", "random"),
                   "random_arch": ("tiny", "full")}
        for name, valid in choices.items():
            if getattr(self, name) not in valid:
                raise ConfigError(f"`{name}` must be one of {', '.join(valid)}, got `{getattr(self, name)}`")
        unknown = sorted(set(self.metrics) - set(NETWORK_METRICS))
        if unknown:
            raise ConfigError(f"unknown metric(s) {', '.join(unknown)}; choose from: {', '.join(NETWORK_METRICS)} "
                              "(psnr/ssim are always computed)")
        for name in ("batch_size", "workers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < (1 if name == "batch_size" else 0):
                raise ConfigError(f"`{name}` must be an integer >= {1 if name == 'batch_size' else 0}, got {value!r}")

    @property
    def external(self) -> bool:
        return self.outputs is not None

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["metrics"] = list(self.metrics)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScoreConfig:
        reject_unknown_keys(cls, data, "ScoreConfig")
        data = dict(data)
        if "metrics" in data:
            data["metrics"] = tuple(data["metrics"])
        return cls(**data)
