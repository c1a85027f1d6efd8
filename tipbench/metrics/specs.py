"""The metrics table (protocol §6): every score's name, direction, precision, family, settings and weights.

The scoring harness, `tipbench.score`, `tipbench.adherence` and the leaderboard read this one table; names are the
column / JSON names of contracts §3 (`clip_i`, `target_psnr`). Plain data: importing it imports no torch.

Example:
    >>> METRICS.get("lpips").higher_is_better, METRICS.get("fid").per_image
    (False, False)
    >>> family_weights("clip")
    ('clip-vit-l-14-openai',)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from tipbench.errors import ConfigError
from tipbench.registry import COLUMN_KEY, Registry

Family = Literal["pixel", "lpips", "fid", "clip", "adherence", "walk", "model"]
#: Families that need a network and its weights; PSNR / SSIM are always computed.
NETWORK_FAMILIES: tuple[str, ...] = ("lpips", "fid", "clip")
#: CLIP models the harness accepts → the weights entry holding their OpenAI weights (protocol §6.5).
CLIP_MODELS: dict[str, str] = {
    "ViT-L-14-quickgelu": "clip-vit-l-14-openai",
    "ViT-B-32-quickgelu": "clip-vit-b-32-openai",
}
DEFAULT_CLIP_MODEL = "ViT-L-14-quickgelu"
#: Below this many images FID is not computed unless forced (protocol §6.4).
MIN_FID_N = 50
#: weights entries each network family needs with real weights (CLIP: per model, `CLIP_MODELS`); the first is the
#: network's own weights, any others are read beside it.
_FAMILY_WEIGHTS: dict[str, tuple[str, ...]] = {
    "lpips": ("lpips-alexnet", "lpips-alex-head"),
    "fid": ("inception-fid",),
}
#: Entries still read with `--metric-weights random`: LPIPS's linear heads ship in the lpips wheel, so a random
#: LPIPS keeps them and only its backbone is random.
_READ_WITH_RANDOM_WEIGHTS = ("lpips-alex-head",)


@dataclass(frozen=True)
class MetricSpec:
    """One score as stored, compared and shown.

    Attributes:
        name: column / JSON key (scores.parquet, summary.json, adherence.json, walk.json).
        label: header text in tables.
        higher_is_better: the direction (decides which value is bold).
        decimals: precision shown in tables (the paper's).
        family: which computation produces it (`pixel`, a network family, `adherence`, `walk`, `model`).
        per_image: one value per image (False for set-level FID and the walk's rank correlation).
        implementation: the stateful metric class as a lazy `"module:Class"` path, when there is one.
    """

    name: str
    label: str
    higher_is_better: bool
    decimals: int
    family: Family
    per_image: bool = True
    implementation: str | None = None

    def load(self) -> Any:
        """The implementation class (imports torch)."""
        if self.implementation is None:
            raise ConfigError(f"metric `{self.name}` has no stateful implementation")
        from tipbench.registry import load_object

        return load_object(self.implementation)


#: Every score by name.
METRICS: Registry[MetricSpec] = Registry("metric", key_pattern=COLUMN_KEY)
for _spec in (
    MetricSpec("psnr", "PSNR", True, 2, "pixel", implementation="tipbench.metrics.psnr:PSNR"),
    MetricSpec("ssim", "SSIM", True, 3, "pixel", implementation="tipbench.metrics.ssim:SSIM"),
    MetricSpec("psnr_y", "PSNR-Y", True, 2, "pixel", implementation="tipbench.metrics.psnr:PSNR"),
    MetricSpec("ssim_y", "SSIM-Y", True, 3, "pixel", implementation="tipbench.metrics.ssim:SSIM"),
    MetricSpec("lpips", "LPIPS", False, 3, "lpips", implementation="tipbench.metrics.lpips:LPIPS"),
    MetricSpec("clip_i", "CLIP-I", True, 3, "clip", implementation="tipbench.metrics.clip:CLIPImageSimilarity"),
    MetricSpec("clip_t", "CLIP-T", True, 3, "clip", implementation="tipbench.metrics.clip:CLIPTextSimilarity"),
    MetricSpec("fid", "FID", False, 2, "fid", per_image=False, implementation="tipbench.metrics.fid:FID"),
    # Instruction adherence (tipbench.adherence): fidelity to the selective target and 0–1 diagnostics.
    MetricSpec("target_psnr", "PSNR→target", True, 2, "adherence"),
    MetricSpec("target_ssim", "SSIM→target", True, 3, "adherence"),
    MetricSpec("target_psnr_y", "PSNR-Y→target", True, 2, "adherence"),
    MetricSpec("target_ssim_y", "SSIM-Y→target", True, 3, "adherence"),
    MetricSpec("target_lpips", "LPIPS→target", False, 3, "adherence"),
    MetricSpec("removal", "Removal", True, 2, "adherence"),
    MetricSpec("preservation", "Preservation", True, 2, "adherence"),
    MetricSpec("denoise_removal", "Removal (denoise)", True, 2, "adherence"),
    MetricSpec("denoise_preservation", "Preservation (denoise)", True, 2, "adherence"),
    MetricSpec("deblur_removal", "Removal (deblur)", True, 2, "adherence"),
    MetricSpec("deblur_preservation", "Preservation (deblur)", True, 2, "adherence"),
    # The prompt walk's rank correlation in [-1, 1] (one value per method, not per image).
    MetricSpec("controllability_denoise", "Control (denoise)", True, 2, "walk", per_image=False),
    MetricSpec("controllability_deblur", "Control (deblur)", True, 2, "walk", per_image=False),
    MetricSpec("controllability", "Controllability", True, 2, "walk", per_image=False),
    # Paper Table 6: trainable parameters relative to ControlNet (a property of the model, not of outputs).
    MetricSpec("relative_params", "Relative Param", False, 2, "model", per_image=False),
):
    METRICS.register(_spec.name, _spec)

#: The per-image scores of one scoring pass, in scores.parquet column order (contracts §3).
IMAGE_SCORES: tuple[str, ...] = ("psnr", "ssim", "psnr_y", "ssim_y", "lpips", "clip_i", "clip_t")
#: Scores a `summary.json` carries as means (the per-image ones) plus the set-level FID.
SUMMARY_SCORES: tuple[str, ...] = (*IMAGE_SCORES, "fid")


def metric_spec(name: str) -> MetricSpec:
    """The spec of `name`; `ConfigError` naming the known metrics otherwise."""
    if name not in METRICS:
        raise ConfigError(f"unknown metric `{name}`; known: {', '.join(METRICS.names())}")
    return METRICS.get(name)


def family_metrics(family: str) -> tuple[str, ...]:
    """The per-image score names a network family fills (`clip` → clip_i, clip_t)."""
    return tuple(name for name in SUMMARY_SCORES if METRICS.get(name).family == family)


def clip_weights_name(model_name: str) -> str:
    """The weights entry of a CLIP model; refuses GELU builds of the QuickGELU-trained OpenAI weights.

    >>> clip_weights_name("ViT-B-32-quickgelu")
    'clip-vit-b-32-openai'
    """
    if model_name in CLIP_MODELS:
        return CLIP_MODELS[model_name]
    base = model_name.removesuffix("-quickgelu")
    if f"{base}-quickgelu" in CLIP_MODELS:
        raise ConfigError(f"CLIP model `{model_name}` uses GELU but the OpenAI weights were trained with QuickGELU "
                          f"(protocol §6.5); use `{base}-quickgelu`")
    raise ConfigError(f"unknown CLIP model `{model_name}`; choose one of: {', '.join(CLIP_MODELS)}")


def family_weights(family: str, clip_model: str = DEFAULT_CLIP_MODEL,
                   metric_weights: Literal["real", "random"] = "real") -> tuple[str, ...]:
    """The weights-table entries a network family reads (with random weights: only those not randomised).

    >>> family_weights("lpips"), family_weights("lpips", metric_weights="random")
    (('lpips-alexnet', 'lpips-alex-head'), ('lpips-alex-head',))
    """
    if family == "clip":
        names: tuple[str, ...] = (clip_weights_name(clip_model),)
    elif family in _FAMILY_WEIGHTS:
        names = _FAMILY_WEIGHTS[family]
    else:
        raise ConfigError(f"metric family `{family}` needs no weights; network families: {', '.join(NETWORK_FAMILIES)}")
    return names if metric_weights == "real" else tuple(n for n in names if n in _READ_WITH_RANDOM_WEIGHTS)


def metric_settings(reference: str = "gt", clip_model: str = DEFAULT_CLIP_MODEL,
                    allow_small_fid: bool = False) -> dict[str, Any]:
    """Every choice that moves a number (protocol §6), as recorded in summary.json and the GT cache key."""
    return {
        "reference": reference,
        "psnr": {"channel": "rgb", "max": 255, "crop": 0, "cap_db": 100.0, "dtype": "float64",
                 "reduce": "mean of per-image"},
        "psnr_y": {"channel": "ycbcr-bt601-y (studio range, unrounded)", "max": 255, "crop": 0, "cap_db": 100.0},
        "ssim": {"window": "gaussian 11 sigma 1.5", "k1": 0.01, "k2": 0.03, "data_range": 255, "region": "valid",
                 "colour": "per-channel mean", "downsample": False},
        "ssim_y": {"window": "gaussian 11 sigma 1.5", "region": "valid", "channel": "ycbcr-bt601-y"},
        "lpips": {"version": "0.1", "net": "alex", "input_range": "[-1, 1]", "resize": None},
        "fid": {"mode": "clean", "resize": "PIL float bicubic per channel to 299, clipped, no quantisation",
                "features": "inception-2015-12-05 pool3", "covariance": "unbiased", "sqrtm": "scipy",
                "min_n": MIN_FID_N, "allow_small_fid": allow_small_fid},
        "clip": {"model": clip_model, "pretrained": "openai", "image_size": 224,
                 "preprocess": "bicubic short side 224, centre crop, OpenAI mean/std", "score": "raw cosine",
                 "context_length": 77, "prefix": None},
    }
