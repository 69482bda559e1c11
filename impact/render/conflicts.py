"""``impact conflicts``: change requests in progress that step on each other, in text, JSON and Markdown.

The conflicts of a release are shown by :mod:`impact.render.releases` with
:func:`conflict_line`, and the HTML report takes :func:`conflict_dict`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from impact.analysis.conflicts import Conflict, conflict_sentence
from impact.core.distance import tools_away as away
from impact.render.plaintext import plural, safe, show_path
from impact.render.templating import md_code


@dataclass(frozen=True, slots=True)
class ConflictsAnswer:
    """The conflicts found between the change requests compared, as asked."""

    conflicts: Sequence[Conflict]
    changes: Sequence[str]
    """The ids of the change requests compared."""
    catalog: str
    show_all: bool = False
    """Show the conflicts that meet far away too (``--all``); by default they are counted."""


# --- JSON --------------------------------------------------------------------


def conflict_dict(conflict: Conflict) -> dict[str, Any]:
    if conflict.kind == "downstream":
        return {
            "kind": conflict.kind,
            "from": conflict.first,
            "to": conflict.second,
            "assets": list(conflict.assets),
            "teams": list(conflict.teams),
            "paths": [
                {"asset": r.asset, "tool_distance": r.tool_distance, "path": list(r.path)} for r in conflict.reach
            ],
            "tool_distance": conflict.tool_distance,
        }
    return {
        "kind": conflict.kind, "changes": list(conflict.changes), "assets": list(conflict.assets),
        "teams": list(conflict.teams),
        "tool_distance": conflict.tool_distance,
    }  # fmt: skip


def conflicts_dict(answer: ConflictsAnswer) -> dict[str, Any]:
    """``impact conflicts --format json``."""
    return {
        "catalog": answer.catalog,
        "changes": list(answer.changes),
        "conflicts": [conflict_dict(c) for c in answer.conflicts],
    }


# --- text --------------------------------------------------------------------


def _some(items: Sequence[str], shown: int = 5) -> str:
    text = ", ".join(safe(a) for a in items[:shown])
    return text + (f" and {len(items) - shown} more" if len(items) > shown else "")


def conflict_line(conflict: Conflict) -> list[str]:
    """A conflict in a few lines: what, who coordinates, and up to 3 paths that explain a downstream one."""
    assets = _some(conflict.assets)
    teams = ", ".join(safe(t) for t in conflict.teams)
    first, second = safe(conflict.first), safe(conflict.second)
    said = conflict_sentence(conflict.kind, first, second, assets)
    if conflict.kind == "same-asset":
        head = f"same-asset     {said}"
    elif conflict.kind == "downstream":
        head = f"downstream     {first} -> {second}: {said}"
    else:
        head = f"shared-impact  {said} (information)"
    lines = [f"  {head}", f"                 coordinate: {teams}"]
    if conflict.kind != "same-asset":
        lines[0] += f" ({away(conflict.tool_distance)})"
    for r in conflict.reach[:3]:
        lines.append(f"                 why: {show_path(r)} ({away(r.tool_distance)})")
    if len(conflict.reach) > 3:
        more = len(conflict.reach) - 3
        lines.append(f"                 ({plural(more, 'more path')}; --format json lists them all)")
    return lines


FAR_CONFLICT = 2
"""Conflicts meeting more than this many tools away are counted, not shown, unless ``--all``."""


def render_conflicts(answer: ConflictsAnswer) -> str:
    """Ranked: same-asset first, then downstream by tool distance; far ones folded into a count unless ``show_all``."""
    conflicts, changes = answer.conflicts, answer.changes
    blocking = [c for c in conflicts if c.kind != "shared-impact"]
    lines = [
        f"Conflicts between {plural(len(changes), 'change request')} not yet released: {len(blocking)} to coordinate"
    ]
    lines.append("  (" + ", ".join(safe(c) for c in changes) + ")")
    if not conflicts:
        lines.append("  none: no two change requests change the same asset or reach what another changes")
    far = [c for c in conflicts if c.tool_distance > FAR_CONFLICT and not answer.show_all]
    for conflict in conflicts:
        if conflict in far:
            continue
        lines.append("")
        lines.extend(conflict_line(conflict))
    if far:
        pairs = ", ".join(
            f"{safe(c.first)} -> {safe(c.second)}"
            if c.kind == "downstream"
            else f"{safe(c.first)} and {safe(c.second)}"
            for c in far
        )
        lines.append("")
        lines.append(f"  {plural(len(far), 'more conflict')} meet more than {FAR_CONFLICT} tools away: {pairs}")
        lines.append("                 (--all shows them; --format json lists them all)")
    return "\n".join(lines) + "\n"


# --- Markdown ----------------------------------------------------------------


def render_conflicts_markdown(answer: ConflictsAnswer) -> str:
    """``impact conflicts --format markdown``: the same answer as the text, for a ticket or pull request."""
    conflicts, changes = answer.conflicts, answer.changes
    blocking = [c for c in conflicts if c.kind != "shared-impact"]
    lines = [
        f"## Conflicts between {plural(len(changes), 'change request')} not yet released: {len(blocking)} to "
        "coordinate",
        "",
    ]
    lines.append("Change requests: " + (", ".join(md_code(c) for c in changes) or "none") + ".")
    lines.append("")
    if not conflicts:
        lines.append("None: no two change requests change the same asset or reach what another changes.")
    for c in conflicts:
        assets = ", ".join(md_code(a) for a in c.assets[:5]) + (
            f" and {len(c.assets) - 5} more" if len(c.assets) > 5 else ""
        )
        teams = ", ".join(md_code(t) for t in c.teams)
        said = conflict_sentence(c.kind, md_code(c.first), md_code(c.second), assets)
        if c.kind == "same-asset":
            head = f"**same-asset**: {said}"
        elif c.kind == "downstream":
            head = f"**downstream** {md_code(c.first)} → {md_code(c.second)}: {said}"
        else:
            head = f"**shared-impact** (information): {said}"
        lines.append(f"- {head}. Coordinate: {teams}.")
        for r in c.reach[:3]:
            lines.append(f"  - why: {' → '.join(md_code(a) for a in r.path)} ({away(r.tool_distance)})")
        if len(c.reach) > 3:
            lines.append(f"  - {plural(len(c.reach) - 3, 'more path')}: `--format json` lists them all")
    return "\n".join(lines) + "\n"
