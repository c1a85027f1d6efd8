"""Record an upstream entry script's argparse flags as test data (name, type, default, choices, action, ...).

Maintainer tool, not a test: it reads the script at one commit of a local git mirror with `git show` and walks its
`add_argument` calls with `ast` (nothing upstream is imported or copied), then writes the facts as JSON beside this
file. The stand-in programs build their parsers from that JSON, and the adapter tests check every flag the
adapters emit against it, so a flag upstream does not have fails a test.

    python tests/baselines/upstream_flags/record_flags.py --name stablesr --repo IceClear/StableSR \
        --mirror /path/to/StableSR.git --commit 398ee93... \
        --script scripts/sr_val_ddpm_text_T_vqganfin_old.py --script scripts/sr_val_ddpm_text_T_vqganfin_oldcanvas_tile.py

Hand-recorded facts the parser does not hold (`values_from_code`: values a flag without `choices` is compared
against in the script's code) are kept when the file is rewritten.
"""

from __future__ import annotations

import argparse
import ast
import json
import subprocess
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
KEYWORDS = ("type", "default", "choices", "action", "required", "nargs")


def _value(node: ast.AST, constants: dict[str, Any]) -> Any:
    """A keyword's value as JSON: literals as they are, a builtin type by name, a module constant resolved."""
    if isinstance(node, ast.Name):
        if node.id in constants:
            return constants[node.id]
        return node.id  # `type=int` → "int"
    try:
        return ast.literal_eval(node)
    except ValueError:
        return ast.unparse(node)


def _module_constants(tree: ast.Module) -> dict[str, Any]:
    found = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                found[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                continue
    return found


def read_flags(source: str) -> list[dict[str, Any]]:
    """Every `*.add_argument("--flag", ...)` call of a script, in source order."""
    tree = ast.parse(source)
    constants = _module_constants(tree)
    flags = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and node.func.attr == "add_argument"):
            continue
        names = [arg.value for arg in node.args if isinstance(arg, ast.Constant)]
        entry: dict[str, Any] = {"name": names[0], "aliases": names[1:], "line": node.lineno}
        for keyword in node.keywords:
            if keyword.arg in KEYWORDS:
                entry[keyword.arg] = _value(keyword.value, constants)
        flags.append(entry)
    flags.sort(key=lambda flag: flag["line"])
    return flags


def git_show(mirror: str, commit: str, path: str) -> str:
    return subprocess.run(["git", "-C", mirror, "show", f"{commit}:{path}"], check=True, capture_output=True,
                          text=True).stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--name", required=True, help="output file stem (the baseline)")
    parser.add_argument("--repo", required=True, help="owner/name on GitHub")
    parser.add_argument("--mirror", required=True, help="a local git directory of the repository")
    parser.add_argument("--commit", required=True)
    parser.add_argument("--script", action="append", required=True)
    args = parser.parse_args()
    out = HERE / f"{args.name}.json"
    previous = json.loads(out.read_text()) if out.is_file() else {"scripts": {}}
    commit = subprocess.run(["git", "-C", args.mirror, "rev-parse", args.commit], check=True, capture_output=True,
                            text=True).stdout.strip()
    date = subprocess.run(["git", "-C", args.mirror, "show", "-s", "--format=%cs", commit], check=True,
                          capture_output=True, text=True).stdout.strip()
    scripts = {}
    for script in args.script:
        kept = previous["scripts"].get(script, {}).get("values_from_code", {})
        scripts[script] = {"flags": read_flags(git_show(args.mirror, commit, script)), "values_from_code": kept}
    record = {"repo": args.repo, "url": f"https://github.com/{args.repo}", "commit": commit, "commit_date": date,
              "recorded_with": "tests/baselines/upstream_flags/record_flags.py", "scripts": scripts}
    out.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {out}: {sum(len(s['flags']) for s in scripts.values())} flags from {len(scripts)} script(s)")


if __name__ == "__main__":
    main()
