"""The weights registry (contracts §5): every external file the package can use, as plain data, plus lookup.

Nothing here downloads except `fetch`, and only when a user runs `python -m tipbench.weights fetch NAME`.
Lookup order for an entry: `$TIPBENCH_WEIGHTS/<name>/<file_name>`, `$TIPBENCH_WEIGHTS/<file_name>`, then the cache
where the owning library already keeps the file (torch hub checkpoints, clean-fid's /tmp, the HF hub cache, or the
installed package itself for files that ship in a wheel). An entry that an external program loads itself from its
own clone (DiffBIR's `<clone>/weights/`, `clone_env`) has that one location and no other; `list`, `verify`,
`fetch`, `run` and the leaderboard all name it the same way (`location_text`).

Example:
    >>> from tipbench.weights import WEIGHTS
    >>> WEIGHTS["lpips-alex-head"].file_name
    'alex.pth'
"""

from __future__ import annotations

import argparse
import logging
import platform
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tipbench.errors import MissingWeightsError, TipbenchError
from tipbench.paths import ENV_DIFFBIR_REPO, ENV_WEIGHTS, env_path, weights_dir

logger = logging.getLogger(__name__)

LibraryCache = Literal["torch-hub", "clean-fid", "hf-hub", "lpips-package", "none"]


@dataclass(frozen=True)
class WeightSpec:
    """One external file (or directory, `kind="dir"`) and where it comes from.

    `url` is a direct download; `hf_repo`/`hf_filename` a Hugging Face hub file (`hf_filename=None` with
    `kind="dir"` means the whole repo snapshot). `marker` is the file that must exist inside a directory entry.
    """

    name: str
    file_name: str
    sha256: str | None
    licence: str
    used_by: str
    url: str | None = None
    hf_repo: str | None = None
    hf_filename: str | None = None
    cache: LibraryCache = "none"
    kind: Literal["file", "dir"] = "file"
    marker: str | None = None
    #: the environment variable naming a clone whose program loads this file from `<clone>/weights/` itself.
    clone_env: str | None = None

    @property
    def source(self) -> str:
        if self.hf_repo:
            suffix = f"/blob/main/{self.hf_filename}" if self.hf_filename else ""
            return f"https://huggingface.co/{self.hf_repo}{suffix}"
        if self.url:
            return self.url
        if self.cache == "lpips-package":
            return "the `lpips` wheel (pip install lpips>=0.1.4)"
        return "your own training run: python -m reference_model.train reference_model/configs/tip.yaml"


