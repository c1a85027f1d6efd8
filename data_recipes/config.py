"""Recipe configs: frozen dataclasses that hand-written YAML recipes are parsed into at once.

A recipe names a captioned image source, how each image becomes a square GT crop, the Algorithm 1 mixture that
turns it into a (y, c_r, c_s) training triple, the resolution, the number of samples and the global seed.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from tipbench.config import reject_unknown_keys
from tipbench.errors import ConfigError

SourceKind = Literal["coco", "folder", "parquet", "webdataset", "sample"]
CropMode = Literal["random", "center"]
ShardMode = Literal["paired", "clean"]
RealESRGANParamSet = Literal["realesrgan-x4plus", "stablesr"]

SOURCE_KINDS: tuple[str, ...] = ("coco", "folder", "parquet", "webdataset", "sample")


def _reject_unknown(cls: type, data: dict[str, Any], where: str) -> None:
    reject_unknown_keys(cls, data, f"`{where}`")


def _check_probability(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0.0 <= float(value) <= 1.0:
        raise ConfigError(f"`{name}` must be a probability in [0, 1], got {value!r}")


@dataclass(frozen=True)
class SourceConfig:
    """Where captioned images come from.

    kinds: `coco` (root holds `train2017/` and `annotations/captions_train2017.json`, or set `images`/`captions`),
    `folder` (every image under root, optional `captions.csv` with `file_name,caption`), `parquet` (files under
    root with an image-bytes column and a caption column), `webdataset` (`*.tar` under root with `<key>.<image ext>`
    and `<key>.txt` or `<key>.json` caption members), `sample` (the photos bundled with tipbench).
    A null `root` means: given on the command line (`--source-root`), or `TIPBENCH_COCO_ROOT` for `coco`.
    """

    kind: SourceKind = "folder"
    root: str | None = None
    images: str | None = None
    captions: str | None = None
    image_column: str = "image"
    caption_column: str = "caption"

    def __post_init__(self) -> None:
        if self.kind not in SOURCE_KINDS:
            raise ConfigError(f"unknown source kind `{self.kind}`; valid: {', '.join(SOURCE_KINDS)}")

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SourceConfig:
        _reject_unknown(cls, data, "source")
        return cls(**data)


@dataclass(frozen=True)
class CropConfig:
    """GT canonicalisation: short side → `resolution` with Pillow BICUBIC, then a square crop.

    `random` draws the crop offset from the item's crop generator (protocol §2 stage 3); `center` is protocol §1.
    Images whose short side is below `min_short_side` are skipped and recorded (never upscaled 2×+).
    """

    mode: CropMode = "random"
    min_short_side: int = 256
    hflip_probability: float = 0.0

    def __post_init__(self) -> None:
        if self.mode not in ("random", "center"):
            raise ConfigError(f"unknown crop mode `{self.mode}`; valid: random, center")
        if isinstance(self.min_short_side, bool) or not isinstance(self.min_short_side, int) or self.min_short_side < 1:
            raise ConfigError(f"`crop.min_short_side` must be a positive integer, got {self.min_short_side!r}")
        _check_probability("crop.hflip_probability", self.hflip_probability)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CropConfig:
        _reject_unknown(cls, data, "crop")
        return cls(**data)


@dataclass(frozen=True)
class MixtureConfig:
    """Algorithm 1 / protocol §3 training mix. The paper's values are the defaults.

    Attributes:
        realesrgan_probability: share of samples from the Real-ESRGAN branch (c_r = "Remove all degradation").
        type_only_probability: in the param branch, share whose c_r is the type-only prompt.
        semantic_dropout: share whose c_s is replaced by "".
        restoration_dropout: share whose c_r is replaced by "" (0 in the paper; for the no-c_r ablation).
        realesrgan_param_set: Real-ESRGAN parameter set (protocol §4).
        usm: degrade the USM-sharpened GT and train towards it (Real-ESRGAN's `gt_usm`, StableSR's `use_usm`;
            protocol §4.7). Off in the paper's mix.
        no_degradation_probability: share whose y is the (sharpened) GT itself, with c_r "" (StableSR's
            `no_degradation_prob`). 0 in the paper's mix.
    """

    realesrgan_probability: float = 0.5
    type_only_probability: float = 0.5
    semantic_dropout: float = 0.1
    restoration_dropout: float = 0.0
    realesrgan_param_set: RealESRGANParamSet = "realesrgan-x4plus"
    usm: bool = False
    no_degradation_probability: float = 0.0

    def __post_init__(self) -> None:
        for name in ("realesrgan_probability", "type_only_probability", "semantic_dropout", "restoration_dropout",
                     "no_degradation_probability"):
            _check_probability(f"mixture.{name}", getattr(self, name))
        if not isinstance(self.usm, bool):
            raise ConfigError(f"`mixture.usm` must be true or false, got {self.usm!r}")
        if self.realesrgan_param_set not in ("realesrgan-x4plus", "stablesr"):
            raise ConfigError(
                f"unknown `mixture.realesrgan_param_set` `{self.realesrgan_param_set}`; valid: realesrgan-x4plus, stablesr"
            )

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MixtureConfig:
        _reject_unknown(cls, data, "mixture")
        return cls(**data)


@dataclass(frozen=True)
class RecipeConfig:
    """A whole training-data recipe.

    Attributes:
        name: registry key (`[a-z0-9-]`), also written into every shard's metadata.
        description: one line for `--list` and the shard metadata.
        source, crop, mixture: see their classes.
        resolution: GT side in pixels (square).
        mode: `paired` stores y; `clean` stores only x and the loader synthesises y per batch (on-the-fly).
        num_samples: global indices 0..num_samples-1; null means one pass over the source.
        seed: global seed; every draw of sample `i` comes from (seed, stage, i) (protocol §2).
    """

    name: str
    description: str = ""
    source: SourceConfig = field(default_factory=SourceConfig)
    crop: CropConfig = field(default_factory=CropConfig)
    mixture: MixtureConfig = field(default_factory=MixtureConfig)
    resolution: int = 512
    mode: ShardMode = "paired"
    num_samples: int | None = None
    seed: int = 0

    def __post_init__(self) -> None:
        import re

        if not isinstance(self.name, str) or not re.match(r"^[a-z0-9][a-z0-9-]*$", self.name):
            raise ConfigError(f"recipe `name` must match [a-z0-9-]+, got {self.name!r}")
        if self.mode not in ("paired", "clean"):
            raise ConfigError(f"unknown recipe `mode` `{self.mode}`; valid: paired, clean")
        for key, low in (("resolution", 16), ("seed", 0)):
            value = getattr(self, key)
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise ConfigError(f"`{key}` must be an integer >= {low}, got {value!r}")
        if self.num_samples is not None and (
            isinstance(self.num_samples, bool) or not isinstance(self.num_samples, int) or self.num_samples < 1
        ):
            raise ConfigError(f"`num_samples` must be a positive integer or null, got {self.num_samples!r}")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RecipeConfig:
        _reject_unknown(cls, data, "recipe")
        data = dict(data)
        if "name" not in data:
            raise ConfigError("a recipe needs a `name`")
        for key, sub in (("source", SourceConfig), ("crop", CropConfig), ("mixture", MixtureConfig)):
            if key in data and not isinstance(data[key], sub):
                data[key] = sub.from_dict(data[key] or {})
        return cls(**data)

    def replace(self, **changes: Any) -> RecipeConfig:
        """A copy with top-level fields changed (e.g. the source root given on the command line)."""
        data = self.to_dict()
        data.update(changes)
        return RecipeConfig.from_dict(data)


def shard_ranges(num_samples: int, num_shards: int) -> list[range]:
    """Global index range of each shard: contiguous blocks of ceil(N/K) (the last may be shorter or empty).

    >>> [list(r) for r in shard_ranges(5, 2)]
    [[0, 1, 2], [3, 4]]
    """
    if num_shards < 1:
        raise ConfigError(f"`num_shards` must be >= 1, got {num_shards}")
    per_shard = math.ceil(num_samples / num_shards)
    return [range(min(k * per_shard, num_samples), min((k + 1) * per_shard, num_samples)) for k in range(num_shards)]
