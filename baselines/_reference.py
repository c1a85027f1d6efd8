"""Shared loader for the reference-model family (`tip`, `controlnet-sr`, `controlnet-sr-clip`).

The checkpoint comes from `--checkpoint` or, when absent, from the weights table (`tip`, or `tip-<variant>` for an
ablation); `tipbench.methods` has already checked it exists before this runs. Sampling settings default to protocol
§7 and may be overridden with `--option steps=…`, `guidance_scale=…`, `dtype=…`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tipbench.errors import ConfigError, RestorerError

_OPTIONS = {"steps": int, "guidance_scale": float, "eta": float, "adapter_scale": float, "dtype": str}


def checkpoint_dir(method: str, options) -> Path:
    """`--checkpoint`, or the weights-table entry for `method[@variant]`."""
    if options.checkpoint:
        path = Path(options.checkpoint).expanduser()
        if not path.is_dir():
            raise RestorerError(f"checkpoint `{path}` for method `{method}` is not a directory; pass a "
                                "reference_model.train output (or save_tiny_pipeline directory)")
        return path
    from tipbench.weights import resolve

    entry = method if options.variant is None else f"{method}-{options.variant}"
    return resolve(entry)


def sampling_options(options, method: str) -> dict[str, Any]:
    """The `--option` values this family understands, converted to their types."""
    options.check_extra(tuple(_OPTIONS), method)
    converted = {}
    for key, value in options.extra:
        try:
            converted[key] = _OPTIONS[key](value)
        except ValueError as exc:
            raise ConfigError(f"option `{key}` of `{method}` must be {_OPTIONS[key].__name__}, got `{value}`") from exc
    return converted


def describe_reference(restorer: Any) -> dict[str, Any]:
    """run.json fields of a ReferenceModelRestorer: settings, the checkpoint's files' sha256, real|random|unknown."""
    from tipbench.weights import file_sha256

    checkpoint = Path(restorer.checkpoint)
    return {"settings": restorer.settings(), "checkpoints": {f"{restorer.name}": file_sha256(checkpoint)},
            "weights": restorer.weights, "command": None, "ignored_prompts": restorer.ignored_prompts}


def reference_kwargs(method: str, options) -> dict[str, Any]:
    """Constructor arguments of a ReferenceModelRestorer from the options."""
    return {"checkpoint": checkpoint_dir(method, options), "device": options.device,
            "batch_size": options.batch_size, "dtype": options.dtype, **sampling_options(options, method)}
