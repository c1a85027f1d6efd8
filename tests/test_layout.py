"""The layout's own rules, read from the source with `ast`: no import circles, `tipbench` is the ground floor,
each file contract has one home, and modules stay small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("tipbench", "leaderboard", "baselines", "reference_model", "data_recipes")
UPPER = PACKAGES[1:]
MAX_LINES = 400


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The module of ours a dotted name lives in (a submodule, or the package re-exporting it)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> list[tuple[str, bool]]:
    """(imported module of ours, at module level?) for every import statement anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top_level = {id(node) for node in tree.body}
    for node in tree.body:  # `if TYPE_CHECKING:` / `try:` blocks at module level run at import time too
        if isinstance(node, (ast.If, ast.Try)):
            top_level.update(id(child) for child in ast.walk(node))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        for name in names:
            target = _resolve(name)
            if target and target != module:
                found.append((target, id(node) in top_level))
    return found


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    edges = {module: sorted({target for target, _ in targets}) for module, targets in GRAPH.items()}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components = []
    counter = 0
    for start in edges:
        if start in index:
            continue
        work = [(start, 0)]
        while work:
            node, position = work.pop()
            if position == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            children = edges[node]
            if position < len(children):
                work.append((node, position + 1))
                child = children[position]
                if child not in index:
                    work.append((child, 0))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            if work and work[-1][0] != node:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return components


def test_the_walk_sees_the_tree():
    # guards the test itself: it must find the modules and the imports it reasons about
    assert {"tipbench.contracts.split_folder", "leaderboard.fill", "reference_model.adapter"} <= set(MODULES)
    assert ("tipbench.contracts.split_folder", True) in GRAPH["tipbench.run.runner"]


def test_no_import_circles():
    assert _cycles() == [], "import circles (every import statement counts, inside functions too)"


def test_a_circle_would_be_found():
    GRAPH["tipbench.io"].append(("tipbench.run.runner", False))  # run.runner → … → io, and now io → run.runner
    try:
        assert any("tipbench.io" in component for component in _cycles())
    finally:
        GRAPH["tipbench.io"].pop()


def test_tipbench_never_imports_upward_at_module_level():
    upward = sorted(f"{module} → {target}" for module, targets in GRAPH.items() if module.split(".")[0] == "tipbench"
                    for target, top_level in targets if top_level and target.split(".")[0] in UPPER)
    assert upward == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module}: {lines} lines; split it by job"


def _string_constants(path: Path) -> list[ast.Constant]:
    return [node for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Constant) and isinstance(node.value, str)]


def test_prompt_policy_names_are_spelled_in_one_module():
    """Every other module names a policy through `tipbench.contracts.prompt_policy` (its constants or table)."""
    from tipbench.contracts.prompt_policy import POLICY_NAMES

    home = MODULES["tipbench.contracts.prompt_policy"]
    distinctive = {name for name in POLICY_NAMES if "-" in name}  # `both-type-only`: never an ordinary word
    offenders = []
    for module, path in MODULES.items():
        if path == home:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and node.value in distinctive:
                offenders.append(f"{module}:{node.lineno} {node.value!r}")
            if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
                spelled = {e.value for e in node.elts if isinstance(e, ast.Constant) and e.value in POLICY_NAMES}
                if len(spelled) >= 2:  # a list of policies written out again
                    offenders.append(f"{module}:{node.lineno} {sorted(spelled)}")
    assert offenders == []


def test_the_manifest_columns_are_declared_in_one_module():
    from tipbench.contracts.split_folder import MANIFEST_COLUMNS

    columns = set(MANIFEST_COLUMNS)
    homes = [module for module, path in MODULES.items()
             if len(columns & {node.value for node in _string_constants(path)}) == len(columns)]
    assert homes == ["tipbench.contracts.split_folder"]
