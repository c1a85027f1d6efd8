"""What produced a table: split hashes, N, protocol, metric settings and weight hashes of every run it used.

Printed under each table so a reader can tell whether two tables (or two cells) are comparable: equal split
sha256s, protocol and metric settings mean the numbers were measured the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from leaderboard.fill import FilledTable
from tipbench import __version__
from tipbench.contracts.run_folder import method_label


@dataclass(frozen=True)
class ProvenanceLine:
    label: str
    text: str


def _short(sha: object) -> str:
    return str(sha)[:12] if sha else "unknown"


def _compact(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) if value else "unknown"


#: The one knob per metric that most often differs between implementations (protocol §6), shown by name.
_KEY_KNOBS = ("mode", "net", "model", "channel", "window")


def _settings_digest(settings: object) -> str:
    """`sha256:<12 hex>` of the canonical settings JSON (equal digests = measured the same way) plus key knobs."""
    if not isinstance(settings, dict) or not settings:
        return "unknown"
    import hashlib

    digest = hashlib.sha256(_compact(settings).encode("utf-8")).hexdigest()[:12]
    knobs = []
    for metric, options in sorted(settings.items()):
        if isinstance(options, dict):
            knob = next((str(options[k]) for k in _KEY_KNOBS if options.get(k) is not None), None)
            if knob:
                knobs.append(f"{metric} {knob}")
    return f"sha256:{digest} ({', '.join(knobs)})" if knobs else f"sha256:{digest}"


def _distinct(values: list[str]) -> str:
    """Distinct values joined by ` | ` (callers never pass an empty list: a table without runs says so instead)."""
    return " | ".join(dict.fromkeys(values))


def _weights_label(kind: object) -> str:
    return {"real": "real weights", "random": "random weights", "none": "no weights"}.get(str(kind),
                                                                                          f"{kind or 'unknown'} weights")


def table_provenance(table: FilledTable) -> list[ProvenanceLine]:
    """The provenance lines of `table`, one fact per line, distinct values joined by ` | `; a table filled by no
    run says only that (never a "protocol: none")."""
    runs = table.runs
    rendered = ProvenanceLine("package", f"tipbench {__version__} (rendered)")
    if not runs and not table.walks:
        return [ProvenanceLine("runs", "none: no cell of this table comes from a run"), rendered]
    lines: list[ProvenanceLine] = []
    for split in table.spec.splits:
        split_runs = [r for r in runs if r.split == split]
        shas = _distinct([_short(r.run.get("split_manifest_sha256")) for r in split_runs])
        ns = _distinct([str((r.summary or {}).get("n", "unscored")) for r in split_runs])
        sources = _distinct([str((r.summary or {}).get("source", r.run.get("source", "unknown"))) for r in split_runs])
        lines.append(ProvenanceLine(f"split {split}", f"manifest sha256 {shas}; N {ns}; source {sources}"
                                    if split_runs else "no runs"))
    if runs:
        lines.append(ProvenanceLine("protocol", _distinct([str((r.summary or {}).get("protocol", "unscored"))
                                                           for r in runs])))
        lines.append(ProvenanceLine("metric settings", _distinct(
            [_settings_digest((r.summary or {}).get("metric_settings")) for r in runs])))
    metric_weights: dict[str, str] = {}
    for record in runs:
        for name, sha in ((record.summary or {}).get("metric_weights") or {}).items():
            metric_weights.setdefault(name, _short(sha))
    lines.append(ProvenanceLine("metric weights", ", ".join(f"{k}={v}" for k, v in sorted(metric_weights.items()))
                                or "none recorded"))
    checkpoints = []
    for record in runs:
        label = method_label(record.method, record.variant)
        hashes = ", ".join(f"{k}={_short(v)}" for k, v in sorted((record.run.get("checkpoints") or {}).items()))
        checkpoints.append(f"{label} ({_weights_label(record.run.get('weights'))}): {hashes or 'no files'}")
    if checkpoints:
        lines.append(ProvenanceLine("method weights", _distinct(checkpoints)))
    walks = [f"{method_label(w.data.get('method'), w.data.get('variant'))}: n {w.data.get('n')}, "
             f"split sha256 {_short(w.data.get('split_manifest_sha256'))}, source {w.data.get('source')}"
             for w in table.walks]
    if walks:
        lines.append(ProvenanceLine("prompt walks", _distinct(walks)))
    if runs:
        versions = _distinct([str(((r.summary or {}).get("versions") or r.run.get("versions") or {}).get(
            "tipbench", "unknown")) for r in runs])
        rendered = ProvenanceLine("package", f"{rendered.text}; runs made with tipbench {versions}")
    lines.append(rendered)
    return lines
