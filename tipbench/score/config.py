"""`ScoreConfig`: everything `score_run` needs, as one frozen, JSON-round-trippable dataclass."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tipbench.config import FrozenConfig
from tipbench.contracts.prompt_policy import DEFAULT_POLICY, prompt_policy
from tipbench.contracts.run_folder import check_key
from tipbench.errors import ConfigError
from tipbench.metrics.specs import DEFAULT_CLIP_MODEL, NETWORK_FAMILIES


@dataclass(frozen=True)
class ScoreConfig(FrozenConfig):
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
    prompts: str = DEFAULT_POLICY
    variant: str | None = None
    splits_dir: str | None = None
    runs_dir: str | None = None
    reference: Literal["gt", "target"] = "gt"
    metrics: tuple[str, ...] = NETWORK_FAMILIES
    metric_weights: Literal["real", "random"] = "real"
    random_arch: Literal["tiny", "full"] = "tiny"
    clip_model: str = DEFAULT_CLIP_MODEL
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
        if self.method is not None:
            check_key("method", self.method)
        if self.variant is not None:
            check_key("variant", self.variant)
        prompt_policy(self.prompts)
        choices = {"reference": ("gt", "target"), "metric_weights": ("real", "random"),
                   "random_arch": ("tiny", "full")}
        for name, valid in choices.items():
            if getattr(self, name) not in valid:
                raise ConfigError(f"`{name}` must be one of {', '.join(valid)}, got `{getattr(self, name)}`")
        unknown = sorted(set(self.metrics) - set(NETWORK_FAMILIES))
        if unknown:
            raise ConfigError(f"unknown metric(s) {', '.join(unknown)}; choose from: {', '.join(NETWORK_FAMILIES)} "
                              "(psnr/ssim are always computed)")
        for name in ("batch_size", "workers"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < (1 if name == "batch_size" else 0):
                raise ConfigError(f"`{name}` must be an integer >= {1 if name == 'batch_size' else 0}, got {value!r}")

    @property
    def external(self) -> bool:
        return self.outputs is not None

    #: Options that only name outputs made elsewhere; a run folder's identity comes from its run.json instead.
    EXTERNAL_ONLY = ("split", "outputs", "method", "prompts", "variant", "runs_dir")

    def recorded(self) -> dict:
        """summary.json `config`: the options as given, without the external-outputs ones when a run folder was
        scored (they would read null or a default beside the run's real identity).

        >>> sorted(ScoreConfig(run_dir="r").recorded())[:4]
        ['allow_small_fid', 'batch_size', 'clip_model', 'device']
        >>> "method" in ScoreConfig(run_dir="r").recorded()
        False
        """
        options = self.to_dict()
        if not self.external:
            for name in self.EXTERNAL_ONLY:
                options.pop(name, None)
        return options
