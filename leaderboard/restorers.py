"""Turn a method name (`tip`, `classical-prompted`, `tip@no-param`) into a Restorer via `tipbench.methods`."""

from __future__ import annotations

import inspect
from typing import Any

from tipbench.errors import ConfigError

# The run helper owns tipbench.methods; these are the factory names it may expose, in order of preference.
_FACTORIES = ("load_restorer", "create_restorer", "build_restorer", "make_restorer", "get_restorer")


def split_method(spec: str) -> tuple[str, str | None]:
    """Method key and variant of a `method[@variant]` spec.

    >>> split_method("tip@no-param"), split_method("swinir")
    (('tip', 'no-param'), ('swinir', None))
    """
    method, _, variant = spec.partition("@")
    return method, variant or None


def _call(factory: Any, method: str, options: dict[str, Any]) -> Any:
    try:
        parameters = inspect.signature(factory).parameters
    except (TypeError, ValueError):
        return factory(method, **options)
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    return factory(method, **{k: v for k, v in options.items() if accepts_any or k in parameters})


def load_restorer(spec: str, *, checkpoint: str | None = None, device: str = "cpu") -> Any:
    """A ready Restorer for `spec` (`method[@variant]`), built by the method registry.

    Raises:
        ConfigError: the registry is not installed or does not know the method.
        MissingWeightsError / RestorerError: from the registry, when the method cannot run here.
    """
    method, variant = split_method(spec)
    try:
        import tipbench.methods as methods_module
    except ImportError as exc:
        raise ConfigError(f"cannot load method `{spec}`: the method registry (tipbench.methods) is missing") from exc
    registry = methods_module.METHODS
    if method not in registry:
        raise ConfigError(f"unknown method `{method}`; available: {', '.join(registry.names())}")
    options = {"variant": variant, "checkpoint": checkpoint, "device": device}
    for name in _FACTORIES:
        factory = getattr(methods_module, name, None)
        if callable(factory):
            return _call(factory, method, options)
    entry = registry.get(method)
    if variant or checkpoint:
        raise ConfigError(f"method `{spec}`: the registry has no factory taking a variant or checkpoint")
    return entry() if inspect.isclass(entry) or callable(entry) else entry
