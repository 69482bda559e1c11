"""``impact check``'s text answer: one line per fact, for a person, ``grep`` and diffs."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from impact.analysis.answer import RISKS, tests_breakdown
from impact.analysis.check import CheckResult
from impact.analysis.decision import decide
from impact.analysis.release_path import ReleasePath
from impact.core import progress
from impact.core.catalog import Catalog
from impact.core.distance import tools_away as away
from impact.core.distance import tools_away_between
from impact.graph.depgraph import Reach
from impact.render.plaintext import asset_label, labelled, left_out_words, plural, quoted, safe, show_path, table
from impact.render.readiness import missing_lines, readiness_lines


def summary_line(result: CheckResult) -> str:
    far = max((r.tool_distance for r in result.impacted), default=0)
    parts = [
        f"{plural(len(result.changed), 'asset')} changed",
        f"{len(result.impacted)} impacted"
        + (
            f" across {plural(len(result.systems_reached), 'tool')}, up to {away(far)} ({risk_counts(result)})"
            if result.impacted
            else ""
        ),
        f"{plural(len(result.stakeholders), 'team')} to involve",
        f"{plural(len(result.tests), 'test')} to run",
    ]
    if result.untested:
        parts.append(f"{plural(len(result.untested), 'asset')} with no test")
    return "; ".join(parts) + "."


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
        lines.append(f"   {mark} {asset_label(catalog, r.asset)}{extra}")
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
            lines.append(f" {mark} {item.action:<9} {asset_label(catalog, item.target)}{extra}")
        if item.aspects is not None or item.values:
            said = ", ".join(safe(a) for a in (item.aspects if item.aspects is not None else ("values",)))
            lines.append(f"        touches: {said}" + (f" ({quoted(item.values)})" if item.values else ""))
        if item.note:
            lines.append(f"        note: {safe(item.note)}")
        if item.target in catalog.systems:
            for aid in assets:
                mark = "!" if catalog.assets[aid].critical else " "
                lines.append(f"      {mark} {asset_label(catalog, aid)}")
    return lines


FOLD_ABOVE = 2
"""A tool with more low-risk assets than this shows them as one folded line."""


SHOWN_FOLDED = 3
"""Assets named in a folded line; the rest are counted."""


def answer_lines(result: CheckResult) -> list[str]:
    """What to do, before the details: verdict, sign-off, tests, untested critical assets."""
    decision = decide(result)
    lines = [safe(decision.headline), *([safe(result.path_sentence)] if result.path_sentence else [])]
    sign = ", ".join(f"{safe(s.team)} ({safe(s.why)})" for s in result.sign_off)
    lines.append(f"Sign off: {sign or 'no team'}")
    lines.append(f"Tests: {decision.cost}")
    critical = result.untested_critical
    if critical:
        lines.append(f"Untested critical: {', '.join(asset_label(result.catalog, a) for a in critical)}")
    ready = readiness_lines(decision, safe)
    if ready:
        lines.extend(ready)
    if decision.missing and (ready or len(decision.missing) > 1):
        lines.append("Missing before it ships:")
        lines.extend(missing_lines(decision, safe))
    return lines


def risk_counts(result: CheckResult) -> str:
    """``'8 high risk, 20 medium, 43 low'``."""
    counts = {level: 0 for level in RISKS}
    for risk in result.risk.values():
        counts[risk.level] += 1
    return f"{counts['high']} high risk, {counts['medium']} medium, {counts['low']} low"


@dataclass(frozen=True)
class Folded:
    """A tool's low-risk assets shown as one line."""

    system: str
    assets: tuple[str, ...]
    near: int
    far: int

    @property
    def span(self) -> str:
        return tools_away_between(self.near, self.far)


@dataclass(frozen=True)
class RiskGroup:
    level: str
    count: int
    shown: tuple[Reach, ...]
    folded: tuple[Folded, ...]


def risk_groups(result: CheckResult, *, show_all: bool = False) -> list[RiskGroup]:
    """Impacted assets by risk, highest first; a tool with more than ``FOLD_ABOVE`` low-risk assets folded unless
    ``show_all``.
    """
    risk = result.risk
    by_level: dict[str, list[Reach]] = {level: [] for level in RISKS}
    for r in result.impacted:
        by_level[risk[r.asset].level].append(r)
    groups = []
    for level in RISKS:
        reached = by_level[level]
        if not reached:
            continue
        systems = result.fields.systems(r.asset for r in reached)
        per_tool: dict[str, list[Reach]] = {}
        for r, system in zip(reached, systems):
            per_tool.setdefault(system, []).append(r)
        fold = set() if level != "low" or show_all else {t for t, rs in per_tool.items() if len(rs) > FOLD_ABOVE}
        shown = tuple(r for r, system in zip(reached, systems) if system not in fold) if fold else tuple(reached)
        folded = tuple(
            Folded(
                t,
                tuple(r.asset for r in per_tool[t]),
                per_tool[t][0].tool_distance,
                max(r.tool_distance for r in per_tool[t]),
            )
            for t in sorted(fold)
        )
        groups.append(RiskGroup(level, len(reached), shown, folded))
    return groups