def _entries() -> dict[str, WeightSpec]:
    specs = [
        # --- metrics (protocol §6) ---
        WeightSpec("inception-fid", "inception-2015-12-05.pt", None, "Apache-2.0 (TF Inception, NVIDIA port)",
                   "FID (clean-fid torchscript Inception pool3)",
                   url="https://nvlabs-fi-cdn.nvidia.com/stylegan2-ada-pytorch/pretrained/metrics/inception-2015-12-05.pt",
                   cache="clean-fid"),
        WeightSpec("lpips-alexnet", "alexnet-owt-7be5be79.pth",
                   "7be5be791159472b1fbf3c69796f7cb30dca7ad8466c2df70058c37116cdee02", "BSD-3-Clause (torchvision)",
                   "LPIPS backbone (torchvision AlexNet IMAGENET1K_V1)",
                   url="https://download.pytorch.org/models/alexnet-owt-7be5be79.pth", cache="torch-hub"),
        WeightSpec("lpips-alex-head", "alex.pth",
                   "df73285e35b22355a2df87cdb6b70b343713b667eddbda73e1977e0c860835c0", "BSD-2-Clause (lpips)",
                   "LPIPS v0.1 linear heads", cache="lpips-package"),
        WeightSpec("clip-vit-l-14-openai", "open_clip_model.safetensors", None, "MIT (OpenAI CLIP)",
                   "CLIP-I / CLIP-T default (open_clip ViT-L-14-quickgelu, tag `openai`)",
                   hf_repo="timm/vit_large_patch14_clip_224.openai", hf_filename="open_clip_model.safetensors",
                   cache="hf-hub"),
        WeightSpec("clip-vit-b-32-openai", "open_clip_model.safetensors", None, "MIT (OpenAI CLIP)",
                   "CLIP-I / CLIP-T sensitivity setting (open_clip ViT-B-32-quickgelu, tag `openai`)",
                   hf_repo="timm/vit_base_patch32_clip_224.openai", hf_filename="open_clip_model.safetensors",
                   cache="hf-hub"),
        # --- reference model and baselines (model-and-baselines.md) ---
        WeightSpec("sd15", "stable-diffusion-v1-5", None, "CreativeML OpenRAIL-M",
                   "TIP / ControlNet-SR base model (diffusers directory)",
                   hf_repo="stable-diffusion-v1-5/stable-diffusion-v1-5", cache="hf-hub", kind="dir",
                   marker="model_index.json"),
        WeightSpec("swinir-realsr-x4-gan-m", "003_realSR_BSRGAN_DFO_s64w8_SwinIR-M_x4_GAN.pth", None, "Apache-2.0",
                   "SwinIR real-SR x4 GAN (M)",
                   url="https://github.com/JingyunLiang/SwinIR/releases/download/v0.0/"
                       "003_realSR_BSRGAN_DFO_s64w8_SwinIR-M_x4_GAN.pth"),
        WeightSpec("swinir-realsr-x4-gan-l", "003_realSR_BSRGAN_DFOWMFC_s64w8_SwinIR-L_x4_GAN.pth", None, "Apache-2.0",
                   "SwinIR real-SR x4 GAN (L)",
                   url="https://github.com/JingyunLiang/SwinIR/releases/download/v0.0/"
                       "003_realSR_BSRGAN_DFOWMFC_s64w8_SwinIR-L_x4_GAN.pth"),
        WeightSpec("stablesr", "stablesr_000117.ckpt", None, "S-Lab License 1.0 (non-commercial)",
                   "StableSR diffusion checkpoint", hf_repo="Iceclear/StableSR", hf_filename="stablesr_000117.ckpt"),
        WeightSpec("stablesr-cfw", "vqgan_cfw_00011.ckpt", None, "S-Lab License 1.0 (non-commercial)",
                   "StableSR CFW autoencoder", hf_repo="Iceclear/StableSR", hf_filename="vqgan_cfw_00011.ckpt"),
        WeightSpec("sd21-base", "v2-1_512-ema-pruned.ckpt", None, "CreativeML OpenRAIL++-M",
                   "DiffBIR base model (SD 2.1 512 base)", hf_repo="stabilityai/stable-diffusion-2-1-base",
                   hf_filename="v2-1_512-ema-pruned.ckpt", clone_env=ENV_DIFFBIR_REPO),
        WeightSpec("diffbir-v1-full", "general_full_v1.ckpt", None, "Apache-2.0", "DiffBIR v1 (stage 1 + 2)",
                   hf_repo="lxq007/DiffBIR", hf_filename="general_full_v1.ckpt", clone_env=ENV_DIFFBIR_REPO),
        WeightSpec("diffbir-v1-swinir", "general_swinir_v1.ckpt", None, "Apache-2.0", "DiffBIR v1 stage-1 SwinIR",
                   hf_repo="lxq007/DiffBIR", hf_filename="general_swinir_v1.ckpt", clone_env=ENV_DIFFBIR_REPO),
        WeightSpec("diffbir-v1-general", "v1_general.pth", None, "Apache-2.0", "DiffBIR v1 IRControlNet (new code)",
                   hf_repo="lxq007/DiffBIR-v2", hf_filename="v1_general.pth", clone_env=ENV_DIFFBIR_REPO),
        WeightSpec("diffbir-v2", "v2.pth", None, "Apache-2.0", "DiffBIR v2 IRControlNet",
                   hf_repo="lxq007/DiffBIR-v2", hf_filename="v2.pth", clone_env=ENV_DIFFBIR_REPO),
        WeightSpec("diffbir-v2-bsrnet", "BSRNet.pth", None, "Apache-2.0", "DiffBIR v2 stage-1 (SR)",
                   url="https://github.com/cszn/KAIR/releases/download/v1.0/BSRNet.pth", clone_env=ENV_DIFFBIR_REPO),
        WeightSpec("tip", "tip_adapter", None, "Apache-2.0 (trained here)",
                   "TIP reference model adapter (reference_model.train output directory)", kind="dir",
                   marker="config.json"),
    ]
    return {spec.name: spec for spec in specs}


#: name → spec; the one table (contracts §5).
WEIGHTS: dict[str, WeightSpec] = _entries()


def get_spec(name: str) -> WeightSpec:
    if name not in WEIGHTS:
        raise TipbenchError(f"unknown weights entry `{name}`; available: {', '.join(sorted(WEIGHTS))}")
    return WEIGHTS[name]


