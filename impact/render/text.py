"""Plain-text output for a person at a terminal."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable

from impact.analysis.check import CheckResult
from impact.analysis.release_path import ReleasePath
from impact.core.catalog import Catalog
from impact.core.distance import tools_away as away
from impact.graph.depgraph import Reach

ARROW = " -> "


def safe(text: str | None) -> str:
    """Show control and bidirectional-override characters as escapes, never raw.

    A name with U+202E (right-to-left override) or an ANSI escape must not
    rearrange or recolour the terminal: it is shown as ``\\u202e``.
    """
    if text is None:
        return ""
    out = []
    for ch in text:
        if ch in "\n\t":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf") and ch != "\u200d":
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


COMPACT_ABOVE = 8
"""Paths with more hops than this are shown with same-tool stretches folded."""


def compact_path(path: tuple[str, ...] | list[str], system_of: dict[str, str] | None = None) -> list[str | int]:
    """A why-path a person can read: every tool crossing kept, long same-tool runs folded.

    Returns asset ids, with an int ``n`` standing for ``n`` assets left out
    between its neighbours (all of the same tool). Paths of at most
    ``COMPACT_ABOVE`` hops are returned whole. Folding keeps text output
    linear in the number of impacted assets even for 5,000-long chains; the
    JSON output always carries the whole path.

    Examples
    --------
    >>> compact_path(["w:a", "w:b", "m:c"])
    ['w:a', 'w:b', 'm:c']
    >>> compact_path(["w:a", *[f"w:x{i}" for i in range(10)], "m:c", "m:d"])
    ['w:a', 9, 'w:x9', 'm:c', 'm:d']
    """
    path = list(path)
    if len(path) - 1 <= COMPACT_ABOVE:
        return list(path)

    def system(asset: str) -> str:
        return system_of[asset] if system_of is not None else asset.partition(":")[0]

    systems = [system(a) for a in path]
    keep = {0, len(path) - 1}
    for i in range(1, len(path)):
        if systems[i] != systems[i - 1]:
            keep.update((i - 1, i))
    out: list[str | int] = []
    skipped = 0
    for i, asset in enumerate(path):
        if i in keep:
            if skipped:
                out.append(skipped)
                skipped = 0
            out.append(asset)
        else:
            skipped += 1
    return out


def show_path(path: Reach | tuple[str, ...] | list[str]) -> str:
    """A why-path as one line of text, folded when long (see :func:`compact_path`).

    Given a :class:`Reach`, folding uses its key points and never walks the
    whole path, so showing every impacted asset stays linear in their number.
    """
    if isinstance(path, Reach):
        parts = list(path.path) if path.steps <= COMPACT_ABOVE else fold_points(path.key_points)
    else:
        parts = compact_path(path)
    return ARROW.join(f"({part} more in the same tool)" if isinstance(part, int) else safe(part) for part in parts)


def fold_points(points: tuple[tuple[int, str], ...]) -> list[str | int]:
    """Key points ``(index, asset)`` of a path as assets, with the count of those left out between them."""
    out: list[str | int] = []
    last = None
    for index, asset in points:
        if last is not None and index - last > 1:
            out.append(index - last - 1)
        out.append(asset)
        last = index
    return out


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def summary_line(result: CheckResult) -> str:
    far = max((r.tool_distance for r in result.impacted), default=0)
    parts = [
        f"{plural(len(result.changed), 'asset')} changed",
        f"{len(result.impacted)} impacted"
        + (f" across {plural(len(result.systems_reached), 'tool')}, up to {away(far)}" if result.impacted else ""),
        f"{plural(len(result.stakeholders), 'team')} to involve",
        f"{plural(len(result.tests), 'test')} to run",
    ]
    if result.untested:
        parts.append(f"{plural(len(result.untested), 'asset')} with no test")
    return "; ".join(parts) + "."


def table(rows: Iterable[tuple[str, ...]], header: tuple[str, ...], indent: str = "  ") -> list[str]:
    rows = [header, *rows]
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    lines = []
    for row in rows:
        cells = [cell.ljust(widths[i]) for i, cell in enumerate(row)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def reach_lines(reached: list[Reach], catalog: Catalog, label: str, *, details: bool = False) -> list[str]:
    """Reached assets grouped by tool distance, each with its folded path; ``!`` marks critical ones."""
    lines = []
    current = None
    for r in reached:
        if r.tool_distance != current:
            current = r.tool_distance
            lines.append(f"  {away(current).capitalize()}:")
        asset = catalog.assets[r.asset]
        mark = "!" if asset.critical else " "
        extra = f" ({safe(asset.type)}, {safe(asset.owner)})" if details else ""
        lines.append(f"   {mark} {safe(r.asset)}{extra}")
        lines.append(f"        {label}: {show_path(r)}")
    return lines


def changed_lines(result: CheckResult) -> list[str]:
    """What changes, as the change file says it: a whole-tool target once, with its assets under it."""
    catalog = result.catalog
    lines = []
    by_target: dict[str, list[str]] = {}
    for c in result.changed:
        by_target.setdefault(c.target, []).append(c.asset)
    for item in result.change.items:
        assets = by_target.pop(item.target, None)
        if assets is None:  # the same target named twice: shown once
            continue
        if item.target in catalog.systems:
            lines.append(f"   {item.action:<9} {safe(item.target)} (the whole tool: {plural(len(assets), 'asset')})")
        else:
            asset = catalog.assets.get(item.target)
            mark = "!" if asset and asset.critical else " "
            extra = "" if asset else "  (new: not in the catalog yet)"
            lines.append(f" {mark} {item.action:<9} {safe(item.target)}{extra}")
        if item.note:
            lines.append(f"        note: {safe(item.note)}")
        if item.target in catalog.systems:
            for aid in assets:
                mark = "!" if catalog.assets[aid].critical else " "
                lines.append(f"      {mark} {safe(aid)}")
    return lines


def render_check(result: CheckResult) -> str:
    catalog = result.catalog
    change = result.change
    lines = [f"{safe(change.id)}: {safe(change.title)}", summary_line(result), ""]

    lines.append("Changed")
    lines.extend(changed_lines(result))
    lines.append("")

    lines.append(f"Impacted (up to {plural(result.max_tools, 'tool')} away; ! = critical)")
    if not result.impacted:
        lines.append("  nothing downstream depends on the changed assets")
    lines.extend(reach_lines(result.impacted, catalog, "why"))
    lines.append("")

    lines.append("Stakeholders")
    rows = []
    for s in result.stakeholders:
        contact = " ".join(safe(x) for x in (s.team.email, s.team.slack) if x)
        first = s.reasons[0]
        why = safe(first.text) + (f" (+{len(s.reasons) - 1} more)" if len(s.reasons) > 1 else "")
        rows.append((safe(s.team.id), ", ".join(s.roles), contact, why))
    lines.extend(table(rows, ("TEAM", "ROLES", "CONTACT", "WHY")))
    lines.append("")

    minutes = sum(t.test.minutes or 0 for t in result.tests)
    lines.append(f"Tests to run ({len(result.tests)}" + (f", about {minutes} minutes of manual work" if minutes else "") + ")")
    if not result.tests:
        lines.append("  no regression test covers the changed or impacted assets")
    for t in result.tests:
        kind = t.test.kind or "test"
        lines.append(f"  [ ] {safe(t.test.id)}: {safe(t.test.name)} ({kind}, {away(t.tool_distance)})")
        lines.append(f"        covers: {', '.join(safe(a) for a in t.covers)}")
        if t.test.run:
            lines.append(f"        run: {safe(t.test.run)}")
    if result.untested:
        lines.append("")
        lines.append(f"Untested: no regression test covers {plural(len(result.untested), 'changed or impacted asset')}")
        distance = result.distance_of
        for a in result.untested:
            mark = "!" if catalog.assets[a].critical else " "
            lines.append(f" {mark} {safe(a)} ({away(distance[a])})")
    if result.release_path is not None:
        lines.append("")
        lines.extend(render_release_path(result.release_path))
    return "\n".join(lines) + "\n"


def render_release_path(rp: ReleasePath) -> list[str]:
    """The release path section: the verdict first, then the reasons."""
    declared = rp.declared or "none declared"
    lines = [f"Release path: needs {rp.computed} (declared: {declared})"]
    if rp.too_light:
        lines.append(f"  BLOCKING: declared {rp.declared} is lighter than the {rp.computed} this change needs; set 'path: {rp.computed}' or reduce the change")
    for reason in rp.reasons:
        lines.append(f"  - {safe(reason)}")
    return lines
