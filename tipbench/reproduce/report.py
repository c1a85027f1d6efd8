"""The plan as text: the table's splits, then one line per step (status, split, method, prompts, rows, cost,
reason), then every distinct full reason once (the registry's message: each file, where it goes, where it is from)."""

from __future__ import annotations

from tipbench.reproduce.plan import Plan, Step


def format_duration(seconds: float) -> str:
    """`42 s`, `12 min`, `3.5 h`.

    >>> format_duration(42), format_duration(720), format_duration(12600)
    ('42 s', '12 min', '3.5 h')
    """
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _estimate(step: Step) -> str:
    if step.status != "ready":
        return ""
    return "~" + format_duration(step.estimate_s) if step.estimate_s is not None else "unmeasured"


def format_plan(plan: Plan) -> str:
    table = plan.table
    lines = [table.title, f"runs: {plan.runs_dir}   splits: {plan.splits_dir}", "", "splits:"]
    width = max(len(name) for name in plan.splits) if plan.splits else 0
    for state in plan.splits.values():
        lines.append(f"  {state.name:<{width}}  {state.state:<8}  {state.note}")
    lines += ["", "runs:"]
    rows = [("status", "kind", "split", "method", "prompts", "rows", "cost", "reason / what happens")]
    for step in plan.steps:
        prompts = "" if step.kind == "walk" else step.key.prompts
        rows.append((step.status, step.kind, step.key.split, step.label, prompts, "; ".join(step.rows),
                     _estimate(step), step.reason))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        lines.append("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[-1])
    rated = [step for step in plan.steps if step.rate_from]
    if rated:
        lines += ["", "costs from measured rates: " + "; ".join(sorted({f"{s.label}: {s.rate_from}" for s in rated}))]
    details = {}
    for step in plan.steps:
        if step.status == "missing" and step.detail:
            details.setdefault(step.detail, step.label)
    if details:
        lines += ["", "why (from the method registry and the split sources):"]
        lines += [f"  {label}: {detail}" for detail, label in details.items()]
        if any(step.status == "missing" and step.reason.startswith("checkpoint") for step in plan.steps):
            lines.append("  (reproduce takes a reference-family checkpoint as --checkpoint METHOD[@VARIANT]=DIR)")
    lines += ["", f"{plan.count('done')} done, {plan.count('ready')} ready, {plan.count('missing')} missing "
              f"(of {len(plan.steps)} steps)"]
    return "\n".join(lines)