def _library_cache_paths(spec: WeightSpec) -> list[Path]:
    """Where the owning library would already keep this file (looked up, never populated)."""
    if spec.cache == "torch-hub":
        import torch.hub

        return [Path(torch.hub.get_dir()) / "checkpoints" / spec.file_name]
    if spec.cache == "clean-fid":  # clean-fid hard-codes this folder (protocol §6.4)
        return [Path("./" if platform.system() == "Windows" else "/tmp") / spec.file_name]
    if spec.cache == "lpips-package":
        import importlib.util

        found = importlib.util.find_spec("lpips")
        if found is None or not found.origin:
            return []
        return [Path(found.origin).parent / "weights" / "v0.1" / spec.file_name]
    if spec.cache == "hf-hub" and spec.hf_repo:
        return _hf_cache_paths(spec)
    return []


def _hf_cache_paths(spec: WeightSpec) -> list[Path]:
    try:
        from huggingface_hub import constants
    except ImportError:
        return []
    repo_dir = Path(constants.HF_HUB_CACHE) / ("models--" + spec.hf_repo.replace("/", "--")) / "snapshots"
    if not repo_dir.is_dir():
        return []
    inner = spec.hf_filename if spec.kind == "file" else ""
    return sorted((snap / inner if inner else snap) for snap in repo_dir.iterdir())


#: The folder inside a clone where its program loads its own weights (DiffBIR: `weights/`).
CLONE_WEIGHTS_DIR = "weights"


def location(name: str, clone_root: str | Path | None = None) -> Path | None:
    """Where entry `name` is to be put: `$TIPBENCH_WEIGHTS/<name>/`, or for a clone-loaded entry
    `<clone>/weights/` (`clone_root`, else its environment variable; None when neither is set)."""
    spec = get_spec(name)
    if spec.clone_env:
        root = Path(clone_root).expanduser() if clone_root else env_path(spec.clone_env)
        return root / CLONE_WEIGHTS_DIR if root else None
    return weights_dir() / name


def location_text(name: str, clone_root: str | Path | None = None) -> str:
    """`location` as users read it everywhere (missing-file errors, `list`, the leaderboard's notes).

    >>> location_text("lpips-alex-head").startswith("$TIPBENCH_WEIGHTS/lpips-alex-head/ (now ")
    True
    """
    spec = get_spec(name)
    where = location(name, clone_root)
    if spec.clone_env:
        return f"${spec.clone_env}/{CLONE_WEIGHTS_DIR}/ (" + (f"now {where}" if where else "not set") + ")"
    return f"${ENV_WEIGHTS}/{name}/ (now {where})"


def candidate_paths(name: str, clone_root: str | Path | None = None) -> list[Path]:
    """Every place `resolve` looks, in order (a clone-loaded entry: only its clone's `weights/`)."""
    spec = get_spec(name)
    if spec.clone_env:
        where = location(name, clone_root)
        return [where / spec.file_name] if where else []
    root = weights_dir()
    return [root / spec.name / spec.file_name, root / spec.file_name, *_library_cache_paths(spec)]


def _exists(spec: WeightSpec, path: Path) -> bool:
    if spec.kind == "dir":
        return path.is_dir() and (spec.marker is None or (path / spec.marker).is_file())
    return path.is_file()


def file_sha256(path: Path) -> str:
    """sha256 of a file, or a digest of (relative name, sha256) pairs for a directory."""
    from tipbench.io import sha256_bytes, sha256_file

    if path.is_dir():
        parts = [f"{p.relative_to(path).as_posix()} {sha256_file(p)}" for p in sorted(path.rglob("*")) if p.is_file()]
        return sha256_bytes("\n".join(parts).encode())
    return sha256_file(path)


def _problem(name: str, clone_root: str | Path | None = None) -> tuple[Path | None, str | None]:
    """(path, None) when found and intact; (path or None, problem) otherwise."""
    spec = get_spec(name)
    for path in candidate_paths(name, clone_root):
        if _exists(spec, path):
            if spec.sha256 and spec.kind == "file" and file_sha256(path) != spec.sha256:
                return path, f"corrupt: sha256 of `{path}` is not {spec.sha256}"
            return path, None
    return None, "missing"


def _missing_entry(name: str, problem: str, clone_root: str | Path | None = None) -> dict:
    spec = get_spec(name)
    return {
        "name": name,
        "file_name": spec.file_name,
        "problem": problem,
        "put_in": location_text(name, clone_root),
        "source": spec.source,
        "licence": spec.licence,
    }


def status(name: str) -> dict:
    """{'name', 'found', 'path', 'problem', 'sha256_expected', 'source', 'licence'} for one entry."""
    spec = get_spec(name)
    path, problem = _problem(name)
    return {
        "name": name,
        "found": problem is None,
        "path": str(path) if path else None,
        "problem": problem,
        "sha256_expected": spec.sha256,
        "source": spec.source,
        "licence": spec.licence,
    }


