"""The method registry: every `--method` name as a `MethodSpec` (plain data), and whether it can run here.

`METHODS` maps a key to its spec: which prompts the method uses, which weights-table entries and which external
code clone it needs per variant, and its Restorer class as a lazy `"module:Class"` path, so listing methods imports
no torch. `readiness` answers "can it run here?" from that data alone (files and environment variables) as a tuple
of structured `Problem`s; `load_restorer` raises the first-class error they make before any model is constructed.

Every restorer class takes one `RestorerOptions` and exposes `describe()` → {settings, checkpoints, weights, command,
ignored_prompts} for run.json.

Example:
    >>> "classical-prompted" in METHODS
    True
    >>> METHODS.get("swinir").variants
    ('m', 'l')
    >>> readiness("bicubic")
    ()
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from typing import Any, Literal

from tipbench.errors import ConfigError, MissingWeightsError, RestorerError, TipbenchError
from tipbench.registry import Registry, load_object
from tipbench.weights import CLONE_WEIGHTS_DIR

logger = logging.getLogger(__name__)


#: Compute precisions of the in-process torch methods (`--dtype`); fp32 is the default and the only comparable one.
DTYPES = ("fp32", "fp16", "bf16")
DEFAULT_DTYPE = "fp32"


@dataclass(frozen=True)
class CloneSpec:
    """An external code clone run as a subprocess in its own environment (protocol §8.3, §8.4)."""

    name: str
    repo_env: str
    python_env: str
    entry: str  # script path inside the clone that must exist
    source: str
    licence: str
    #: folder inside the clone where the program itself loads its weight files (None: passed by path).
    weights_subdir: str | None = None
    #: further scripts of the clone an adapter may run (each must exist too).
    other_scripts: tuple[str, ...] = ()
    #: the upstream commit whose entry scripts the adapter's command lines were checked against (docs/methods.md).
    checked_commit: str = ""

    @property
    def scripts(self) -> tuple[str, ...]:
        """Every script of the clone an adapter may run, the entry first."""
        return (self.entry, *self.other_scripts)


@dataclass(frozen=True)
class MethodSpec:
    """What a method is and what it needs, without importing it."""

    key: str
    restorer: str  # "module:Class"
    summary: str
    uses_semantic_prompt: bool
    uses_restoration_prompt: bool
    #: variant → weights-table entries; key None is the default (no `--variant`).
    weights: dict[str | None, tuple[str, ...]] = field(default_factory=dict)
    variants: tuple[str, ...] = ()
    clone: CloneSpec | None = None
    #: the checkpoint may instead be given with `--checkpoint` (reference-model family).
    accepts_checkpoint: bool = False
    default_batch_size: int = 1
    needs: str = ""  # one line for `--list`
    #: cheap to build and CPU-bound: `--workers K` may run K copies in separate processes.
    cpu_parallel: bool = False
    #: compute precisions it can run in (`--dtype`); fp32 only for methods that are not in-process torch models.
    dtypes: tuple[str, ...] = (DEFAULT_DTYPE,)

    def weights_for(self, variant: str | None) -> tuple[str, ...]:
        return self.weights.get(variant, self.weights.get(None, ()))

    def load_class(self) -> type:
        """The Restorer class (imports the method's dependencies)."""
        return load_object(self.restorer)


@dataclass(frozen=True)
class RestorerOptions:
    """Everything a restorer's constructor may use (the method's own knobs go in `extra`)."""

    variant: str | None = None
    checkpoint: str | None = None
    device: str = "cpu"
    batch_size: int = 1
    repo: str | None = None  # subprocess baselines: the clone (else the method's env var)
    python: str | None = None  # subprocess baselines: its interpreter (else the env var, else `python`)
    timeout_s: float | None = None  # subprocess baselines: per-call limit (default: method's own)
    extra: tuple[tuple[str, str], ...] = ()
    dtype: str = DEFAULT_DTYPE  # in-process torch methods: compute precision (MethodSpec.dtypes)

    def option(self, name: str, default: Any = None) -> Any:
        return dict(self.extra).get(name, default)

    def check_extra(self, known: tuple[str, ...], method: str) -> None:
        unknown = sorted(set(dict(self.extra)) - set(known))
        if unknown:
            valid = ", ".join(known) or "(none)"
            raise ConfigError(f"method `{method}` has no option(s) {', '.join(unknown)}; valid: {valid}")


STABLESR_CLONE = CloneSpec(
    "StableSR", "TIPBENCH_STABLESR_REPO", "TIPBENCH_STABLESR_PYTHON",
    "scripts/sr_val_ddpm_text_T_vqganfin_oldcanvas_tile.py", "https://github.com/IceClear/StableSR",
    "S-Lab License 1.0 (non-commercial)", other_scripts=("scripts/sr_val_ddpm_text_T_vqganfin_old.py",),
    checked_commit="398ee9383777e255540ea027a704c8ce1f32145b")
DIFFBIR_CLONE = CloneSpec(
    "DiffBIR", "TIPBENCH_DIFFBIR_REPO", "TIPBENCH_DIFFBIR_PYTHON", "inference.py",
    "https://github.com/XPixelGroup/DiffBIR", "Apache-2.0", weights_subdir=CLONE_WEIGHTS_DIR,
    checked_commit="3f8b5304245ba0ffd6f1995e51c27c3c72d7618f")

_DIFFBIR_WEIGHTS: dict[str | None, tuple[str, ...]] = {
    None: ("sd21-base", "diffbir-v1-general", "diffbir-v1-swinir"),
    "v1": ("sd21-base", "diffbir-v1-general", "diffbir-v1-swinir"),
    "v2": ("sd21-base", "diffbir-v2", "diffbir-v2-bsrnet"),
}
#: TIP ablation checkpoints (contracts §2 variants; reference_model configs, one per trained variant).
TIP_VARIANTS = ("no-param", "semantic-only", "no-prompts", "modulate-up", "both-prompts", "div2k-ft")

_SPECS = (
    MethodSpec("bicubic", "baselines.bicubic:BicubicRestorer", "Pillow bicubic upsampling only (no restoration)",
               False, False, needs="nothing", cpu_parallel=True),
    MethodSpec("classical-prompted", "baselines.classical_prompted:ClassicalPromptedRestorer",
               "undoes each operation the restoration prompt names with a classical method (CPU, no weights)",
               False, True, needs="nothing", cpu_parallel=True),
    MethodSpec("swinir", "baselines.swinir:SwinIRRestorer", "SwinIR real-SR x4 GAN via spandrel (variants m, l)",
               False, False, weights={None: ("swinir-realsr-x4-gan-m",), "m": ("swinir-realsr-x4-gan-m",),
                                      "l": ("swinir-realsr-x4-gan-l",)},
               variants=("m", "l"), default_batch_size=1, needs="weights", dtypes=("fp32", "bf16")),
    MethodSpec("stablesr", "baselines.stablesr:StableSRRestorer", "StableSR (DDPM 200, CFW 0.5, AdaIN) as a subprocess",
               False, False, weights={None: ("stablesr", "stablesr-cfw")}, clone=STABLESR_CLONE,
               default_batch_size=16, needs="clone + env + weights"),
    MethodSpec("diffbir", "baselines.diffbir:DiffBIRRestorer", "DiffBIR (v1 settings by default) as a subprocess",
               False, False, weights=_DIFFBIR_WEIGHTS, variants=("v1", "v2"), clone=DIFFBIR_CLONE,
               default_batch_size=16, needs="clone + env + weights"),
    MethodSpec("diffbir-clip", "baselines.diffbir_clip:DiffBIRCLIPRestorer",
               "DiffBIR with c_s as the positive prompt (zero-shot)", True, False, weights=_DIFFBIR_WEIGHTS,
               variants=("v1", "v2"), clone=DIFFBIR_CLONE, default_batch_size=1, needs="clone + env + weights"),
    MethodSpec("diffbir-sdedit", "baselines.diffbir_sdedit:DiffBIRSDEditRestorer",
               "DiffBIR v1, then SD img2img (SDEdit) on c_s; strength 0.4 (variants s02, s06)", True, False,
               weights={None: (*_DIFFBIR_WEIGHTS[None], "sd15")}, variants=("s02", "s06"), clone=DIFFBIR_CLONE,
               default_batch_size=16, needs="clone + env + weights"),
    MethodSpec("controlnet-sr", "baselines.controlnet_sr:ControlNetSRMethod",
               "reference model, additive fusion, no prompts (checkpoint via --checkpoint)", False, False,
               weights={None: ("sd15",)}, accepts_checkpoint=True, default_batch_size=4, needs="checkpoint",
               dtypes=DTYPES),
    MethodSpec("controlnet-sr-clip", "baselines.controlnet_sr_clip:ControlNetSRCLIPMethod",
               "ControlNet-SR checkpoint with c_s fed zero-shot, CFG on c_s", True, False,
               weights={None: ("sd15",)}, accepts_checkpoint=True, default_batch_size=4, needs="checkpoint",
               dtypes=DTYPES),
    MethodSpec("tip", "baselines.tip:TIPMethod", "the TIP reference model (both prompts; ablations as variants)",
               True, True, weights={None: ("tip", "sd15")}, variants=TIP_VARIANTS, accepts_checkpoint=True,
               default_batch_size=4, needs="checkpoint", dtypes=DTYPES),
)

#: method key → its spec (plain data; the Restorer class is imported by `MethodSpec.load_class`).
METHODS: Registry[MethodSpec] = Registry("method")
for _spec in _SPECS:
    METHODS.register(_spec.key, _spec)


def method_spec(method: str) -> MethodSpec:
    """The spec of `method`; `ConfigError` naming the valid keys when unknown."""
    if method not in METHODS:
        raise ConfigError(f"unknown method `{method}`; available: {', '.join(METHODS.names())}")
    return METHODS.get(method)


def cpu_parallel_methods() -> list[str]:
    """Methods cheap to build and CPU-bound, which `--workers K` may run in K processes."""
    return [key for key in METHODS.names() if METHODS.get(key).cpu_parallel]


def check_dtype(spec: MethodSpec, dtype: str) -> None:
    """`dtype` must be one the method runs in (fp32 always is)."""
    if dtype not in spec.dtypes:
        capable = [key for key in METHODS.names() if len(METHODS.get(key).dtypes) > 1]
        raise ConfigError(f"method `{spec.key}` runs in {', '.join(spec.dtypes)} only; --dtype {dtype} applies to "
                          f"the in-process torch methods: {', '.join(capable)}")


def check_variant(spec: MethodSpec, variant: str | None) -> None:
    if variant is not None and variant not in spec.variants:
        valid = ", ".join(spec.variants) or "(none)"
        raise ConfigError(f"method `{spec.key}` has no variant `{variant}`; valid: {valid}")


def clone_paths(clone: CloneSpec, repo: str | None = None, python: str | None = None) -> tuple[str, str]:
    """(clone directory, interpreter) from flags or environment; `RestorerError` saying what to set when missing."""
    from pathlib import Path

    from tipbench.paths import env_path

    repo_path = Path(repo).expanduser() if repo else env_path(clone.repo_env)
    if repo_path is None:
        raise RestorerError(f"{clone.name} needs a clone of {clone.source} ({clone.licence}): set "
                            f"${clone.repo_env} to it (or pass --repo DIR), and ${clone.python_env} to the python of "
                            "its own environment")
    missing = [script for script in clone.scripts if not (repo_path / script).is_file()]
    if missing:
        raise RestorerError(f"{clone.name}: `{'`, `'.join(missing)}` not found in ${clone.repo_env} ({repo_path}); clone "
                            f"{clone.source} there")
    interpreter = python or os.environ.get(clone.python_env, "").strip() or "python"
    if os.sep in interpreter and not Path(interpreter).expanduser().is_file():
        raise RestorerError(f"{clone.name}: interpreter `{interpreter}` (${clone.python_env}) does not exist")
    return str(repo_path), str(Path(interpreter).expanduser()) if os.sep in interpreter else interpreter


ProblemKind = Literal["clone", "weights", "checkpoint"]


@dataclass(frozen=True)
class Problem:
    """One reason a method cannot run here.

    Attributes:
        kind: `clone` (the external code or its interpreter), `weights` (files of the weights table or of the
            clone) or `checkpoint` (a reference-family method with no checkpoint).
        message: the full sentence, with every missing file, where it goes and where it comes from.
        short: one line for tables and `--list`.
        missing: for `weights`: the weights-table records of every missing file.
    """

    kind: ProblemKind
    message: str
    short: str
    missing: tuple[dict, ...] = ()

    @property
    def detail(self) -> str:
        """The full message on one line (tables' notes): every file, where it goes, where it comes from.

        >>> Problem("checkpoint", "no checkpoint;   pass --checkpoint  DIR", "no checkpoint").detail
        'no checkpoint; pass --checkpoint DIR'
        """
        return " ".join(self.message.split())

    def error(self) -> TipbenchError:
        """The exception this problem raises on its own."""
        if self.kind == "weights":
            return MissingWeightsError(list(self.missing))
        return RestorerError(self.message) if self.kind == "clone" else ConfigError(self.message)


def _weights_problem(missing: list[dict]) -> Problem:
    """One problem for every missing or corrupt file (table entries and files a clone loads itself)."""
    by_state: dict[str, list[str]] = {}
    for item in missing:
        by_state.setdefault(item["problem"].split(":")[0], []).append(item["file_name"])
    short = "; ".join(f"{state} {', '.join(files)}" for state, files in by_state.items())
    return Problem("weights", str(MissingWeightsError(missing)), short, tuple(missing))


def readiness(method: str, variant: str | None = None, checkpoint: str | None = None, repo: str | None = None,
              python: str | None = None) -> tuple[Problem, ...]:
    """Every problem that would stop `method[@variant]` from running here (empty: ready). Reads files and
    environment variables only.

    Raises:
        ConfigError: an unknown method or variant (a usage error, not a readiness problem).
    """
    from tipbench import weights as weights_table
    from tipbench.contracts.run_folder import method_label

    spec = method_spec(method)
    check_variant(spec, variant)
    problems: list[Problem] = []
    missing: list[dict] = []
    names = list(spec.weights_for(variant))
    if spec.clone is not None:
        try:
            repo_dir, _ = clone_paths(spec.clone, repo, python)
        except RestorerError as exc:
            problems.append(Problem("clone", str(exc), str(exc).split(": set $")[0]))
            repo_dir = None
        in_clone = [name for name in names if weights_table.get_spec(name).clone_env == spec.clone.repo_env]
        names = [name for name in names if name not in in_clone]
        missing += clone_weights_missing(spec.clone, repo_dir, in_clone)
    if spec.accepts_checkpoint:
        names = _reference_weight_names(spec, variant, checkpoint)
    known = [name for name in names if name in weights_table.WEIGHTS]
    missing += weights_table.missing(known)
    if spec.accepts_checkpoint and checkpoint is None and not known:
        label = method_label(method, variant)
        problems.append(Problem("checkpoint", f"method `{label}` has no checkpoint in the weights table; pass "
                                "--checkpoint DIR (a reference_model.train output)",
                                f"method `{label}` has no checkpoint in the weights table"))
    if missing:
        problems.append(_weights_problem(missing))
    return tuple(problems)


def readiness_error(problems: tuple[Problem, ...]) -> TipbenchError | None:
    """The one exception for a set of problems (None when there are none)."""
    if not problems:
        return None
    if len(problems) == 1:
        return problems[0].error()
    return RestorerError("\n".join(str(problem.error()) for problem in problems))


def _reference_weight_names(spec: MethodSpec, variant: str | None, checkpoint: str | None) -> list[str]:
    """Weights-table entries a reference-family method needs: its checkpoint (unless given) — the SD base is
    checked by the reference model itself when the checkpoint is adapter-only."""
    if checkpoint is not None:
        return []
    from tipbench import weights as weights_table

    entry = spec.key if variant is None else f"{spec.key}-{variant}"
    return [entry] if entry in weights_table.WEIGHTS else []


def clone_weights_missing(clone: CloneSpec, repo_dir: str | None, names: list[str]) -> list[dict]:
    """Weights-table entries a clone loads from its own `weights/` that are not there; where that is comes from the
    weights registry (`tipbench.weights.location`), so every command names the same place."""
    from tipbench import weights as weights_table

    return weights_table.missing(names, clone_root=repo_dir)


def load_restorer(method: str, *, variant: str | None = None, checkpoint: str | None = None, device: str = "cpu",
                  options: RestorerOptions | None = None) -> Any:
    """A ready Restorer for `method`; every missing file or clone is reported before any model is built."""
    spec = method_spec(method)
    if options is None:
        options = RestorerOptions(variant=variant, checkpoint=checkpoint, device=device,
                                  batch_size=spec.default_batch_size)
    check_variant(spec, options.variant)
    if options.checkpoint is not None and not spec.accepts_checkpoint:
        raise ConfigError(f"method `{method}` takes no --checkpoint; its weights come from the weights table "
                          "(python -m tipbench.weights list)")
    problem = readiness_error(readiness(method, options.variant, options.checkpoint, options.repo, options.python))
    if problem is not None:
        raise problem
    return spec.load_class()(options)


def describe_restorer(restorer: Any) -> dict[str, Any]:
    """{settings, checkpoints, weights, command, ignored_prompts} of a restorer (defaults where it has none)."""
    described = dict(restorer.describe()) if hasattr(restorer, "describe") else {}
    described.setdefault("settings", {})
    described.setdefault("checkpoints", {})
    described.setdefault("weights", "unknown")  # nothing vouches for weights a restorer does not describe
    described.setdefault("command", None)
    described.setdefault("ignored_prompts", [])
    return described
