"""Output of ``impact coverage``: text, JSON and Markdown."""

from __future__ import annotations

from typing import Any

from impact.analysis.coverage import MEASURES, CoverageResult, Group, Tally
from impact.render.csvout import to_csv
from impact.render.plaintext import safe, table
from impact.render.templating import render

LABELS = {"assets": "assets", "critical": "critical assets", "cross_tool": "cross-tool dependencies"}


def _tally(t: Tally) -> dict[str, Any]:
    return {"covered": t.covered, "total": t.total, "percent": t.percent, "untested": list(t.missing)}


def _group(g: Group, *, details: bool) -> dict[str, Any]:
    out = {}
    for m in MEASURES:
        item = _tally(getattr(g, m))
        if not details:
            del item["untested"]
        out[m] = item
    return out


def coverage_dict(result: CoverageResult) -> dict[str, Any]:
    return {
        "catalog": result.catalog.root,
        "tests": len(result.catalog.tests),
        "overall": _group(result.overall, details=True),
        "by_team": {team: _group(g, details=False) for team, g in result.by_team.items()},
        "by_tool": {tool: _group(g, details=False) for tool, g in result.by_tool.items()},
    }


def cell(t: Tally) -> str:
    """``'3/4 (75.0%)'``, or ``'-'`` when there is nothing to cover."""
    return "-" if t.total == 0 else f"{t.covered}/{t.total} ({t.percent:.1f}%)"


def render_coverage(result: CoverageResult, style: Any = None) -> str:
    paint = style or (lambda text, _kind: text)
    o = result.overall
    lines = [
        f"Test coverage of {safe(result.catalog.root)} ({len(result.catalog.tests)} tests)",
        "; ".join(f"{LABELS[m]} {cell(getattr(o, m))}" for m in MEASURES) + ".",
        "",
    ]
    for title, groups in (("Per team", result.by_team), ("Per tool", result.by_tool)):
        lines.append(paint(title, "heading"))
        rows = [(safe(name), cell(g.assets), cell(g.critical), cell(g.cross_tool)) for name, g in groups.items()]
        lines.extend(table(rows, (title.split()[1].upper(), "ASSETS", "CRITICAL", "CROSS-TOOL DEPS")))
        lines.append("")
    for m, what in (
        ("critical", "Critical assets no test covers"),
        ("cross_tool", "Cross-tool dependencies no single test covers end to end"),
    ):
        missing = getattr(o, m).missing
        if missing:
            lines.append(paint(f"{what} ({len(missing)})", "bad"))
            lines.extend(f"  {safe(item)}" for item in missing)
            lines.append("")
    missing = [a for a in o.assets.missing if not result.catalog.assets[a].critical]
    if missing:
        lines.append(f"Other assets no test covers ({len(missing)})")
        lines.extend(f"  {safe(a)}" for a in missing)
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def render_coverage_markdown(result: CoverageResult, templates: str | None = None) -> str:
    return render(
        "coverage.md.j2",
        templates,
        data=coverage_dict(result),
        cell=cell,
        result=result,
        labels=LABELS,
        measures=MEASURES,
    )


def coverage_csv(result: CoverageResult) -> str:
    """``impact coverage --format csv``: one row for the whole catalog, each team and each tool, for a spreadsheet."""
    header = ["scope", "id"] + [f"{m}_{k}" for m in MEASURES for k in ("covered", "total", "percent")]

    def row(scope: str, ident: str, g: Group) -> list[object]:
        values: list[object] = [scope, ident]
        for m in MEASURES:
            t: Tally = getattr(g, m)
            values += [t.covered, t.total, f"{t.percent:.1f}" if t.total else ""]
        return values

    rows = [row("catalog", result.catalog.root, result.overall)]
    rows += [row("team", team, g) for team, g in result.by_team.items()]
    rows += [row("tool", tool, g) for tool, g in result.by_tool.items()]
    return to_csv(header, rows)