def missing(names: list[str] | tuple[str, ...], clone_root: str | Path | None = None) -> list[dict]:
    """Entries of `names` that are missing or corrupt, each with where to put it and where to get it
    (`clone_root`: the clone of clone-loaded entries, else their environment variable)."""
    out = []
    for name in names:
        _, problem = _problem(name, clone_root)
        if problem is not None:
            out.append(_missing_entry(name, problem, clone_root))
    return out


def resolve(name: str, clone_root: str | Path | None = None) -> Path:
    """The verified local path of one entry; `MissingWeightsError` when missing or corrupt."""
    return resolve_all([name], clone_root)[name]


def resolve_all(names: list[str] | tuple[str, ...], clone_root: str | Path | None = None) -> dict[str, Path]:
    """Paths of every entry in `names`; one `MissingWeightsError` listing all that are missing or corrupt."""
    found: dict[str, Path] = {}
    problems = []
    for name in names:
        path, problem = _problem(name, clone_root)
        if problem is None:
            found[name] = path
        else:
            problems.append(_missing_entry(name, problem, clone_root))
    if problems:
        raise MissingWeightsError(problems)
    return found


def fetch(name: str) -> Path:
    """Download one entry into its `location` (`$TIPBENCH_WEIGHTS/<name>/`, or a clone's `weights/`); the only
    code that downloads, and only on request."""
    from tipbench.io import atomic_write_bytes

    spec = get_spec(name)
    path, problem = _problem(name)
    if problem is None:
        logger.info("%s already present at %s", name, path)
        return path
    target_dir = location(name)
    if target_dir is None:
        raise TipbenchError(f"`{name}` goes in your clone's {CLONE_WEIGHTS_DIR}/ folder: set ${spec.clone_env} first")
    try:
        if spec.hf_repo:
            from huggingface_hub import hf_hub_download, snapshot_download

            if spec.kind == "dir":
                snapshot_download(spec.hf_repo, local_dir=target_dir / spec.file_name)
            else:
                hf_hub_download(spec.hf_repo, spec.hf_filename, local_dir=target_dir)
        elif spec.url:
            import urllib.request

            with urllib.request.urlopen(spec.url, timeout=60) as response:  # noqa: S310 (fixed https URL)
                atomic_write_bytes(target_dir / spec.file_name, response.read())
        else:
            raise TipbenchError(f"`{name}` cannot be fetched: it comes from {spec.source}")
    except TipbenchError:
        raise
    except Exception as exc:  # network, offline mode, auth: one clear sentence
        raise TipbenchError(
            f"could not download `{name}` from {spec.source} ({type(exc).__name__}: {exc}); no internet here? "
            f"Download `{spec.file_name}` by hand and put it in {target_dir}/"
        ) from exc
    return resolve(name)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m tipbench.weights",
        description="List, verify or fetch the external weight files tipbench uses (nothing downloads unless "
        "you run `fetch`).",
        epilog="examples:\n  python -m tipbench.weights list\n  python -m tipbench.weights verify inception-fid\n"
        "  python -m tipbench.weights fetch lpips-alexnet",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("list", help="every entry with its status, file name, where it is (or goes), licence and source")
    verify = sub.add_parser("verify", help="check entries exist and match their sha256 (all when none named)")
    verify.add_argument("names", nargs="*", metavar="NAME")
    fetch_parser = sub.add_parser("fetch", help="download one entry to where `list` says it goes ($TIPBENCH_WEIGHTS/"
                                                 "<name>/; DiffBIR's files: $TIPBENCH_DIFFBIR_REPO/weights/)")
    fetch_parser.add_argument("name", metavar="NAME")
    from tipbench.cli import add_output_options

    add_output_options(parser, progress=False)
    return parser


def main(argv: list[str] | None = None) -> int:
    from tipbench.cli import run_command

    args = build_parser().parse_args(argv)

    def work() -> int:
        if args.command == "list":
            for name in sorted(WEIGHTS):
                info, spec = status(name), WEIGHTS[name]
                state = "ok" if info["found"] else info["problem"].split(":")[0]
                where = f"at {info['path']}" if info["found"] else f"goes in {location_text(name)}"
                print(f"{name:24s} {state:8s} {spec.file_name}  {where}  [{spec.licence}]  {spec.source}")
            return 0
        if args.command == "verify":
            names = args.names or sorted(WEIGHTS)
            for name in names:
                get_spec(name)
            for name, path in resolve_all(names).items():
                print(f"{name}: ok {path}")
            return 0
        print(f"wrote {fetch(args.name)}")
        return 0

    return run_command(args, work)


if __name__ == "__main__":
    raise SystemExit(main())
