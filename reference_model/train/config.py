"""Training configuration: one frozen dataclass per section, parsed from YAML with unknown keys rejected.

A config may name `base: other.yaml` (relative to itself); its keys are merged under the file's own (sections
merge key by key), so each ablation variant states only what differs from the full TIP recipe.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from tipbench.config import reject_unknown_keys
from tipbench.contracts.prompt_policy import BOTH_TYPE_ONLY, DEFAULT_POLICY, TRAINING_POLICY_NAMES
from tipbench.errors import ConfigError

logger = logging.getLogger(__name__)

FUSIONS = ("modulation", "additive")
#: The v0.1 spelling of the `both-type-only` policy in `model.prompts`, still read.
LEGACY_TYPE_ONLY = "type-only"
MIXED_PRECISION = ("no", "fp16", "bf16")
DATA_KINDS = ("shards", "recipe")
BACKENDS = ("auto", "torch", "cpu")


def _reject_unknown(cls: type, data: dict[str, Any], where: str) -> None:
    reject_unknown_keys(cls, data, f"`{where}`")


def _choice(name: str, value: Any, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"`{name}` must be one of {', '.join(choices)}, got {value!r}")


def _positive_int(name: str, value: Any, low: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ConfigError(f"`{name}` must be an integer >= {low}, got {value!r}")


@dataclass(frozen=True)
class ModelConfig:
    """Which base and which adapter variant (Tables 4-6).

    base: "tiny" (random tiny components, tests), null (SD1.5 via the weights registry) or an SD directory.
    init_adapter: a checkpoint to continue from (Table 3 fine-tune), else a fresh adapter from the UNet.
    prompts: the prompt policy the model sees in training and at test time (docs/contracts.md §2.2; its adapter
        switches: `reference_model.prompting`).
    """

    base: str | None = None
    init_adapter: str | None = None
    fusion: Literal["modulation", "additive"] = "modulation"
    modulate_mid: bool = True
    modulate_up: bool = False
    prompts: str = DEFAULT_POLICY
    conditioning_embedding_out_channels: tuple[int, ...] = (16, 32, 96, 256)

    def __post_init__(self) -> None:
        _choice("model.fusion", self.fusion, FUSIONS)
        if self.prompts == LEGACY_TYPE_ONLY:  # v0.1 configs named the policy by its c_r form
            logger.warning("`model.prompts: %s` is now spelled `%s` (the prompt policy, docs/contracts.md §2.2)",
                           LEGACY_TYPE_ONLY, BOTH_TYPE_ONLY)
            object.__setattr__(self, "prompts", BOTH_TYPE_ONLY)
        _choice("model.prompts", self.prompts, TRAINING_POLICY_NAMES)
        if self.modulate_up and self.fusion != "modulation":
            raise ConfigError("`model.modulate_up` needs `model.fusion: modulation`")
        object.__setattr__(self, "conditioning_embedding_out_channels",
                           tuple(int(c) for c in self.conditioning_embedding_out_channels))


@dataclass(frozen=True)
class DataConfig:
    """Where samples come from; both kinds yield the `data_recipes.reader` sample dicts.

    kind: `shards` (tars from `python -m data_recipes.shards`, paired or clean) or `recipe` (on-the-fly from a
    recipe's source: folder, parquet, COCO, webdataset, sample — Algorithm 1 applied per global sample index).
    recipe: a recipe name / YAML path, or an inline recipe dict (its `mode` is forced to `clean`).
    realesrgan_backend: where clean Real-ESRGAN samples get their y: `torch` (batched on the training device),
    `cpu` (numpy, per sample) or `auto`.
    force_semantic_prompt / force_restoration_prompt: replace every sample's prompt (Table 3 fine-tune: "").
    """

    kind: Literal["shards", "recipe"] = "recipe"
    shards: str | None = None
    recipe: Any = None
    source_root: str | None = None
    resolution: int = 512
    shuffle_buffer: int = 64
    num_workers: int = 2
    realesrgan_backend: Literal["auto", "torch", "cpu"] = "auto"
    force_semantic_prompt: str | None = None
    force_restoration_prompt: str | None = None

    def __post_init__(self) -> None:
        _choice("data.kind", self.kind, DATA_KINDS)
        _choice("data.realesrgan_backend", self.realesrgan_backend, BACKENDS)
        _positive_int("data.resolution", self.resolution, 8)
        _positive_int("data.num_workers", self.num_workers, 0)
        if self.kind == "shards" and not self.shards:
            raise ConfigError("`data.kind: shards` needs `data.shards` (a shard folder or tar)")
        if self.kind == "recipe" and not self.recipe:
            raise ConfigError("`data.kind: recipe` needs `data.recipe` (a recipe name, YAML path or inline dict)")


@dataclass(frozen=True)
class TrainConfig:
    """The whole run: model variant, data, optimisation (diffusers ControlNet defaults), checkpoints, logging."""

    name: str
    output_dir: str
    model: ModelConfig = field(default_factory=ModelConfig)
    data: DataConfig = field(default_factory=lambda: DataConfig(recipe="tip-train-clean"))
    seed: int = 0
    train_batch_size: int = 8
    gradient_accumulation_steps: int = 1
    max_train_steps: int = 100_000
    learning_rate: float = 1e-5
    adam_beta1: float = 0.9
    adam_beta2: float = 0.999
    adam_weight_decay: float = 1e-2
    adam_epsilon: float = 1e-8
    max_grad_norm: float = 1.0
    lr_scheduler: str = "constant"
    lr_warmup_steps: int = 0
    mixed_precision: Literal["no", "fp16", "bf16"] = "bf16"
    gradient_checkpointing: bool = False
    checkpointing_steps: int = 500
    checkpoints_total_limit: int | None = 3
    resume_from_checkpoint: str | None = None
    validation_steps: int = 1000
    num_validation_images: int = 4
    validation_inference_steps: int = 50
    logging_steps: int = 10
    report_to: Literal["none", "tensorboard"] = "none"
    cpu: bool = False

    def __post_init__(self) -> None:
        _choice("mixed_precision", self.mixed_precision, MIXED_PRECISION)
        _choice("report_to", self.report_to, ("none", "tensorboard"))
        for name in ("train_batch_size", "gradient_accumulation_steps", "max_train_steps", "checkpointing_steps",
                     "validation_steps", "logging_steps", "validation_inference_steps"):
            _positive_int(name, getattr(self, name))
        _positive_int("num_validation_images", self.num_validation_images, 0)
        _positive_int("seed", self.seed, 0)
        if not self.learning_rate > 0:
            raise ConfigError(f"`learning_rate` must be > 0, got {self.learning_rate!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TrainConfig:
        data = dict(data)
        _reject_unknown(cls, data, "config")
        if "name" not in data or "output_dir" not in data:
            raise ConfigError("a training config needs `name` and `output_dir`")
        model = data.pop("model", {}) or {}
        dataset = data.pop("data", {}) or {}
        _reject_unknown(ModelConfig, model, "model")
        _reject_unknown(DataConfig, dataset, "data")
        return cls(model=ModelConfig(**model), data=DataConfig(**dataset), **data)


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if key in ("model", "data") and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def read_config_dict(path: str | Path, _seen: tuple[Path, ...] = ()) -> dict[str, Any]:
    """The YAML mapping of `path` with its `base:` chain merged in (cycles are an error)."""
    import yaml

    path = Path(path).expanduser().resolve()
    if path in _seen:
        raise ConfigError(f"`base:` cycle through `{path}`")
    if not path.is_file():
        raise ConfigError(f"training config `{path}` does not exist")
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"cannot parse `{path}`: {error}") from error
    if not isinstance(data, dict):
        raise ConfigError(f"`{path}` must hold a mapping, got {type(data).__name__}")
    base = data.pop("base", None)
    if base is None:
        return data
    return _merge(read_config_dict(path.parent / base, (*_seen, path)), data)


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> TrainConfig:
    """Parse a training YAML (with `base:` inheritance) plus optional overrides into a `TrainConfig`."""
    data = read_config_dict(path)
    if overrides:
        data = _merge(data, overrides)
    try:
        return TrainConfig.from_dict(data)
    except TypeError as error:
        raise ConfigError(f"bad training config `{path}`: {error}") from error
