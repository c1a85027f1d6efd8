"""The splits registry (protocol §5): each test split is one small declarative entry.

Adding a split is adding an entry: the builder reads nothing but these fields.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

from tipbench.registry import Registry

#: Items of every v1 test split (protocol §5); fewer is never the benchmark.
BENCHMARK_N = 3000

SourceKind = Literal["coco", "stablesr", "div2k"]
PipelineName = Literal["param", "realesrgan", "published", "selective"]
#: How a split writes c_r (not the run-time prompt policy of contracts §2.2).
RestorationPromptKind = Literal["param", "blind", "selective"]
SemanticPolicy = Literal["caption", "none"]


@dataclass(frozen=True)
class SplitSpec:
    """One test split.

    Attributes:
        name: split key (also the output folder name).
        source_kind: `coco` (COCO val2017 or a generic folder, canonicalised per protocol §1), `stablesr` (the
            published DIV2K_V2_val pairs, copied as they are) or `div2k` (seeded 512 crops of DIV2K_valid_HR).
        n: number of items of a full build.
        pipeline: degradation pipeline (`DEGRADATIONS` key) or `published` for pairs taken as they are.
        param_set: parameter set of the pipeline (Real-ESRGAN: `realesrgan-x4plus` or `stablesr`).
        prompt_policy: `param` (the pipeline's own prompt), `blind` (`Remove all degradation`) or `selective`
            (names one of two applied degradations).
        semantic_policy: `caption` (one caption per image, protocol §5) or `none` (c_s = "").
        crops_per_image: seeded 512×512 crops per source image (`div2k` only).
    """

    name: str
    source_kind: SourceKind
    n: int
    pipeline: PipelineName
    param_set: str | None
    prompt_policy: RestorationPromptKind
    semantic_policy: SemanticPolicy
    crops_per_image: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Test splits by name.
SPLITS: Registry[SplitSpec] = Registry("split")

SPLITS.register("coco-param", SplitSpec("coco-param", "coco", BENCHMARK_N, "param", None, "param", "caption"))
SPLITS.register(
    "coco-realesrgan",
    SplitSpec("coco-realesrgan", "coco", BENCHMARK_N, "realesrgan", "realesrgan-x4plus", "blind", "caption"),
)
SPLITS.register(
    "div2k-stablesr", SplitSpec("div2k-stablesr", "stablesr", BENCHMARK_N, "published", None, "blind", "none")
)
SPLITS.register(
    "div2k-realesrgan",
    SplitSpec("div2k-realesrgan", "div2k", BENCHMARK_N, "realesrgan", "stablesr", "blind", "none", crops_per_image=30),
)
SPLITS.register(
    "coco-selective", SplitSpec("coco-selective", "coco", BENCHMARK_N, "selective", None, "selective", "caption")
)

#: Splits the paper prints no numbers for: their scores are never `comparable_to_paper`, whatever their data.
NO_PAPER_NUMBERS: dict[str, str] = {
    "div2k-realesrgan": "a regeneration of the StableSR DIV2K test set, for analyses only (protocol §4.8)",
    "coco-selective": "the paper has no selective split (Table A is tipbench's own)",
}
