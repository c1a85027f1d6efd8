"""The feature networks behind LPIPS, FID and CLIP, built from the weights registry or with random weights.

`weights="real"` resolves files through `tipbench.weights` (never downloads); `weights="random"` (tests, CI,
benchmarks) builds the same family with seeded random weights: the real AlexNet for LPIPS, and for FID / CLIP
either a tiny network of the family (`arch="tiny"`, default, fast on CPU) or the full architecture
(`arch="full"`). Random initialisation runs inside `torch.random.fork_rng`, so the global RNG is untouched.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from tipbench.errors import ConfigError
from tipbench.metrics.specs import clip_weights_name
from tipbench.weights import file_sha256, resolve_all

logger = logging.getLogger(__name__)

MetricWeights = Literal["real", "random"]
RandomArch = Literal["tiny", "full"]
RANDOM_SEED = 0

def _seeded(build: Callable[[], nn.Module], seed: int = RANDOM_SEED) -> nn.Module:
    # fork_rng(devices=[]) restores only the CPU generator, so seed only that one (torch.manual_seed would also
    # reseed every CUDA device's global generator, for good)
    with torch.random.fork_rng(devices=[]):
        torch.random.default_generator.manual_seed(seed)
        return build()


# ----------------------------------------------------------------------------------------------------------- FID
class TinyInception(nn.Module):
    """A small random Inception-style net (parallel 1×1 / 3×3 / pooled branches) giving 64-d pooled features.

    Random-weight CI stand-in for the 2048-d TF Inception, so the sqrtm in FID stays cheap.
    """

    feature_dim = 64

    def __init__(self) -> None:
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(3, 16, 3, stride=2), nn.ReLU(), nn.MaxPool2d(3, stride=2))
        self.branch1 = nn.Conv2d(16, 24, 1)
        self.branch3 = nn.Sequential(nn.Conv2d(16, 16, 1), nn.ReLU(), nn.Conv2d(16, 24, 3, padding=1))
        self.branch_pool = nn.Sequential(nn.AvgPool2d(3, stride=1, padding=1), nn.Conv2d(16, 16, 1))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.stem(x)
        h = torch.relu(torch.cat([self.branch1(h), self.branch3(h), self.branch_pool(h)], dim=1))
        return h.mean(dim=(2, 3))


class _NormalisedExtractor(nn.Module):
    """Wraps a random backbone with clean-fid's input convention: 299×299 floats in [0, 255], (x−128)/128."""

    def __init__(self, backbone: nn.Module) -> None:
        super().__init__()
        self.backbone = backbone

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.shape[-2:] != (299, 299):
            raise ConfigError(f"Inception input must be resized to 299×299 first, got {tuple(x.shape[-2:])}")
        return self.backbone((x - 128.0) / 128.0).flatten(1)


def build_inception(weights: MetricWeights, arch: RandomArch = "tiny", device: str = "cpu") -> tuple[nn.Module, str]:
    """(extractor, weight id): takes N×3×299×299 floats in [0, 255] and returns (N, D) pool features."""
    if weights == "real":
        from cleanfid.inception_torchscript import InceptionV3W

        path = resolve_all(["inception-fid"])["inception-fid"]
        model = InceptionV3W(str(path.parent), download=False, resize_inside=False)
        return model.to(device).eval(), file_sha256(path)
    if arch == "full":
        import torchvision

        def build() -> nn.Module:
            net = torchvision.models.inception_v3(weights=None, aux_logits=False, init_weights=True)
            net.fc = nn.Identity()
            return net

        backbone = _seeded(build)
    else:
        backbone = _seeded(TinyInception)
    return _NormalisedExtractor(backbone).to(device).eval(), f"random:{arch}:seed{RANDOM_SEED}"


# --------------------------------------------------------------------------------------------------------- LPIPS
def load_alexnet_backbone(lpips_module: nn.Module, alexnet_state: dict[str, torch.Tensor]) -> None:
    """Copy a torchvision AlexNet state dict (`features.<i>.*`) into lpips' sliced backbone (`slice<k>.<i>.*`)."""
    backbone = lpips_module.net
    targets = {}
    for slice_name, module in backbone.named_children():
        for index, _ in module.named_children():
            targets[index] = (slice_name, index)
    state = {}
    for key, value in alexnet_state.items():
        parts = key.split(".")
        if parts[0] != "features":
            continue
        slice_name, index = targets[parts[1]]
        state[f"{slice_name}.{index}.{parts[2]}"] = value
    backbone.load_state_dict(state, strict=True)


