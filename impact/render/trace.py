"""Output of ``impact trace``: text for the incident channel, JSON for scripts."""

from __future__ import annotations

from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from impact.analysis.trace import TraceResult
from impact.core.catalog import Catalog
from impact.core.distance import tools_away as away
from impact.graph.depgraph import Reach
from impact.render.check.data import PATH_LIMIT
from impact.render.check.text import reach_lines
from impact.render.plaintext import plural, safe, show_path


def trace_dict(result: TraceResult) -> dict[str, Any]:
    catalog = result.catalog
    asset = catalog.assets[result.asset]
    return {
        "asset": result.asset,
        "system": asset.system,
        "owner": asset.owner,
        "catalog": catalog.root,
        "max_tools": result.max_tools,
        "changes_folder": result.changes_folder,
        "summary": {"upstream": len(result.upstream), "changes": len(result.changes)},
        "upstream": [_upstream_dict(r, catalog, result.notes) for r in result.upstream],
        "changes": [
            {
                "id": h.change.id,
                "title": h.change.title,
                "file": h.change.file,
                "status": h.change.status,
                "release": h.change.release,
                "action": h.action,
                "changed_asset": h.path[0],
                "tool_distance": h.tool_distance,
                "path": list(h.path),
            }
            for h in result.changes
        ],
        "skipped": [{"file": p.file, "line": p.line, "col": p.col, "message": p.message} for p in result.skipped],
    }


def render_trace(result: TraceResult, style: Any = None) -> str:
    """Plain text; ``style(text, kind)`` may colour headings (kind: ``'heading'``)."""
    paint = style or (lambda text, _kind: text)
    catalog = result.catalog
    asset = catalog.assets[result.asset]
    lines = [
        f"Trace: {safe(result.asset)} ({safe(asset.type)}, owned by {safe(asset.owner)})",
        (
            f"{plural(len(result.upstream), 'upstream asset')} within {plural(result.max_tools, 'tool')} can break it; "
            f"{plural(len(result.changes), 'change request')} reach{'es' if len(result.changes) == 1 else ''} it."
        ),
        "",
        paint(f"Change requests that reach it ({'nearest first' if result.changes else 'none'})", "heading"),
    ]
    if result.changes_folder is None:
        lines.append("  no change folder given (--changes DIR) and none beside the catalog")
    elif not result.changes:
        lines.append(f"  no open or released change request in {safe(result.changes_folder)} reaches it")
    for h in result.changes:
        status = h.change.status or "no status"
        lines.append(f"  {safe(h.change.id)}: {safe(h.change.title)} ({safe(status)}, {away(h.tool_distance)})")
        lines.append(
            f"        {h.action} {safe(h.path[0])}" + (f"; why: {show_path(h.path)}" if len(h.path) > 1 else "")
        )
    lines.append("")
    lines.append(paint("Upstream assets that can break it (nearest first; ! = critical)", "heading"))
    if not result.upstream:
        lines.append("  nothing upstream: no asset of the catalog feeds it")
    lines.extend(reach_lines(result.upstream, catalog, "path", details=True))
    if result.skipped:
        lines.append("")
        lines.append(paint("Skipped change files (they do not match the catalog)", "heading"))
        lines.extend(f"  {safe(str(p))}" for p in result.skipped)
    return "\n".join(lines) + "\n"


def _upstream_dict(r: Reach, catalog: Catalog, notes: Mapping[tuple[str, str], str | None]) -> dict[str, Any]:
    asset = catalog.assets[r.asset]
    short = r.steps <= PATH_LIMIT  # longer paths are left out, as in check's JSON: follow via
    path: tuple[str, ...] = r.path if short else ()  # walked once: a Reach builds its path on each access
    via = r.via
    return {
        "asset": r.asset,
        "system": asset.system,
        "type": asset.type,
        "owner": asset.owner,
        "critical": asset.critical,
        "tool_distance": r.tool_distance,
        "steps": r.steps,
        "path": list(path),
        "notes": [notes.get(edge) for edge in pairwise(path)],
        "via": via,
        "via_note": notes.get((r.asset, via)) if via is not None else None,
        "path_left_out": not short,
    }


def _md_path(r: Reach, target: str, code: Any) -> str:
    """An upstream asset's path to the traced one in Markdown; past ``PATH_LIMIT`` steps its first step and the end."""
    if r.steps <= PATH_LIMIT:
        return " → ".join(code(x) for x in r.path)
    return f"{code(r.asset)} → {code(r.via)} → … → {code(target)} ({r.steps:,} steps)"


def render_trace_markdown(result: TraceResult) -> str:
    """``impact trace --format markdown``: the text answer for an incident ticket."""
    from impact.render.templating import md_code, md_text  # Jinja2 only when Markdown is asked for (start-up time)

    catalog = result.catalog
    asset = catalog.assets[result.asset]
    lines = [
        f"## Trace: {md_code(result.asset)} ({md_text(asset.type)}, owned by {md_code(asset.owner)})",
        "",
        (
            f"{plural(len(result.upstream), 'upstream asset')} within {plural(result.max_tools, 'tool')} can break it; "
            f"{plural(len(result.changes), 'change request')} reach{'es' if len(result.changes) == 1 else ''} it."
        ),
        "",
        "### Change requests that reach it" + (" (nearest first)" if result.changes else ""),
        "",
    ]
    if result.changes_folder is None:
        lines.append("No change folder given (`--changes DIR`) and none beside the catalog.")
    elif not result.changes:
        lines.append(f"No open or released change request in {md_code(result.changes_folder)} reaches it.")
    for h in result.changes:
        why = f"; why: {' → '.join(md_code(a) for a in h.path)}" if len(h.path) > 1 else ""
        lines.append(
            f"- {md_code(h.change.id)}: {md_text(h.change.title)} ({md_text(h.change.status or 'no status')}, "
            f"{away(h.tool_distance)}): "
            f"{md_text(h.action)} {md_code(h.path[0])}{why}"
        )
    lines += ["", "### Upstream assets that can break it (nearest first)", ""]
    if not result.upstream:
        lines.append("Nothing upstream: no asset of the catalog feeds it.")
    for r in result.upstream:
        a = catalog.assets[r.asset]
        mark = " **critical**" if a.critical else ""
        why = _md_path(r, result.asset, md_code)
        lines.append(f"- {md_code(r.asset)}{mark} ({away(r.tool_distance)}, owner {md_code(a.owner)}): {why}")
    if result.skipped:
        lines += ["", "### Skipped change files (they do not match the catalog)", ""]
        lines.extend(f"- {md_text(str(p))}" for p in result.skipped)
    return "\n".join(lines) + "\n"