def impacted_lines(result: CheckResult, *, show_all: bool = False) -> Iterator[str]:
    """Impacted assets, high risk first; each tool's long low-risk tail folded into one line unless ``show_all``."""
    row = result.fields.row
    any_folded = False
    for group in risk_groups(result, show_all=show_all):
        yield f"  {group.level.capitalize()} risk ({group.count}):"
        for r in group.shown:
            name, _, _, _, critical, _, _ = row(r.asset)
            mark = "!" if critical else " "
            yield f"   {mark} {labelled(r.asset, name)} ({away(r.tool_distance)})"
            yield f"        why: {show_path(r)}"
            if group.level == "high":
                yield f"        risk: {'; '.join(safe(x) for x in result.risk[r.asset].reasons)}"
        for f in group.folded:
            any_folded = True
            names = ", ".join(safe(a) for a in f.assets[:SHOWN_FOLDED])
            more = f" and {len(f.assets) - SHOWN_FOLDED} more" if len(f.assets) > SHOWN_FOLDED else ""
            yield f"     {safe(f.system)}: {plural(len(f.assets), 'asset')}, {f.span}: {names}{more}"
    if any_folded:
        yield "  (--all lists every asset with its path; --format json has them all)"


LEFT_OUT_SHOWN = 5
"""How many left-out assets the text names before it counts the rest."""


def left_out_lines(result: CheckResult) -> Iterator[str]:
    """One line for what a value-level change leaves out: what tests the changed field only for other values."""
    if not result.left_out:
        return
    named = ", ".join(safe(a) for a in result.left_out[:LEFT_OUT_SHOWN])
    more = len(result.left_out) - LEFT_OUT_SHOWN
    yield f"  Left out: {left_out_words(len(result.left_out))}: {named}" + (f" and {more} more" if more > 0 else "")


def render_check(result: CheckResult, *, show_all: bool = False) -> str:
    return "\n".join(check_lines(result, show_all=show_all)) + "\n"


def check_lines(result: CheckResult, *, show_all: bool = False) -> Iterator[str]:
    """The lines of :func:`render_check`, made one at a time (a big answer is written as it is made)."""
    change = result.change
    yield f"{safe(change.id)}: {safe(change.title)}"
    yield from answer_lines(result)
    yield summary_line(result)
    yield ""

    yield "Changed"
    yield from changed_lines(result)
    yield ""

    yield f"Impacted (up to {plural(result.max_tools, 'tool')} away; ! = critical)"
    if not result.impacted:
        yield "  nothing downstream depends on the changed assets"
    yield from impacted_lines(result, show_all=show_all)
    yield from left_out_lines(result)
    yield ""

    yield "Stakeholders"
    rows = []
    for s in result.stakeholders:
        contact = " ".join(safe(x) for x in (s.team.email, s.team.slack) if x)
        first = s.role_reason
        why = safe(first.text) + (f" (+{len(s.reasons) - 1} more)" if len(s.reasons) > 1 else "")
        rows.append((safe(s.team.id), s.role, contact, why))
    yield from table(rows, ("TEAM", "ROLE", "CONTACT", "WHY"))
    yield ""

    yield (
        f"Tests to run ({len(result.tests)}: {tests_breakdown(result.test_counts)})"
        if result.tests
        else "Tests to run (0)"
    )
    if not result.tests:
        yield "  no regression test covers the changed or impacted assets"
    for t in result.tests:
        kind = t.test.kind or "test"
        minutes = f", {t.test.minutes} min" if t.test.minutes and t.test.kind != "automated" else ""
        yield f"  [ ] {safe(t.test.id)}: {safe(t.test.name)} ({kind}{minutes}, {away(t.tool_distance)})"
        yield f"        covers: {', '.join(safe(a) for a in t.covers)}"
        if t.test.run:
            yield f"        run: {safe(t.test.run)}"
    if result.untested:
        yield ""
        yield f"Untested: no regression test covers {plural(len(result.untested), 'changed or impacted asset')}"
        distance = result.distance_of
        names, _, _, _, critical = result.fields.columns(result.untested)
        for a, name, flag in zip(result.untested, names, critical):
            yield f" {'!' if flag else ' '} {labelled(a, name)} ({away(distance[a])})"
    if result.release_path is not None:
        yield ""
        yield from render_release_path(result.release_path)


def render_release_path(rp: ReleasePath) -> list[str]:
    """The release path section: the verdict first, then the reasons."""
    declared = f"declared: {rp.declared}" if rp.declared else "none declared"
    lines = [f"Release path: needs {rp.computed} ({declared})"]
    if rp.too_light:
        lines.append(
            f"  BLOCKING: declared {rp.declared} is lighter than the {rp.computed} this change needs; set 'path: "
            f"{rp.computed}' or reduce the change"
        )
    for reason in rp.reasons:
        lines.append(f"  - {safe(reason)}")
    return lines


def write_lines(lines: Iterable[str], write: Callable[[bytes], object]) -> None:
    """Write ``lines`` (each ended by a newline) as UTF-8, about a megabyte at a time."""
    pending: list[str] = []
    size = 0
    for line in lines:
        pending.append(line)
        size += len(line) + 1
        if size >= 1 << 20:
            pending.append("")
            write("\n".join(pending).encode("utf-8"))
            pending.clear()
            size = 0
            progress.step("Writing the answer", 0)
    if pending:
        pending.append("")
        write("\n".join(pending).encode("utf-8"))