def random_alexnet_state(seed: int = RANDOM_SEED) -> dict[str, torch.Tensor]:
    """A seeded random torchvision AlexNet state dict (the LPIPS backbone in `random` mode)."""
    import torchvision

    return _seeded(lambda: torchvision.models.alexnet(weights=None), seed).state_dict()


def build_lpips(weights: MetricWeights, device: str = "cpu") -> tuple[nn.Module, str]:
    """(lpips.LPIPS v0.1 alex module, weight id); the backbone is loaded from the registry, never downloaded."""
    import lpips

    paths = resolve_all(["lpips-alex-head", *(["lpips-alexnet"] if weights == "real" else [])])
    with warnings.catch_warnings():  # lpips passes torchvision's deprecated `pretrained=False`
        warnings.simplefilter("ignore", UserWarning)
        module = _seeded(lambda: lpips.LPIPS(pretrained=True, net="alex", version="0.1", pnet_rand=True,
                                             verbose=False, model_path=str(paths["lpips-alex-head"])))
    if weights == "real":
        state = torch.load(paths["lpips-alexnet"], map_location="cpu", weights_only=True)
        load_alexnet_backbone(module, state)
        weight_id = file_sha256(paths["lpips-alexnet"])
    else:  # lpips built its torchvision AlexNet with random weights inside `_seeded`: deterministic
        weight_id = f"random:alexnet:seed{RANDOM_SEED}"
    return module.to(device).eval(), weight_id


# ---------------------------------------------------------------------------------------------------------- CLIP
@dataclass
class ClipBundle:
    """An open_clip model with its eval image transform (PIL → tensor) and tokenizer."""

    model: nn.Module
    preprocess: Callable
    tokenizer: Callable
    weight_id: str


def _tiny_clip(quick_gelu: bool) -> nn.Module:
    from open_clip.model import CLIP, CLIPTextCfg, CLIPVisionCfg

    vision = CLIPVisionCfg(layers=2, width=64, head_width=32, patch_size=32, image_size=224)
    text = CLIPTextCfg(context_length=77, vocab_size=49408, width=64, heads=2, layers=2)
    return CLIP(embed_dim=32, vision_cfg=vision, text_cfg=text, quick_gelu=quick_gelu)


def build_clip(model_name: str, weights: MetricWeights, arch: RandomArch = "tiny", device: str = "cpu") -> ClipBundle:
    """open_clip model `model_name` (a `-quickgelu` build) with OpenAI weights from the registry, or random."""
    import open_clip
    from open_clip.constants import OPENAI_DATASET_MEAN, OPENAI_DATASET_STD

    weights_name = clip_weights_name(model_name)
    if weights == "real":
        path = resolve_all([weights_name])[weights_name]
        # the module's random init (overwritten by the checkpoint) must not draw from the global RNG either
        model = _seeded(lambda: open_clip.create_model(model_name, pretrained=str(path), device=device))
        weight_id = file_sha256(path)
    elif arch == "full":
        model = _seeded(lambda: open_clip.create_model(model_name, pretrained=None))
        weight_id = f"random:{model_name}:seed{RANDOM_SEED}"
    else:
        model = _seeded(lambda: _tiny_clip(quick_gelu=True))
        weight_id = f"random:tiny-clip:seed{RANDOM_SEED}"
    preprocess = open_clip.image_transform(224, is_train=False, mean=OPENAI_DATASET_MEAN, std=OPENAI_DATASET_STD,
                                           interpolation="bicubic", resize_mode="shortest")
    tokenizer = open_clip.get_tokenizer(model_name.removesuffix("-quickgelu"))
    return ClipBundle(model.to(device).eval(), preprocess, tokenizer, weight_id)


def uses_quick_gelu(model: nn.Module) -> bool:
    """True when every transformer MLP activation of `model` is QuickGELU."""
    from open_clip.transformer import QuickGELU

    activations = [m for m in model.modules() if isinstance(m, (QuickGELU, nn.GELU))]
    return bool(activations) and all(isinstance(m, QuickGELU) for m in activations)
